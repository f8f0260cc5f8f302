"""`transform.loop` in real flows on real workers: the body runs per item, concurrently, with its own
idempotency keys, routing and failures, and a resumed loop never repeats the items already done."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from flows import services
from flows.engine import run_execute
from flows.graph import validate
from flows.models import Run, RunStatus, StepStatus
from tests.flows.conftest import steps_of
from tests.support.flows import edge, node
from tests.support.runs import wait_for_run
from tests.support.sink import HttpSink

RunFlow = Callable[..., Run]
ORDERS = [{"n": n, "country": c} for n, c in [(1, "NL"), (2, "BE"), (3, "NL"), (4, "DE"), (5, "NL")]]


def loop_flow(*body: dict[str, Any], loop: dict[str, Any] | None = None, after: Any = ()) -> dict[str, Any]:
    """trigger → loop, the loop's `each` port → the body nodes in a chain; `after` hangs off `done`."""
    loop_node = loop or node("each", "transform.loop", items={"var": "trigger.orders"})
    edges = [edge("start", loop_node["id"]), edge(loop_node["id"], body[0]["id"], "each")]
    edges += [edge(a["id"], b["id"]) for a, b in itertools.pairwise(body)]
    edges += [edge(loop_node["id"], a["id"], "done") for a in after]
    return {
        "schema": "switchboard.flow/v1",
        "name": "Loop",
        "nodes": [node("start", "trigger.manual"), loop_node, *body, *after],
        "edges": edges,
    }


def post(url: str, **config: Any) -> dict[str, Any]:
    return node("post", "action.http", method="POST", url=url, json={"n": {"var": "loop.item.n"}}, **config)


def test_a_loop_calls_a_receiver_per_item_concurrently_and_collects_the_results_in_order(
    worker: None, test_run: RunFlow, http_sink: HttpSink
) -> None:
    # given a loop over 5 orders, 3 at once, posting each and then shaping the answer
    for _ in range(5):
        http_sink.reply(json_body={"ok": True}, delay=0.5)
    document = loop_flow(
        post(http_sink.url("/orders")),
        node(
            "shape", "transform.map", fields={"n": {"var": "loop.item.n"}, "status": {"var": "input.status"}}
        ),
        loop=node("each", "transform.loop", items={"var": "trigger.orders"}, concurrency=3),
    )
    # when it runs
    run = test_run(document, {"orders": ORDERS})
    # then every order was delivered once, each with its own idempotency key
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert sorted(r.json()["n"] for r in http_sink.requests) == [1, 2, 3, 4, 5]
    keys = {r.headers["idempotency-key"] for r in http_sink.requests}
    assert keys == {f"{run.pk}:post:{i}" for i in range(5)}
    # and the loop's output holds one result per item, in the items' order
    steps = steps_of(run)
    assert steps["each"].port == "done"
    assert steps["each"].output == {
        "items": [{"n": n, "status": 200} for n in range(1, 6)],
        "count": 5,
        "failed": [],
    }
    assert run.output == steps["each"].output
    # and each body node is one step whose output is its per-item outputs
    assert steps["post"].status == StepStatus.SUCCEEDED
    assert [o["status"] for o in steps["post"].output] == [200] * 5
    assert steps["shape"].input == steps["post"].output
    # and the items overlapped: one at a time, 5 half-second answers would take 2.5 s
    loop = steps["each"]
    assert loop.started_at and loop.finished_at
    assert (loop.finished_at - loop.started_at).total_seconds() < 2.2


def test_a_filter_inside_the_body_leaves_a_null_result_for_the_items_it_stops(
    worker: None, test_run: RunFlow
) -> None:
    # given a loop whose body keeps only orders from NL, then shapes them
    document = loop_flow(
        node("nl", "transform.filter", condition={"==": [{"var": "input.country"}, "NL"]}),
        node("shape", "transform.map", fields={"n": {"var": "input.n"}, "of": {"var": "loop.count"}}),
    )
    # when it runs
    run = test_run(document, {"orders": ORDERS})
    # then the stopped items have no result; the others went through the whole body
    assert run.status == RunStatus.SUCCEEDED, run.error
    steps = steps_of(run)
    assert steps["each"].output["items"] == [
        {"n": 1, "of": 5},
        None,
        {"n": 3, "of": 5},
        None,
        {"n": 5, "of": 5},
    ]
    assert steps["shape"].input == [ORDERS[0], None, ORDERS[2], None, ORDERS[4]]


def test_a_branch_inside_the_body_gives_an_object_of_its_last_steps(worker: None, test_run: RunFlow) -> None:
    # given a body that branches into two last steps
    document = loop_flow(
        node("big", "transform.branch", condition={">": [{"var": "loop.item.n"}, 3]}),
        loop=node("each", "transform.loop", items=[{"n": 1}, {"n": 4}]),
    )
    document["nodes"] += [node("yes", "transform.map", fields={"big": True})]
    document["nodes"] += [node("no", "transform.map", fields={"big": False})]
    document["edges"] += [edge("big", "yes", "true"), edge("big", "no", "false")]
    # when it runs
    run = test_run(document, {})
    # then each item's result names the last steps, the one not taken being null
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert steps_of(run)["each"].output["items"] == [
        {"yes": None, "no": {"big": False}},
        {"yes": {"big": True}, "no": None},
    ]


def failing_at_item_3(http_sink: HttpSink, **loop_config: Any) -> dict[str, Any]:
    for _ in range(3):
        http_sink.reply(json_body={"ok": True})
    http_sink.reply(503, text="down for a moment")
    return loop_flow(
        post(http_sink.url("/orders"), retry={"max_attempts": 1}),
        loop=node("each", "transform.loop", items={"var": "trigger.orders"}, **loop_config),
        after=[node("total", "transform.map", fields={"count": {"var": "input.count"}})],
    )


def test_a_failing_item_fails_the_loop_and_keeps_what_succeeded(
    worker: None, test_run: RunFlow, http_sink: HttpSink
) -> None:
    # given a receiver that fails the 4th order (item 3), one order at a time
    document = failing_at_item_3(http_sink)
    # when the flow runs
    run = test_run(document, {"orders": ORDERS})
    # then the run fails naming the item and the body step
    assert run.status == RunStatus.FAILED
    assert "item 3: step 'post' failed: " in run.error and "503" in run.error
    steps = steps_of(run)
    # and the loop step keeps the results of the items before it; the item after never ran
    assert [r.json()["n"] for r in http_sink.requests] == [1, 2, 3, 4]
    loop = steps["each"]
    assert loop.status == StepStatus.FAILED
    assert [i["status"] if i else None for i in loop.output["items"]] == [200, 200, 200, None, None]
    assert loop.output["failed"][0]["index"] == 3 and loop.output["failed"][0]["node"] == "post"
    assert steps["post"].status == StepStatus.FAILED
    assert "item 3: " in steps["post"].error
    # and what follows the loop did not run
    assert "total" not in steps or steps["total"].status == StepStatus.SKIPPED


def test_a_loop_taken_over_after_a_crash_runs_only_the_items_not_done(
    worker: None, alice: Any, make_flow: Any, http_sink: HttpSink
) -> None:
    # given a loop whose step has checkpointed items 0-2 (then the receiver failed item 3)
    flow = make_flow(failing_at_item_3(http_sink))
    run = wait_for_run(services.run_test(flow=flow, user=alice, payload={"orders": ORDERS}).pk)
    assert len(http_sink.requests) == 4
    # and the worker is as one that died mid-loop: the run still running with a lapsed lease
    run.steps.filter(node="each").update(status=StepStatus.RUNNING, finished_at=None)
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1), finished_at=None
    )
    # when another worker takes the run over and walks it again
    run_execute(str(run.pk))
    # then only items 3 and 4 were sent again: nothing done is delivered twice
    done = wait_for_run(run.pk)
    assert done.status == RunStatus.SUCCEEDED, done.error
    again = http_sink.requests[4:]
    assert [r.json()["n"] for r in again] == [4, 5]
    assert [r.headers["idempotency-key"] for r in again] == [f"{run.pk}:post:3", f"{run.pk}:post:4"]
    steps = steps_of(done)
    assert [i["status"] for i in steps["each"].output["items"]] == [200] * 5
    assert steps["each"].output["failed"] == []
    assert steps["total"].output == {"count": 5}
    assert steps["post"].status == StepStatus.SUCCEEDED


def test_a_retried_loop_does_not_repeat_the_items_that_succeeded(
    worker: None, test_run: RunFlow, http_sink: HttpSink
) -> None:
    # given a loop retried once when it fails, and a receiver that fails item 3 once
    document = failing_at_item_3(http_sink, retry={"max_attempts": 2, "base_seconds": 0})
    # when it runs
    run = test_run(document, {"orders": ORDERS})
    # then the second attempt sent only the items not yet done, and the run succeeded
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert [r.json()["n"] for r in http_sink.requests] == [1, 2, 3, 4, 4, 5]
    assert steps_of(run)["each"].attempts == 2


def test_on_error_route_on_the_loop_carries_the_partial_results(
    worker: None, test_run: RunFlow, http_sink: HttpSink
) -> None:
    # given a loop whose failure is routed to a handler
    document = failing_at_item_3(http_sink, on_error="route")
    document["nodes"].append(node("handle", "transform.map", fields={"why": {"var": "input.error"}}))
    document["edges"].append(edge("each", "handle", "error"))
    # when it runs
    run = test_run(document, {"orders": ORDERS})
    # then the run goes on through the handler with the error and the items that succeeded
    assert run.status == RunStatus.SUCCEEDED, run.error
    steps = steps_of(run)
    assert steps["handle"].output["why"].startswith("item 3: step 'post' failed")
    assert len([i for i in steps["each"].output["output"]["items"] if i]) == 3
    assert steps["total"].status == StepStatus.SKIPPED


def test_a_list_that_is_not_a_list_or_too_long_fails_the_loop(worker: None, test_run: RunFlow) -> None:
    body = node("shape", "transform.map", fields={"x": 1})
    not_a_list = test_run(loop_flow(body), {"orders": {"n": 1}})
    too_long = test_run(
        loop_flow(body, loop=node("each", "transform.loop", items={"var": "trigger.orders"}, max_items=2)),
        {"orders": ORDERS},
    )
    assert not_a_list.status == RunStatus.FAILED and "must evaluate to a list; it is dict" in not_a_list.error
    assert too_long.status == RunStatus.FAILED and "has 5 items; this loop takes at most 2" in too_long.error


def test_an_empty_list_gives_an_empty_result_and_skips_the_body(worker: None, test_run: RunFlow) -> None:
    run = test_run(loop_flow(node("shape", "transform.map", fields={"x": 1})), {"orders": []})
    assert run.status == RunStatus.SUCCEEDED, run.error
    steps = steps_of(run)
    assert steps["each"].output == {"items": [], "count": 0, "failed": []}
    assert steps["shape"].status == StepStatus.SKIPPED


def test_aggregate_sums_a_loops_results_per_group(worker: None, test_run: RunFlow) -> None:
    # given a loop doubling each order's number, and an aggregate of the results by country
    document = loop_flow(
        node(
            "double",
            "transform.map",
            fields={"country": "{{ loop.item.country }}", "v": {"*": [{"var": "loop.item.n"}, 2]}},
        ),
        after=[
            node(
                "sum",
                "transform.aggregate",
                items={"var": "input.items"},
                group_by="country",
                fields={"total": {"op": "sum", "path": "v"}, "orders": {"op": "count"}},
            )
        ],
    )
    # when it runs
    run = test_run(document, {"orders": ORDERS})
    # then the aggregate totals the loop's results per country
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert steps_of(run)["sum"].output == {
        "groups": [
            {"key": "NL", "total": 18, "orders": 3},
            {"key": "BE", "total": 4, "orders": 1},
            {"key": "DE", "total": 8, "orders": 1},
        ],
        "count": 3,
    }


# --- the graph check ---------------------------------------------------------------------------------


def loop_problems(document: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(p.node, p.message) for p in validate(document)]


def test_a_self_contained_body_is_valid() -> None:
    document = loop_flow(
        node("shape", "transform.map", fields={"x": 1}),
        after=[node("total", "transform.map", fields={"n": {"var": "input.count"}})],
    )
    assert loop_problems(document) == []


def test_a_loop_with_nothing_on_its_each_port_is_refused() -> None:
    document = loop_flow(node("shape", "transform.map", fields={"x": 1}))
    document["edges"] = [edge("start", "each"), edge("each", "shape", "done")]
    ((where, message),) = loop_problems(document)
    assert where == "each" and "Nothing is connected to the 'each' port" in message


def test_a_body_node_also_reached_from_outside_is_refused() -> None:
    # given a body node that the trigger also leads to directly
    document = loop_flow(node("shape", "transform.map", fields={"x": 1}))
    document["edges"].append(edge("start", "shape"))
    ((where, message),) = loop_problems(document)
    assert where == "shape" and "also reached from 'start', outside it" in message


def test_a_body_that_leads_back_out_to_the_steps_after_the_loop_is_refused() -> None:
    # given a body step wired into a step that follows the loop's done port
    document = loop_flow(
        node("shape", "transform.map", fields={"x": 1}),
        after=[node("total", "transform.map", fields={"n": 1})],
    )
    document["edges"].append(edge("shape", "total"))
    ((where, message),) = loop_problems(document)
    assert where == "total" and "cannot lead back out" in message


def test_waiting_nodes_emits_and_nested_loops_are_refused_in_a_body() -> None:
    document = loop_flow(
        node("pause", "transform.delay", seconds=5),
        node("tell", "action.emit", event="order.seen", payload={"var": "loop.item"}),
        node("inner", "transform.loop", items=[1]),
        node("shape", "transform.map", fields={"x": 1}),
    )
    document["edges"] = [e for e in document["edges"] if e["source"] != "inner"]
    document["edges"].append(edge("inner", "shape", "each"))
    found = dict(loop_problems(document))
    assert "waits, which a loop's body cannot" in found["pause"]
    assert "cannot be inside a loop's body yet" in found["tell"]
    assert "loops inside loops are not supported yet" in found["inner"]


def test_a_sensitive_body_step_masks_the_loop_that_carries_its_data(
    worker: None, test_run: RunFlow, api: Any, carol_api: Any
) -> None:
    # given a loop whose body has a sensitive step reading each item's IBAN
    document = loop_flow(
        node("iban", "transform.map", fields={"iban": "{{ loop.item.iban }}"}),
        node("count", "transform.map", fields={"seen": True}),
        after=[node("total", "transform.map", fields={"n": {"var": "input.count"}})],
    )
    document["nodes"][2]["sensitive"] = True
    run = test_run(document, {"orders": [{"iban": "NL91ABNA0417164300"}]})
    assert run.status == RunStatus.SUCCEEDED, run.error
    # when a builder reads the run
    seen = {s["node"]: s for s in carol_api.get(f"/api/v1/runs/{run.pk}").json()["steps"]}
    # then the sensitive step, the loop (whose output holds the body's data) and the step it feeds
    # are masked; the other body step is not
    assert (
        seen["iban"]["masked"]
        and seen["each"]["masked"]
        and seen["total"]["input"]
        == {
            "items": "••••",
            "count": "••••",
            "failed": "••••",
        }
    )
    assert seen["count"]["output"] == [{"seen": True}]
    # (the trigger's own data, which the loop reads, is not a sensitive step's)
    shown = [seen["iban"], seen["count"], seen["each"]["output"], seen["total"]]
    assert "NL91ABNA" not in json.dumps(shown)
    # and an admin sees it all
    full = {s["node"]: s for s in api.get(f"/api/v1/runs/{run.pk}").json()["steps"]}
    assert full["iban"]["output"] == [{"iban": "NL91ABNA0417164300"}]


def test_replaying_a_failed_loop_from_the_failed_step_reruns_it_with_the_same_keys(
    worker: None, alice: Any, make_flow: Any, http_sink: HttpSink
) -> None:
    # given a run whose loop failed at item 3
    flow = make_flow(failing_at_item_3(http_sink))
    failed = wait_for_run(services.run_test(flow=flow, user=alice, payload={"orders": ORDERS}).pk)
    # when it is replayed from the failed step
    replay = wait_for_run(services.run_replay(run=failed, user=alice, mode="failed").pk)
    # then the loop ran again and succeeded, its deliveries keyed as the first run's
    assert replay.status == RunStatus.SUCCEEDED, replay.error
    again = http_sink.requests[4:]
    assert {r.headers["idempotency-key"] for r in again} == {f"{failed.pk}:post:{i}" for i in range(5)}
    assert steps_of(replay)["total"].output == {"count": 5}


def test_cancelling_a_run_stops_its_loop_from_starting_more_items(
    worker: None, alice: Any, make_flow: Any, http_sink: HttpSink
) -> None:
    # given a loop over 5 slow deliveries, one at a time
    for _ in range(5):
        http_sink.reply(json_body={"ok": True}, delay=0.7)
    flow = make_flow(loop_flow(post(http_sink.url("/orders"))))
    run = services.run_test(flow=flow, user=alice, payload={"orders": ORDERS})
    wait_for_run(run.pk, statuses=(RunStatus.RUNNING,))
    deadline = time.monotonic() + 10
    while not http_sink.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    # when it is cancelled while the first item is being delivered
    services.run_cancel(run=Run.objects.get(pk=run.pk), user=alice)
    time.sleep(2.0)
    # then the loop started at most one more item, and the run stays cancelled
    assert len(http_sink.requests) <= 2
    assert Run.objects.get(pk=run.pk).status == RunStatus.CANCELLED
