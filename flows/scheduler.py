"""The periodic loop: fires schedule triggers, queues due polls (`trigger.poll`, polled on workers),
re-sends runs the queue lost (the outbox sweeper) and, when `RUN_RETENTION_DAYS` is set, prunes old
finished runs once an hour.

Safe to run in several processes at once: a tick is stored as a trigger event whose idempotency key
names the tick, and the database refuses the second copy.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connections
from django.db.models import Q
from django.utils import timezone

from flows import graph as flow_graph
from flows.models import FlowVersion, Run, RunStatus, TriggerEvent, VersionState
from flows.polling import polls_enqueue
from flows.retention import runs_prune
from flows.services import run_start
from flows.tasks import enqueue_run
from hub.audit import audit_prune
from hub.events import event_deliveries_resend_stale
from hub.problems import Problem
from nodes.builtin.trigger.schedule import ScheduleConfig, latest_tick

log = logging.getLogger("switchboard.scheduler")
TICK_SECONDS = 1.0
PRUNE_INTERVAL_SECONDS = 3600.0


def schedules_fire(now: datetime | None = None) -> int:
    """Start a run for every live schedule whose latest tick has not run yet; returns how many started."""
    now = now or timezone.now()
    started = 0
    versions = FlowVersion.objects.filter(state=VersionState.APPROVED, flow__paused=False).select_related(
        "flow"
    )
    for version in versions:
        trigger = flow_graph.trigger_node(version.graph)
        if trigger is None or trigger["type"] != "trigger.schedule":
            continue
        tick = latest_tick(ScheduleConfig.model_validate(trigger.get("config", {})), now)
        live_since = version.decided_at or version.created_at
        if tick < live_since:
            continue  # only ticks from after the version went live; no backfill storm
        stamp = tick.isoformat()
        try:
            _, created = run_start(
                flow=version.flow,
                version=version,
                kind=TriggerEvent.Kind.SCHEDULE,
                payload={"scheduled_at": stamp},
                idempotency_key=f"schedule:{stamp}",
            )
        except Problem:
            continue  # another scheduler is storing this very tick
        started += int(created)
    return started


def runs_resend_stale(now: datetime | None = None, limit: int = 500) -> int:
    """Send again the runs the broker may have lost: long queued, overdue waiting, or with a lapsed lease."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.RUN_REQUEUE_AFTER_SECONDS)
    stale = (
        Run.objects.filter(
            Q(status=RunStatus.QUEUED, created_at__lt=now - grace)
            | Q(status=RunStatus.WAITING, resume_at__lt=now - grace)
            | Q(status=RunStatus.RUNNING, lease_expires_at__lt=now)
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    count = 0
    for run_id in stale:
        # Once per grace period per run, not on every sweep: a backlog must not flood the queue.
        if cache.add(f"resent:{run_id}", 1, timeout=settings.RUN_REQUEUE_AFTER_SECONDS):
            enqueue_run(run_id)
            count += 1
    if count:
        log.info("re-sent %d stale runs", count)
    return count


def _prune_in_background(days: int | None) -> threading.Thread:
    """Prune in a thread of its own: a first prune of a large backlog must not hold up schedule ticks."""

    def prune() -> None:
        try:
            if days:
                runs_prune(older_than_days=days)
            if settings.AUDIT_RETENTION_DAYS:  # the audit log's own retention, anchored (hub/audit.py)
                audit_prune(older_than_days=settings.AUDIT_RETENTION_DAYS)
        except Exception:
            log.exception("pruning old runs failed; trying again in an hour")
        finally:
            connections.close_all()  # this thread's own connection, which nothing else would close

    thread = threading.Thread(target=prune, name="switchboard-retention", daemon=True)
    thread.start()
    return thread


def run_forever(stop: threading.Event) -> None:
    """The loop `manage.py runscheduler` (and the embedded web process) runs until `stop` is set."""
    last_sweep = last_prune = 0.0
    pruning: threading.Thread | None = None
    while not stop.is_set():
        try:
            schedules_fire()
            polls_enqueue()  # only queues: the polls themselves run on workers
            loop_time = timezone.now().timestamp()
            if loop_time - last_sweep >= settings.SWEEP_INTERVAL_SECONDS:
                runs_resend_stale()
                event_deliveries_resend_stale()
                last_sweep = loop_time
            days = settings.RUN_RETENTION_DAYS
            idle = pruning is None or not pruning.is_alive()
            retaining = days or settings.AUDIT_RETENTION_DAYS
            if retaining and idle and loop_time - last_prune >= PRUNE_INTERVAL_SECONDS:
                last_prune = loop_time
                pruning = _prune_in_background(days)
        except Exception:
            log.exception("the scheduler loop failed; trying again")
        finally:
            close_old_connections()
        stop.wait(TICK_SECONDS)


def start_in_thread() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="switchboard-scheduler", daemon=True).start()
    return stop
