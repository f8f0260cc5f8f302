"""Run retention: finished runs older than `RUN_RETENTION_DAYS` are pruned, with their steps and the
trigger events no run refers to anymore. The scheduler calls `runs_prune` once an hour."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from flows.models import FINISHED, Run, TriggerEvent

log = logging.getLogger("switchboard.retention")


def runs_prune(*, older_than_days: int, batch: int = 500, now: datetime | None = None) -> int:
    """Delete finished runs (succeeded, failed, cancelled) that finished before the cutoff; returns how many.

    Runs that are queued, running or waiting are never touched, however old. Each batch is its own
    transaction, so the database is never locked for long and a crash loses no more than a batch.
    A deleted trigger event takes its idempotency key with it: a delivery repeated after the retention
    period starts a new run.
    """
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    # A finished run always has finished_at; created_at covers rows that somehow lack it.
    old = Q(status__in=FINISHED) & (
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    pruned = 0
    while True:
        with transaction.atomic():
            rows = list(Run.objects.filter(old).order_by("created_at").values_list("id", "event_id")[:batch])
            if not rows:
                break
            # The filter again: a run is deleted only if it is still finished and old now.
            deleted = Run.objects.filter(old, pk__in=[run_id for run_id, _ in rows]).delete()[1]
            pruned += deleted.get(Run._meta.label, 0)
            # Replays share their original's event; an event goes only once no run is left on it.
            TriggerEvent.objects.filter(pk__in={event_id for _, event_id in rows}, runs__isnull=True).delete()
        if len(rows) < batch:
            break
    if pruned:
        log.info("pruned %d runs that finished before %s", pruned, cutoff.isoformat())
    return pruned
