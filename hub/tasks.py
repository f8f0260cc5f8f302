"""Dramatiq actors of the hub: delivering the platform's events, and the one helper that queues a delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dramatiq
from django.db import transaction
from django.utils import timezone

EVENTS_QUEUE = "events"


# Retries are ours (backoff with jitter, Retry-After, a budget per replay), never Dramatiq's: a message
# sent again with a delay holds no worker while it waits.
@dramatiq.actor(queue_name=EVENTS_QUEUE, max_retries=0, time_limit=60 * 1000)
def deliver_event(delivery_id: str) -> None:
    """Make the next attempt of one event delivery. Idempotent: a delivery that is not due, is held by
    another worker, or is finished is left alone."""
    from hub.events import event_delivery_attempt

    event_delivery_attempt(delivery_id=delivery_id)


def enqueue_delivery(delivery_id: Any, *, at: datetime | None = None) -> None:
    """Send the delivery to the workers once the current transaction commits (at once outside one)."""
    delay_ms = None
    if at is not None:
        # Round up so the message never arrives before the delivery is due.
        delay_ms = max(0, int((at - timezone.now()).total_seconds() * 1000) + 5)

    def send() -> None:
        if delay_ms:
            deliver_event.send_with_options(args=(str(delivery_id),), delay=delay_ms)
        else:
            deliver_event.send(str(delivery_id))

    transaction.on_commit(send)
