"""The engine, tested by running real flows on real workers."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from flows import services
from flows.engine import run_execute
from flows.models import Run, RunStatus, StepStatus
from flows.scheduler import runs_resend_stale
from tests.flows.conftest import steps_of
from tests.support.flows import chain, edge, node
from tests.support.runs import wait_for_run

RunFlow = Callable[..., Run]


def test_a_linear_flow_builds_the_context_step_by_step(worker: None, test_run: RunFlow) -> None:
    # given trigger → map → map, where the second map reads the first and the run
    document = chain(
        node("start", "trigger.manual"),
        node(
            "shape",
            "transform.map",
            fields={
                "email": "{{ trigger.customer.email }}",
                "total": {"*": [{"var": "trigger.total"}, 2]},
                "greeting": "Hello {{ trigger.customer.name }}!",
            },
        ),
        node(
            "again",
            "transform.map",
            fields={
                "from_input": {"var": "input.total"},
                "from_steps": "{{ steps.shape.email }}",
                "run_id": "{{ run.id }}",
            },
        ),
    )
    # when it runs
    run = test_run(document, {"total": 21, "customer": {"email": "a@example.com", "name": "Ann"}})
    # then every step succeeded with its output, and the last output is the run's
    assert run.status == RunStatus.SUCCEEDED, run.error
    steps = steps_of(run)
    assert steps["shape"].output == {"email": "a@example.com", "total": 42, "greeting": "Hello Ann!"}
    assert steps["again"].output == {"from_input": 42, "from_steps": "a@example.com", "run_id": str(run.pk)}
    assert steps["again"].input == steps["shape"].output
    assert run.output == steps["again"].output
    assert all(s.attempts == 1 and s.started_at and s.finished_at for s in steps.values())


def test_a_false_filter_skips_what_follows_and_the_run_succeeds(worker: None, test_run: RunFlow) -> None:
    document = chain(
        node("start", "trigger.manual"),
        node("big", "transform.filter", condition={">": [{"var": "trigger.total"}, 100]}),
        node("shape", "transform.map", fields={"total": {"var": "trigger.total"}}),
    )
    small = test_run(document, {"total": 5})
    big = test_run(document, {"total": 500})
    assert small.status == RunStatus.SUCCEEDED
    assert steps_of(small)["shape"].status == StepStatus.SKIPPED
    assert steps_of(big)["shape"].status == StepStatus.SUCCEEDED
    assert steps_of(big)["shape"].output == {"total": 500}


def test_a_branch_follows_the_port_its_condition_picks(worker: None, test_run: RunFlow) -> None:
    document = {
        "nodes": [
            node("start", "trigger.manual"),
            node("vip", "transform.branch", condition={"==": [{"var": "trigger.tier"}, "gold"]}),
            node("welcome", "transform.map", fields={"msg": "Welcome back, VIP"}),
            node("regular", "transform.map", fields={"msg": "Hello"}),
            node("after_regular", "transform.map", fields={"seen": {"var": "input.msg"}}),
        ],
        "edges": [
            edge("start", "vip"),
            edge("vip", "welcome", "true"),
            edge("vip", "regular", "false"),
            edge("regular", "after_regular"),
        ],
    }
    gold = steps_of(test_run(document, {"tier": "gold"}))
    assert gold["vip"].port == "true"
    assert gold["welcome"].status == StepStatus.SUCCEEDED
    assert gold["regular"].status == StepStatus.SKIPPED
    assert gold["after_regular"].status == StepStatus.SKIPPED

    plain = steps_of(test_run(document, {"tier": "tin"}))
    assert plain["welcome"].status == StepStatus.SKIPPED
    assert plain["after_regular"].output == {"seen": "Hello"}


def test_a_failing_step_fails_the_run_and_keeps_the_data(worker: None, test_run: RunFlow) -> None:
    # given a map whose rule divides by a string that is not a number
    document = chain(
        node("start", "trigger.manual"),
        node("ok", "transform.map", fields={"kept": "{{ trigger.value }}"}),
        node("broken", "transform.map", fields={"x": {"throw": "bad data"}}),
        node("never", "transform.map", fields={}),
    )
    run = test_run(document, {"value": "precious"})
    assert run.status == RunStatus.FAILED
    assert "'broken'" in run.error and "transform.map" in run.error
    steps = steps_of(run)
    assert steps["ok"].output == {"kept": "precious"}
    assert steps["broken"].status == StepStatus.FAILED
    assert steps["broken"].input == {"kept": "precious"}
    assert steps["broken"].error
    assert "never" not in steps


def test_a_delay_parks_the_run_without_a_worker_then_goes_on(
    worker: None, alice: Any, make_flow: Any
) -> None:
    document = chain(
        node("start", "trigger.manual"),
        node("pause", "transform.delay", seconds=1.5),
        node("after", "transform.map", fields={"done": True}),
    )
    started = services.run_test(flow=make_flow(document), user=alice, payload={"n": 1})
    waiting = wait_for_run(started.pk, statuses=(RunStatus.WAITING,), timeout=10)
    assert steps_of(waiting)["pause"].status == StepStatus.WAITING
    assert waiting.resume_at is not None and waiting.lease_expires_at is None
    finished = wait_for_run(started.pk, timeout=15)
    assert finished.status == RunStatus.SUCCEEDED
    assert steps_of(finished)["after"].output == {"done": True}
    assert steps_of(finished)["pause"].output == {"n": 1}
    assert (finished.finished_at - finished.started_at) >= timedelta(seconds=1.5)


def test_a_waiting_run_can_be_cancelled(worker: None, alice: Any, make_flow: Any) -> None:
    document = chain(
        node("start", "trigger.manual"),
        node("pause", "transform.delay", seconds=2),
        node("after", "transform.map", fields={}),
    )
    started = services.run_test(flow=make_flow(document), user=alice, payload={})
    wait_for_run(started.pk, statuses=(RunStatus.WAITING,), timeout=10)
    services.run_cancel(run=started, user=alice)
    time.sleep(2.5)
    run = Run.objects.get(pk=started.pk)
    assert run.status == RunStatus.CANCELLED
    assert "after" not in steps_of(run)


def test_replay_from_the_failed_step_reuses_what_succeeded(worker: None, alice: Any, make_flow: Any) -> None:
    # given a run that failed at its last step because the trigger data lacked a number
    document = chain(
        node("start", "trigger.manual"),
        node("first", "transform.map", fields={"at": {"var": "run.id"}}),
        node("check", "transform.map", fields={"n": {"if": [{"var": "trigger.ok"}, 1, {"throw": "not ok"}]}}),
    )
    flow = make_flow(document)
    failed = wait_for_run(services.run_test(flow=flow, user=alice, payload={"ok": False}).pk)
    assert failed.status == RunStatus.FAILED
    # when it is replayed from the failed step, and separately from the start
    from_failed = wait_for_run(services.run_replay(run=failed, user=alice, mode="failed").pk)
    from_start = wait_for_run(services.run_replay(run=failed, user=alice, mode="start").pk)
    # then the first step's output is the original one (not executed again), and the replay still
    # fails on the same data; a replay from the start executes the first step anew
    assert steps_of(from_failed)["first"].output == {"at": str(failed.pk)}
    assert steps_of(from_start)["first"].output == {"at": str(from_start.pk)}
    assert from_failed.replay_of_id == failed.pk
    assert from_failed.status == RunStatus.FAILED


def test_a_run_abandoned_by_a_crashed_worker_is_taken_over_once(
    worker: None, alice: Any, make_flow: Any
) -> None:
    # given a run a worker claimed and then died on: running, with a lease that has lapsed
    document = chain(node("start", "trigger.manual"), node("shape", "transform.map", fields={"x": 1}))
    flow = make_flow(document)
    run = services.run_test(flow=flow, user=alice, payload={})
    wait_for_run(run.pk)
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1), finished_at=None
    )
    run.steps.filter(node="shape").delete()
    # when the sweeper runs
    assert runs_resend_stale() >= 1
    # then a worker finishes it; the trigger step that had succeeded is not executed again
    done = wait_for_run(run.pk)
    assert done.status == RunStatus.SUCCEEDED
    assert steps_of(done)["shape"].output == {"x": 1}
    assert steps_of(done)["start"].attempts == 1


def test_executing_a_finished_run_again_changes_nothing(worker: None, test_run: RunFlow) -> None:
    run = test_run(chain(node("start", "trigger.manual"), node("m", "transform.map", fields={"a": 1})))
    before = list(run.steps.values_list("node", "attempts", "finished_at"))
    run_execute(str(run.pk))
    assert list(run.steps.values_list("node", "attempts", "finished_at")) == before
