"""Schedule triggers: a tick fires once, even with two schedulers at once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import Any

from django.utils import timezone

from flows import services
from flows.models import Run, TriggerEvent
from flows.scheduler import schedules_fire
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run
from tests.support.workers import ROOT, process_env


def scheduled_flow(alice: Any, cron: str = "* * * * *", tz: str = "UTC") -> Any:
    document = chain(
        node("tick", "trigger.schedule", cron=cron, timezone=tz),
        node("note", "transform.map", fields={"at": "{{ trigger.scheduled_at }}"}),
    )
    flow = services.flow_create(user=alice, name="Every minute", graph=document)
    version = services.version_submit(flow=flow, user=alice)
    services.version_approve(version=version, user=alice)
    # As if approved two minutes ago, so the latest tick falls after it went live.
    version.__class__.objects.filter(pk=version.pk).update(decided_at=timezone.now() - timedelta(minutes=2))
    return flow


def test_the_latest_tick_starts_one_run_with_its_time(worker: None, alice: Any) -> None:
    flow = scheduled_flow(alice)
    now = timezone.now()
    assert schedules_fire(now) == 1
    assert schedules_fire(now) == 0  # the same tick again starts nothing
    run = wait_for_run(Run.objects.get(flow=flow).pk)
    expected = now.replace(second=0, microsecond=0).isoformat()
    assert run.output == {"at": expected}


def test_ticks_from_before_going_live_never_fire(worker: None, alice: Any) -> None:
    flow = scheduled_flow(alice, cron="0 3 * * *")  # 03:00 daily: the latest tick is hours ago, or today
    version = flow.versions.get()
    version.__class__.objects.filter(pk=version.pk).update(decided_at=timezone.now())
    assert schedules_fire() == 0


def test_paused_flows_do_not_fire(worker: None, alice: Any) -> None:
    flow = scheduled_flow(alice)
    services.flow_set_paused(flow=flow, user=alice, paused=True)
    assert schedules_fire() == 0


def test_two_schedulers_at_once_fire_a_tick_once(worker: None, alice: Any) -> None:
    flow = scheduled_flow(alice)
    now = timezone.now()
    barrier = threading.Barrier(4)
    results: list[int] = []

    def fire() -> None:
        barrier.wait()
        results.append(schedules_fire(now))

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 1
    assert TriggerEvent.objects.filter(flow=flow, kind="schedule").count() == 1


def test_runscheduler_processes_fire_and_stop_cleanly(worker: None, alice: Any, settings: Any) -> None:
    # given a live every-minute schedule, when two `runscheduler` processes run side by side
    flow = scheduled_flow(alice)
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runscheduler"],
            cwd=ROOT,
            env=process_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 20
        while not Run.objects.filter(flow=flow).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # both have looped at least once more
    finally:
        for proc in procs:
            proc.terminate()
        outputs = [proc.communicate(timeout=15)[0] for proc in procs]
    # then exactly one run started for the tick, and both stopped on SIGTERM
    assert TriggerEvent.objects.filter(flow=flow, kind="schedule").count() == 1
    assert all("Scheduler stopped." in out for out in outputs), outputs
    if not settings.EMBEDDED:  # with a real broker the run reaches the worker processes
        assert wait_for_run(Run.objects.get(flow=flow).pk).status == "succeeded"
