"""The Health API: failure patterns per flow and node from real runs, and the dead letters' bulk replay."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from flows.models import Run, StepRun
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run

PROBLEM = "application/problem+json"


def failing_when_asked() -> dict[str, Any]:
    """Fails at `shape` (deterministically, with "boom") when the payload says `fail`, else succeeds."""
    return chain(
        node("start", "trigger.manual"),
        node("shape", "transform.map", fields={"n": {"if": [{"var": "trigger.fail"}, {"throw": "boom"}, 1]}}),
        node("done", "transform.map", fields={"ok": True}),
    )


def live_flow(api: APIClient, name: str, document: dict[str, Any] | None = None) -> str:
    flow = api.post("/api/v1/flows", {"name": name, "graph": document or failing_when_asked()}, format="json")
    assert flow.status_code == 201, flow.content
    flow_id = flow.json()["id"]
    number = api.post(f"/api/v1/flows/{flow_id}/versions", {}, format="json").json()["number"]
    approved = api.post(f"/api/v1/flows/{flow_id}/versions/{number}/approve", {}, format="json")
    assert approved.status_code == 200, approved.content
    return flow_id


def start(api: APIClient, flow_id: str, **payload: Any) -> Run:
    response = api.post(f"/api/v1/flows/{flow_id}/runs", {"payload": payload}, format="json")
    assert response.status_code == 201, response.content
    return wait_for_run(response.json()["id"])


def failures(api: APIClient, query: str = "days=1&bucket=hour") -> dict[str, Any]:
    response = api.get(f"/api/v1/health/failures?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def flow_in(report: dict[str, Any], flow_id: str) -> dict[str, Any]:
    return next(flow for flow in report["flows"] if flow["id"] == flow_id)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


# --- failure patterns -----------------------------------------------------------------------------


def test_failures_are_counted_per_flow_and_node_with_the_top_errors(
    worker: None, api: APIClient, django_assert_max_num_queries: Any
) -> None:
    # given a live flow that failed twice at `shape` and succeeded once
    flow_id = live_flow(api, "Orders")
    first = start(api, flow_id, fail=True)
    start(api, flow_id)
    latest = start(api, flow_id, fail=True)
    assert first.status == latest.status == "failed"

    # when the last day's failure patterns are asked for, by the hour
    with django_assert_max_num_queries(8):  # a few aggregates, however many runs and steps
        report = failures(api, "days=1&bucket=hour")

    # then the flow's runs and each node's steps are counted, in the current hour's bucket
    assert report["days"] == 1 and report["bucket"] == "hour"
    flow = flow_in(report, flow_id)
    assert flow["name"] == "Orders"
    assert flow["runs"] == {"failed": 2, "succeeded": 1, "failure_rate": pytest.approx(2 / 3, abs=1e-3)}
    assert [(b["failed"], b["succeeded"]) for b in flow["buckets"]] == [(2, 1)]
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    assert flow["buckets"][0]["start"].replace("Z", "+00:00") == hour.isoformat()
    # the failing node comes first, with its error grouped and its latest failing run
    shape, *others = flow["nodes"]
    assert (shape["node"], shape["node_type"], shape["failed"], shape["succeeded"]) == (
        "shape",
        "transform.map",
        2,
        1,
    )
    assert [(b["failed"], b["succeeded"]) for b in shape["buckets"]] == [(2, 1)]
    [error] = shape["errors"]
    assert "boom" in error["message"] and error["count"] == 2
    assert error["latest_run"] == str(latest.pk)
    by_node = {n["node"]: (n["failed"], n["succeeded"], n["errors"]) for n in others}
    assert by_node == {"start": (0, 3, []), "done": (0, 1, [])}


def test_flows_come_most_failing_first_and_test_runs_only_when_asked(
    worker: None, api: APIClient, test_run: Any
) -> None:
    # given a healthy flow, a flow that always fails and a failed test run of a draft
    healthy = live_flow(api, "Healthy")
    broken = live_flow(api, "Broken")
    start(api, healthy)
    start(api, broken, fail=True)
    draft_run = test_run(failing_when_asked(), payload={"fail": True})
    assert draft_run.status == "failed"

    # when the failure patterns are read
    report = failures(api, "days=7&bucket=day")

    # then the failing flow comes first, and the draft's test run is left out
    assert [flow["id"] for flow in report["flows"]] == [broken, healthy]
    assert str(draft_run.flow_id) not in {flow["id"] for flow in report["flows"]}
    # unless test runs are asked for
    with_tests = failures(api, "days=7&bucket=day&include_tests=true")
    assert flow_in(with_tests, str(draft_run.flow_id))["runs"]["failed"] == 1


def test_day_buckets_split_failures_by_the_day_they_happened(worker: None, api: APIClient) -> None:
    # given two failed runs, one of which finished two days ago
    flow_id = live_flow(api, "Nightly")
    old = start(api, flow_id, fail=True)
    start(api, flow_id, fail=True)
    two_days_ago = timezone.now() - timedelta(days=2)
    Run.objects.filter(pk=old.pk).update(created_at=two_days_ago, finished_at=two_days_ago)
    StepRun.objects.filter(run=old).update(started_at=two_days_ago, finished_at=two_days_ago)

    # when a week is read by the day
    report = failures(api, "days=7&bucket=day")

    # then each failure is in its own day's bucket, oldest first
    flow = flow_in(report, flow_id)
    starts = [bucket["start"][:10] for bucket in flow["buckets"]]
    assert starts == [two_days_ago.date().isoformat(), timezone.now().date().isoformat()]
    assert [b["failed"] for b in flow["buckets"]] == [1, 1]
    assert report["since"][:10] == (timezone.now() - timedelta(days=6)).date().isoformat()
    # and one day's window no longer sees the old one
    assert flow_in(failures(api, "days=1&bucket=day"), flow_id)["runs"]["failed"] == 1


def test_steps_copied_by_a_replay_are_not_counted_twice(worker: None, api: APIClient) -> None:
    # given a failed run replayed from its failed step (which copies the trigger's succeeded step)
    flow_id = live_flow(api, "Orders")
    failed = start(api, flow_id, fail=True)
    response = api.post(f"/api/v1/runs/{failed.pk}/replay", {"from": "failed"}, format="json")
    wait_for_run(response.json()["id"])

    # when the failure patterns are read
    flow = flow_in(failures(api), flow_id)

    # then the trigger ran once; `shape` failed twice (once per run)
    nodes = {n["node"]: (n["failed"], n["succeeded"]) for n in flow["nodes"]}
    assert nodes == {"start": (0, 1), "shape": (2, 0)}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("days=0", ["days"]),
        ("days=91", ["days"]),
        ("days=seven", ["days"]),
        ("days=-3", ["days"]),
        ("days=%C2%B2", ["days"]),  # a superscript two is a digit to Python, not a number of days
        ("days=99999999999999999999", ["days"]),
        ("bucket=week", ["bucket"]),
        ("days=100&bucket=minute", ["days", "bucket"]),
    ],
)
def test_a_bad_window_is_refused_naming_the_field(api: APIClient, query: str, fields: list[str]) -> None:
    body = assert_problem(api.get(f"/api/v1/health/failures?{query}"), 400)
    assert [error["field"] for error in body["errors"]] == fields


@pytest.mark.django_db
def test_failures_need_a_signed_in_person() -> None:
    assert_problem(APIClient().get("/api/v1/health/failures"), 401)


# --- dead letters: bulk replay ---------------------------------------------------------------------


def test_several_failed_runs_are_replayed_at_once(worker: None, api: APIClient) -> None:
    # given three failed runs
    flow_id = live_flow(api, "Orders")
    failed = [start(api, flow_id, fail=True) for _ in range(3)]

    # when two are replayed from their failed step, in one call
    response = api.post(
        "/api/v1/runs/replay",
        {"runs": [str(failed[0].pk), str(failed[2].pk)], "from": "failed"},
        format="json",
    )

    # then each gets a new run, in the order asked, that replays it and reuses the trigger's output
    assert response.status_code == 201, response.content
    replays = response.json()["replays"]
    assert [r["of"] for r in replays] == [str(failed[0].pk), str(failed[2].pk)]
    for replay in replays:
        assert replay["run"]["replay_of"] == replay["of"]
        assert replay["run"]["flow"] == flow_id and replay["run"]["version"] == 1
        done = wait_for_run(replay["run"]["id"])
        assert done.status == "failed"  # the same input fails the same way
        assert done.steps.get(node="start").finished_at < done.created_at  # kept, not executed again

    # and from the start, every step runs again
    again = api.post("/api/v1/runs/replay", {"runs": [str(failed[1].pk)], "from": "start"}, format="json")
    assert again.status_code == 201, again.content
    rerun = wait_for_run(again.json()["replays"][0]["run"]["id"])
    assert rerun.steps.get(node="start").finished_at > rerun.created_at


def test_unknown_or_unfinished_runs_are_named_and_nothing_is_replayed(worker: None, api: APIClient) -> None:
    # given a failed run, and a run still waiting on a delay
    flow_id = live_flow(api, "Orders")
    failed = start(api, flow_id, fail=True)
    slow = live_flow(
        api, "Slow", chain(node("go", "trigger.manual"), node("wait", "transform.delay", seconds=60))
    )
    waiting = api.post(f"/api/v1/flows/{slow}/runs", {"payload": {}}, format="json").json()
    wait_for_run(waiting["id"], statuses=("waiting",))
    before = Run.objects.count()
    unknown = str(uuid.uuid4())

    # when an unknown id is among them, then the problem names it (and the unfinished one too)
    body = assert_problem(
        api.post("/api/v1/runs/replay", {"runs": [str(failed.pk), unknown, waiting["id"]]}, format="json"),
        400,
    )
    assert [(e["field"], unknown in e["message"]) for e in body["errors"]] == [
        ("runs[1]", True),
        ("runs[2]", False),
    ]
    assert waiting["id"] in body["errors"][1]["message"]

    # when all exist but one is still going, then it is a conflict naming that one
    body = assert_problem(
        api.post("/api/v1/runs/replay", {"runs": [str(failed.pk), waiting["id"]]}, format="json"), 409
    )
    assert [e["field"] for e in body["errors"]] == ["runs[1]"]

    # and nothing was replayed
    assert Run.objects.count() == before
    api.post(f"/api/v1/runs/{waiting['id']}/cancel")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"runs": []}, "runs"),
        ({}, "runs"),
        ({"runs": [str(uuid.uuid4()) for _ in range(101)]}, "runs"),
        ({"runs": ["not-a-uuid"]}, "runs.0"),
        ({"runs": [str(uuid.uuid4())], "from": "middle"}, "from"),
    ],
)
def test_a_bad_bulk_replay_is_refused_naming_the_field(
    api: APIClient, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(api.post("/api/v1/runs/replay", body, format="json"), 400)
    assert field in [error["field"] for error in problem["errors"]]


def test_the_openapi_document_describes_the_health_endpoints(client: Any, db: Any) -> None:
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "get" in paths["/api/v1/health/failures"]
    assert "201" in paths["/api/v1/runs/replay"]["post"]["responses"]
