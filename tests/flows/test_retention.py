"""Run retention: old finished runs go, with their steps and unreferenced trigger events; nothing else."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from flows.models import Flow, Run, RunStatus, StepRun, StepStatus, TriggerEvent
from flows.retention import runs_prune
from flows.scheduler import run_forever
from tests.support.flows import chain, node


@pytest.fixture
def flow(make_flow: Any) -> Flow:
    return make_flow(chain(node("go", "trigger.manual"), node("shape", "transform.map", fields={"n": 1})))


def stored_run(
    flow: Flow, status: str, *, days_ago: float, event: TriggerEvent | None = None, **fields: Any
) -> Run:
    """A run as the engine leaves it, finished (or last touched) `days_ago`, with its two steps."""
    at = timezone.now() - timedelta(days=days_ago)
    event = event or TriggerEvent.objects.create(flow=flow, kind="manual", payload={"n": 1})
    finished = status in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)
    run = Run.objects.create(flow=flow, event=event, status=status, correlation_id="c", **fields)
    Run.objects.filter(pk=run.pk).update(created_at=at, started_at=at, finished_at=at if finished else None)
    for position, name in enumerate(["go", "shape"]):
        StepRun.objects.create(
            run=run,
            node=name,
            node_type="transform.map",
            position=position,
            status=StepStatus.SUCCEEDED,
            started_at=at,
            finished_at=at,
        )
    return run


def start_loop(stop: threading.Event) -> threading.Thread:
    """The scheduler's periodic loop in a thread, which closes its database connection when it ends."""

    def loop() -> None:
        try:
            run_forever(stop)
        finally:
            connections.close_all()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def exists(run: Run) -> bool:
    return Run.objects.filter(pk=run.pk).exists()


def test_old_finished_runs_go_with_their_steps_and_events(flow: Flow) -> None:
    # given old runs in every state, and recent finished ones
    old = {status: stored_run(flow, status, days_ago=40) for status in RunStatus.values}
    recent = [stored_run(flow, status, days_ago=5) for status in ("succeeded", "failed", "cancelled")]

    # when runs older than 30 days are pruned
    pruned = runs_prune(older_than_days=30)

    # then the old finished ones are gone, steps and trigger events too
    finished = [old["succeeded"], old["failed"], old["cancelled"]]
    assert pruned == 3
    assert not any(exists(run) for run in finished)
    assert not StepRun.objects.filter(run_id__in=[run.pk for run in finished]).exists()
    assert not TriggerEvent.objects.filter(pk__in=[run.event_id for run in finished]).exists()
    # and runs still going are kept however old, as are the recent ones with their steps
    assert all(exists(old[status]) for status in ("queued", "running", "waiting"))
    assert all(exists(run) for run in recent)
    assert StepRun.objects.filter(run__in=recent).count() == 6
    assert TriggerEvent.objects.filter(pk__in=[run.event_id for run in recent]).count() == 3


def test_an_event_a_kept_replay_still_uses_stays(flow: Flow) -> None:
    # given an old failed run and a recent replay of it (which shares its trigger event)
    original = stored_run(flow, "failed", days_ago=40)
    replay = stored_run(flow, "succeeded", days_ago=1, event=original.event, replay_of=original)

    # when pruned
    assert runs_prune(older_than_days=30) == 1

    # then the original is gone; the replay, and the event it was started from, stay
    assert not exists(original)
    replay.refresh_from_db()
    assert replay.replay_of_id is None
    assert TriggerEvent.objects.filter(pk=original.event_id).exists()

    # and once the replay is old too, both go
    Run.objects.filter(pk=replay.pk).update(finished_at=timezone.now() - timedelta(days=31))
    assert runs_prune(older_than_days=30) == 1
    assert not TriggerEvent.objects.filter(pk=original.event_id).exists()


def test_pruning_goes_batch_by_batch_to_the_end(flow: Flow) -> None:
    for _ in range(7):
        stored_run(flow, "succeeded", days_ago=10)
    assert runs_prune(older_than_days=7, batch=3) == 7
    assert not Run.objects.exists() and not StepRun.objects.exists()
    assert runs_prune(older_than_days=7, batch=3) == 0


def test_the_cutoff_is_when_the_run_finished(flow: Flow) -> None:
    # given a run created long ago that finished only yesterday (it waited on a long delay)
    run = stored_run(flow, "succeeded", days_ago=1)
    Run.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=60))
    assert runs_prune(older_than_days=30) == 0
    assert exists(run)


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, -1])
def test_a_retention_under_a_day_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        runs_prune(older_than_days=days)


def test_the_scheduler_loop_prunes_when_retention_is_set(
    transactional_db: Any, settings: Any, alice: Any, make_flow: Any
) -> None:
    # given a retention of 30 days, an old finished run and a recent one
    settings.RUN_RETENTION_DAYS = 30
    flow = make_flow(chain(node("go", "trigger.manual"), node("shape", "transform.map", fields={"n": 1})))
    old = stored_run(flow, "failed", days_ago=31)
    recent = stored_run(flow, "failed", days_ago=29)

    # when the periodic loop runs
    stop = threading.Event()
    loop = start_loop(stop)
    try:
        deadline = time.monotonic() + 15
        while exists(old) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join(10)
        for thread in threading.enumerate():
            if thread.name == "switchboard-retention":
                thread.join(10)

    # then it pruned the old run at once, and kept the recent one
    assert not exists(old)
    assert exists(recent)


def test_without_retention_the_loop_keeps_everything(
    transactional_db: Any, settings: Any, alice: Any, make_flow: Any
) -> None:
    settings.RUN_RETENTION_DAYS = None
    flow = make_flow(chain(node("go", "trigger.manual"), node("shape", "transform.map", fields={"n": 1})))
    old = stored_run(flow, "succeeded", days_ago=3650)
    stop = threading.Event()
    loop = start_loop(stop)
    time.sleep(1.5)
    stop.set()
    loop.join(10)
    assert exists(old)
    assert not any(thread.name == "switchboard-retention" for thread in threading.enumerate())
