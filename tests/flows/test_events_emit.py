"""`action.emit` and `trigger.event` in real flows: an emit starts every live listening flow of the
same team once — not again when the step runs again or the run is replayed — and chains stop."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from flows import services
from flows.emitting import MAX_EVENT_DEPTH
from flows.models import Flow, Run, RunStatus, TriggerEvent
from flows.scheduler import runs_resend_stale
from identity.models import Team
from tests.conftest import person
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run


@pytest.fixture
def root(db: Any) -> Any:
    """An admin other than the flows' author, to approve their versions."""
    return person("root", "admin")


def live(alice: Any, root: Any, document: dict[str, Any], name: str, team: Team | None = None) -> Flow:
    flow = services.flow_create(user=alice, name=name, graph=document, team_id=team.pk if team else None)
    services.version_approve(version=services.version_submit(flow=flow, user=alice), user=root)
    return flow


def listener(event: str = "order.created") -> dict[str, Any]:
    return chain(
        node("on", "trigger.event", event=event),
        node("got", "transform.map", fields={"order": "{{ trigger.payload.order }}"}),
    )


def emitter(event: str = "order.created") -> dict[str, Any]:
    return chain(
        node("start", "trigger.manual"),
        node("tell", "action.emit", event=event, payload={"order": "{{ trigger.id }}"}),
    )


def start(alice: Any, flow: Flow, payload: Any) -> Run:
    run, _ = services.run_start_live(flow=flow, kind=TriggerEvent.Kind.MANUAL, payload=payload, user=alice)
    return wait_for_run(run.pk, timeout=15)


def test_an_emit_starts_each_live_listener_of_the_team_once(worker: None, alice: Any, root: Any) -> None:
    # given two listeners of order.created, one paused, one listening to another event, and one in
    # another team, all live
    heard = live(alice, root, listener(), "Heard")
    paused = live(alice, root, listener(), "Paused")
    services.flow_set_paused(flow=paused, user=alice, paused=True)
    other_event = live(alice, root, listener("order.paid"), "Other event")
    other_team = live(alice, root, listener(), "Other team", team=Team.objects.create(name="Elsewhere"))
    source = live(alice, root, emitter(), "Shop")
    # when the shop flow emits order.created
    done = start(alice, source, {"id": 7})
    # then only the live listener of the same team ran, with the event as its trigger output
    assert done.status == RunStatus.SUCCEEDED, done.error
    output = steps_of(done)["tell"].output
    assert output["event"] == "order.created" and len(output["runs"]) == 1
    started = wait_for_run(output["runs"][0], timeout=15)
    assert started.flow_id == heard.pk and started.status == RunStatus.SUCCEEDED
    assert started.event.kind == "event" and started.correlation_id == done.correlation_id
    assert steps_of(started)["on"].output == {
        "event": "order.created",
        "payload": {"order": 7},
        "source": {"flow": str(source.pk), "run": str(done.pk), "depth": 1},
    }
    assert steps_of(started)["got"].output == {"order": 7}
    for flow in (paused, other_event, other_team):
        assert not Run.objects.filter(flow=flow).exists(), flow.name


def test_the_step_run_again_or_the_run_replayed_starts_no_second_run(
    worker: None, alice: Any, root: Any
) -> None:
    heard = live(alice, root, listener(), "Heard")
    done = start(alice, live(alice, root, emitter(), "Shop"), {"id": 1})
    first = steps_of(done)["tell"].output["runs"]
    # when a worker takes the run over and executes the emit step again (its row lost with the worker)
    Run.objects.filter(pk=done.pk).update(
        status=RunStatus.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1), finished_at=None
    )
    done.steps.filter(node="tell").delete()
    assert runs_resend_stale() >= 1
    again = wait_for_run(done.pk, timeout=15)
    assert again.status == RunStatus.SUCCEEDED and steps_of(again)["tell"].output["runs"] == first
    # and when the run is replayed from the start, the emit step runs anew but finds the same run
    replay = wait_for_run(services.run_replay(run=again, user=alice, mode="start").pk, timeout=15)
    assert replay.status == RunStatus.SUCCEEDED
    assert steps_of(replay)["tell"].attempts == 1 and steps_of(replay)["tell"].output["runs"] == first
    time.sleep(0.3)
    assert Run.objects.filter(flow=heard).count() == 1


def test_flows_that_trigger_themselves_stop_after_the_chain_limit(
    worker: None, alice: Any, root: Any
) -> None:
    # given a flow that emits the very event it listens to
    looping = live(
        alice,
        root,
        chain(node("on", "trigger.event", event="tick"), node("again", "action.emit", event="tick")),
        "Loop",
    )
    # when something emits the event once
    start(alice, live(alice, root, emitter("tick"), "Kick"), {"id": 0})
    # then the loop runs MAX_EVENT_DEPTH times, and the last emit fails saying why
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = Run.objects.filter(flow=looping)
        if runs.filter(status=RunStatus.FAILED).exists() and not runs.exclude(
            status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]
        ):
            break
        time.sleep(0.1)
    runs = Run.objects.filter(flow=looping)
    assert runs.count() == MAX_EVENT_DEPTH
    failed = runs.get(status=RunStatus.FAILED)
    assert "chains stop at 10" in failed.error
    assert failed.event.payload["source"]["depth"] == MAX_EVENT_DEPTH


def test_with_no_listener_the_emit_succeeds_and_starts_nothing(worker: None, alice: Any, root: Any) -> None:
    done = start(alice, live(alice, root, emitter("nobody.listens"), "Shop"), {"id": 3})
    assert done.status == RunStatus.SUCCEEDED
    assert steps_of(done)["tell"].output == {"event": "nobody.listens", "runs": []}


def test_an_event_name_is_checked_in_the_editor(api: Any) -> None:
    document = chain(
        node("on", "trigger.event", event="Order Created!"), node("m", "transform.map", fields={})
    )
    problems = api.post("/api/v1/flows/validate", {"graph": document}, format="json").json()["problems"]
    assert [(p["node"], p["field"]) for p in problems] == [("on", "config.event")]
