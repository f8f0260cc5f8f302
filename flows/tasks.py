"""Dramatiq actors of the flows app, and the one helper that queues a run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dramatiq
from django.db import transaction
from django.utils import timezone

RUN_QUEUE = "runs"


@dramatiq.actor(queue_name=RUN_QUEUE, max_retries=0, time_limit=60 * 60 * 1000)
def execute_run(run_id: str) -> None:
    """Execute (or go on with) one run. Idempotent: a run another worker holds is left alone."""
    from flows.engine import run_execute

    run_execute(run_id)


NOTIFY_QUEUE = "notifications"


@dramatiq.actor(queue_name=NOTIFY_QUEUE, max_retries=0, time_limit=2 * 60 * 1000)
def notify_version_submitted(version_id: int) -> dict[str, Any]:
    """Tell the people who may decide on a version that it waits for them (e-mail, chat). Runs after
    the submission committed, so a slow mail server or chat never holds the submit up; tells once."""
    from flows.notifications import version_submitted_notify

    return version_submitted_notify(version_id)


# A wait longer than this is not handed to the broker. Workers hold delayed messages in memory with a
# bounded prefetch, so enough days-long waits (approvals, long delays) would crowd out every short one.
# The run row's `resume_at` keeps the long wait, and the sweeper wakes the run once it is due, at most
# RUN_REQUEUE_AFTER_SECONDS late — nothing for a wait of this length.
MAX_BROKER_DELAY = timedelta(minutes=15)


def enqueue_run(run_id: Any, *, at: datetime | None = None) -> None:
    """Send the run to the workers once the current transaction commits (at once outside one); a run
    due later than MAX_BROKER_DELAY is left to the sweeper."""
    delay_ms = None
    if at is not None:
        if at - timezone.now() > MAX_BROKER_DELAY:
            return
        # Round up so the message never arrives before the run may go on.
        delay_ms = max(0, int((at - timezone.now()).total_seconds() * 1000) + 5)

    def send() -> None:
        if delay_ms:
            execute_run.send_with_options(args=(str(run_id),), delay=delay_ms)
        else:
            execute_run.send(str(run_id))

    # robust: a broker that is down must not turn a stored run into an error answer; the run row is
    # the outbox, and the sweeper sends it once the broker is back.
    transaction.on_commit(send, robust=True)


@dramatiq.actor(queue_name=NOTIFY_QUEUE, max_retries=0, time_limit=2 * 60 * 1000)
def notify_approval_task(task_id: str) -> dict[str, Any]:
    """E-mail the people who may decide an approval step its signed links, after the step committed."""
    from flows.notifications import approval_task_notify

    return approval_task_notify(task_id)


POLL_QUEUE = "polls"


@dramatiq.actor(queue_name=POLL_QUEUE, max_retries=0, time_limit=5 * 60 * 1000)
def poll_flow(flow_id: str) -> dict[str, Any]:
    """Poll one flow's endpoint (`trigger.poll`) and start a run per new item. Idempotent: a second
    copy of the message starts no run twice (seen keys and idempotency keys)."""
    from flows.polling import poll_run

    return poll_run(flow_id)
