"""Reliable delivery in the engine: retries with their history, side effects once, failures the flow
handles itself, a concurrency limit that queues, and an error flow."""

from __future__ import annotations

import itertools
import time
from typing import Any

from flows import services
from flows.models import Run, RunStatus, StepStatus, TriggerEvent
from tests.flows.conftest import steps_of
from tests.support.flows import chain, edge, node
from tests.support.runs import wait_for_run
from tests.support.sink import HttpSink

FAST_RETRY = {"max_attempts": 3, "base_seconds": 0.2, "max_seconds": 0.5}


def test_a_transient_failure_is_retried_and_every_attempt_is_kept(
    worker: None, http_sink: HttpSink, test_run: Any
) -> None:
    # given a receiver that fails twice (503, then 429 with Retry-After) before it answers 200
    http_sink.reply(503, text="busy")
    http_sink.reply(429, text="slow down", headers={"Retry-After": "1"})
    document = chain(
        node("start", "trigger.manual"),
        node("send", "action.http", method="POST", url=http_sink.url("/x"), json={"n": 1}, retry=FAST_RETRY),
    )
    # when the flow runs
    run = test_run(document, {})
    # then the third attempt succeeds, each attempt is recorded, and all carried one idempotency key
    send = steps_of(run)["send"]
    assert run.status == RunStatus.SUCCEEDED and send.attempts == 3
    assert [a["status"] for a in send.attempt_log] == ["retrying", "retrying", "succeeded"]
    assert "503" in send.attempt_log[0]["error"] and "429" in send.attempt_log[1]["error"]
    keys = {r.headers["idempotency-key"] for r in http_sink.requests}
    assert keys == {f"{run.pk}:send"}
    # Retry-After is a floor: the third attempt came at least a second after the second
    second, third = (a["started_at"] for a in send.attempt_log[1:])
    assert third > second


def test_a_client_error_is_not_retried(worker: None, http_sink: HttpSink, test_run: Any) -> None:
    http_sink.reply(422, json_body={"error": "bad total"})
    document = chain(
        node("start", "trigger.manual"),
        node("send", "action.http", method="POST", url=http_sink.url("/x"), retry=FAST_RETRY),
    )
    run = test_run(document, {})
    assert run.status == RunStatus.FAILED and steps_of(run)["send"].attempts == 1
    assert "422" in run.error and len(http_sink.requests) == 1


def test_a_replay_repeats_side_effects_under_the_same_key(
    worker: None, alice: Any, http_sink: HttpSink, make_flow: Any
) -> None:
    # given a run whose action failed for good
    http_sink.reply(400, text="no")
    document = chain(
        node("start", "trigger.manual"),
        node("send", "action.http", method="POST", url=http_sink.url("/x"), json={"n": 1}),
    )
    failed = wait_for_run(services.run_test(flow=make_flow(document), user=alice, payload={}).pk)
    assert failed.status == RunStatus.FAILED
    # when it is replayed twice (once from the failed step, once from the start)
    again = wait_for_run(services.run_replay(run=failed, user=alice, mode="failed").pk)
    restart = wait_for_run(services.run_replay(run=again, user=alice, mode="start").pk)
    # then every request carried the first run's key, so the receiver can apply it once
    assert again.status == restart.status == RunStatus.SUCCEEDED
    assert [r.headers["idempotency-key"] for r in http_sink.requests] == [f"{failed.pk}:send"] * 3


def test_a_failure_routed_to_the_error_port_is_handled_by_the_flow(worker: None, test_run: Any) -> None:
    document = {
        "nodes": [
            node("start", "trigger.manual"),
            node("risky", "transform.map", fields={"x": {"throw": "no stock"}}, on_error="route"),
            node("ok_path", "transform.map", fields={"fine": True}),
            node(
                "handle", "transform.map", fields={"why": {"var": "input.error"}, "at": {"var": "input.node"}}
            ),
        ],
        "edges": [edge("start", "risky"), edge("risky", "ok_path"), edge("risky", "handle", "error")],
    }
    run = test_run(document, {})
    steps = steps_of(run)
    assert run.status == RunStatus.SUCCEEDED
    assert steps["risky"].status == StepStatus.FAILED and steps["risky"].port == "error"
    assert steps["ok_path"].status == StepStatus.SKIPPED
    assert steps["handle"].output["at"] == "risky" and "no stock" in steps["handle"].output["why"]


def test_the_error_port_needs_on_error_route(api: Any) -> None:
    document = {
        "nodes": [
            node("start", "trigger.manual"),
            node("risky", "transform.map", fields={}),
            node("handle", "transform.map", fields={}),
        ],
        "edges": [edge("start", "risky"), edge("risky", "handle", "error")],
    }
    answer = api.post("/api/v1/flows/validate", {"graph": document}, format="json").json()
    assert any(p["field"] == "edges[1].sourcePort" for p in answer["problems"])


def test_runs_beyond_the_concurrency_limit_wait_in_the_queue(
    worker: None, alice: Any, http_sink: HttpSink, make_flow: Any
) -> None:
    # given a flow that may run once at a time, each run holding a worker for half a second
    for _ in range(4):
        http_sink.reply(200, json_body={}, delay=0.5)
    document = chain(
        node("start", "trigger.manual"), node("slow", "action.http", method="GET", url=http_sink.url("/slow"))
    )
    document["settings"] = {"max_concurrency": 1}
    flow = make_flow(document)
    services.version_approve(version=services.version_submit(flow=flow, user=alice), user=alice)
    # when four runs start at once
    runs = [services.run_start_live(flow=flow, kind="manual", payload={"n": n})[0] for n in range(4)]
    # then no two ran at the same time, and none was dropped
    overlaps = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses = list(Run.objects.filter(flow=flow).values_list("status", flat=True))
        overlaps = max(overlaps, statuses.count(RunStatus.RUNNING))
        if all(s == RunStatus.SUCCEEDED for s in statuses):
            break
        time.sleep(0.02)
    assert overlaps == 1
    done = [wait_for_run(r.pk) for r in runs]
    assert all(r.status == RunStatus.SUCCEEDED for r in done)
    spans = sorted((r.started_at, r.finished_at) for r in done)
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))


def test_a_failed_run_starts_the_error_flow(worker: None, alice: Any, make_flow: Any) -> None:
    # given a live error flow, and a flow that names it
    handler = make_flow(
        chain(
            node("failed", "trigger.manual"),
            node(
                "note",
                "transform.map",
                fields={"which": {"var": "trigger.run.id"}, "step": {"var": "trigger.failed_step.node"}},
            ),
        )
    )
    services.version_approve(version=services.version_submit(flow=handler, user=alice), user=alice)
    document = chain(
        node("start", "trigger.manual"), node("boom", "transform.map", fields={"x": {"throw": "x"}})
    )
    document["settings"] = {"error_flow": str(handler.pk)}
    failed = wait_for_run(services.run_test(flow=make_flow(document), user=alice, payload={}).pk)
    # then the error flow ran with the failed run as its input
    assert failed.status == RunStatus.FAILED
    deadline = time.monotonic() + 15
    while not Run.objects.filter(flow=handler).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    handled = wait_for_run(Run.objects.get(flow=handler).pk)
    assert handled.event.kind == TriggerEvent.Kind.ERROR_FLOW
    assert handled.output == {"which": str(failed.pk), "step": "boom"}


def test_decisions_and_finished_runs_are_published_as_platform_events(
    worker: None, alice: Any, api: Any, http_sink: HttpSink, make_flow: Any
) -> None:
    # given an endpoint subscribed to every platform event
    registered = api.post(
        "/api/v1/event-endpoints",
        {
            "url": http_sink.url("/events"),
            "description": "ops",
            "event_types": ["version.submitted", "version.approved", "run.failed", "run.succeeded"],
        },
        format="json",
    )
    assert registered.status_code == 201, registered.content
    # when a version is submitted and approved, and a live run fails
    flow = make_flow(
        chain(node("start", "trigger.manual"), node("boom", "transform.map", fields={"x": {"throw": "x"}}))
    )
    services.version_approve(version=services.version_submit(flow=flow, user=alice), user=alice)
    failed = wait_for_run(services.run_start_live(flow=flow, kind="manual", payload={})[0].pk)
    # then each arrives as a signed event with its data
    deadline = time.monotonic() + 20
    while len(http_sink.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    events = {r.json()["type"]: r.json()["data"] for r in http_sink.requests}
    assert events["version.submitted"]["number"] == 1
    assert events["version.approved"]["self_approved"] is True
    assert events["run.failed"]["id"] == str(failed.pk) and "x" in events["run.failed"]["error"]
    assert all("webhook-signature" in r.headers for r in http_sink.requests)
