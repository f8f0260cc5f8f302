"""`trigger.poll` against a real local endpoint whose reply changes: one run per new item, none for
items seen, safe when the poll runs twice, `start: new` vs `all`, failures kept and shown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from flows import services
from flows.models import Flow, PollSeen, PollState, Run, RunStatus
from flows.polling import poll_run, polls_enqueue
from tests.conftest import person
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.local_server import Answer, LocalServer
from tests.support.runs import wait_for_run


class Feed(LocalServer):
    """An endpoint listing `items` under `data`; `status` other than 200 makes it fail."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Any] = []
        self.status = 200
        self.requests: list[str] = []

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, client_port: int
    ) -> Answer:
        self.requests.append(path)
        payload = {"data": self.items} if self.status == 200 else {"error": "down"}
        return Answer(self.status, json.dumps(payload).encode(), {"Content-Type": "application/json"})


@pytest.fixture
def feed() -> Iterator[Feed]:
    with Feed() as server:
        yield server


@pytest.fixture
def root(db: Any) -> Any:
    return person("root", "admin")


def polling_flow(alice: Any, root: Any, feed: Feed, **config: Any) -> Flow:
    document = chain(
        node(
            "poll",
            "trigger.poll",
            url=feed.url("/orders"),
            query={"status": "open"},
            items_path="data",
            **config,
        ),
        node("got", "transform.map", fields={"id": "{{ trigger.id }}"}),
    )
    flow = services.flow_create(user=alice, name="Orders", graph=document)
    services.version_approve(version=services.version_submit(flow=flow, user=alice), user=root)
    return flow


def finished_runs(flow: Flow, count: int) -> list[Run]:
    deadline = time.monotonic() + 15
    while Run.objects.filter(flow=flow).count() < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return [wait_for_run(run.pk) for run in Run.objects.filter(flow=flow).order_by("created_at")]


def test_start_new_remembers_what_exists_then_runs_each_new_item_once(
    worker: None, alice: Any, root: Any, feed: Feed
) -> None:
    # given a flow polling an endpoint that lists two orders already
    flow = polling_flow(alice, root, feed, id_path="id", start="new")
    feed.items = [{"id": 1}, {"id": 2}]
    # when it polls the first time, it only remembers them
    assert poll_run(str(flow.pk)) == {"items": 2, "started": 0}
    assert feed.requests == ["/orders?status=open"]
    # when a third order appears, one run starts, with the item as the trigger's output
    feed.items = [{"id": 1}, {"id": 2}, {"id": 3, "total": 9}]
    assert poll_run(str(flow.pk)) == {"items": 3, "started": 1}
    [run] = finished_runs(flow, 1)
    assert run.status == RunStatus.SUCCEEDED and run.event.kind == "poll"
    assert steps_of(run)["poll"].output == {"id": 3, "total": 9} and steps_of(run)["got"].output == {"id": 3}
    # and polling again (the actor delivered twice) starts nothing more
    assert poll_run(str(flow.pk)) == {"items": 3, "started": 0}
    # even when the key of an item that started a run was lost, its idempotency key starts no second run
    PollSeen.objects.filter(flow=flow, key="3").delete()
    assert poll_run(str(flow.pk))["started"] == 0
    assert Run.objects.filter(flow=flow).count() == 1


def test_start_all_runs_every_existing_item(worker: None, alice: Any, root: Any, feed: Feed) -> None:
    flow = polling_flow(alice, root, feed, id_path="id", start="all")
    feed.items = [{"id": "a"}, {"id": "b"}, {"id": "a"}]  # a key repeated in one reply counts once
    assert poll_run(str(flow.pk)) == {"items": 2, "started": 2}
    runs = finished_runs(flow, 2)
    assert sorted(steps_of(run)["got"].output["id"] for run in runs) == ["a", "b"]
    assert poll_run(str(flow.pk))["started"] == 0


def test_without_an_id_path_a_changed_item_is_a_new_one(
    worker: None, alice: Any, root: Any, feed: Feed
) -> None:
    flow = polling_flow(alice, root, feed, id_path="", start="new")
    feed.items = [{"id": 1, "state": "open"}]
    poll_run(str(flow.pk))
    feed.items = [{"id": 1, "state": "paid"}]
    assert poll_run(str(flow.pk))["started"] == 1
    [run] = finished_runs(flow, 1)
    assert steps_of(run)["poll"].output == {"id": 1, "state": "paid"}


def test_the_scheduler_queues_a_due_poll_once_and_a_worker_polls(
    worker: None, alice: Any, root: Any, feed: Feed
) -> None:
    flow = polling_flow(alice, root, feed, id_path="id", start="all", interval_seconds=60)
    feed.items = [{"id": 1}]
    # two schedulers ticking at the same moment queue the poll once
    now = timezone.now()
    assert polls_enqueue(now) == 1
    assert polls_enqueue(now) == 0
    [run] = finished_runs(flow, 1)
    assert run.status == RunStatus.SUCCEEDED
    state = PollState.objects.get(flow=flow)
    assert state.last_status == "ok" and state.next_poll_at >= now + timedelta(seconds=60)
    # the next poll is due only after the interval
    assert polls_enqueue(now + timedelta(seconds=30)) == 0
    assert polls_enqueue(now + timedelta(seconds=61)) == 1


def test_a_failing_poll_is_kept_and_shown_on_the_flow(
    worker: None, alice: Any, root: Any, feed: Feed, api: APIClient
) -> None:
    flow = polling_flow(alice, root, feed, id_path="id", start="all")
    feed.status = 503
    result = poll_run(str(flow.pk))
    assert result["started"] == 0 and "503" in result["error"]
    shown = api.get(f"/api/v1/flows/{flow.pk}").json()["poll"]
    assert shown["status"] == "failed" and "503" in shown["error"] and shown["last_polled_at"]
    # an endpoint whose reply has no list where items_path points fails too, saying so
    feed.status, feed.items = 200, {"not": "a list"}  # type: ignore[assignment]
    assert "no list at `data`" in poll_run(str(flow.pk))["error"]
    # and once it answers again, the status is ok
    feed.items = []
    poll_run(str(flow.pk))
    assert api.get(f"/api/v1/flows/{flow.pk}").json()["poll"]["status"] == "ok"


def test_a_poll_to_a_refused_address_fails_by_the_egress_guard(
    worker: None, alice: Any, root: Any, feed: Feed, settings: Any
) -> None:
    flow = polling_flow(alice, root, feed, id_path="id", start="all")
    settings.EGRESS_ALLOW = []
    assert "127.0.0.1" in poll_run(str(flow.pk))["error"]
    assert feed.requests == []


def test_what_a_flow_remembers_is_bounded(
    worker: None, alice: Any, root: Any, feed: Feed, settings: Any
) -> None:
    settings.POLL_SEEN_LIMIT = 3
    flow = polling_flow(alice, root, feed, id_path="id", start="new")
    feed.items = [{"id": n} for n in range(5)]
    poll_run(str(flow.pk))
    assert PollSeen.objects.filter(flow=flow).count() == 3
