"""Dramatiq plumbing: the Redis broker with a doorbell, and workers that yield the CPU to the web tier.

The doorbell, so an idle worker starts a new run at once:

Dramatiq's Redis consumer polls: after each empty fetch it sleeps, doubling up to the worker's idle
timeout (1 s by default). At a steady 50 webhooks/s that sleep, not the engine, was most of a run's
latency. Here every enqueue also pushes a token onto the queue's bell list (one round trip, trimmed to a
few tokens), and a consumer whose last fetch came back empty blocks on that list — up to the same idle
timeout — instead of sleeping. A token wakes one consumer, which fetches; a stale token costs one empty
fetch. Nothing else changes: messages, acks, delays and dead letters are Dramatiq's own.

Worker processes lower their CPU priority (`WORKER_NICENESS`, 10 by default) as they boot. On a machine
that also serves the web, a burst of webhooks is then answered first and its runs queue (durably) for
the moments after; on a machine of its own a worker loses nothing by it. The embedded worker shares the
web process and is left as it is.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message
from dramatiq.middleware import Middleware

BELL_TOKENS = 64  # more waiting tokens than this wake nobody more
BUSY_RECHECK_SECONDS = 0.005  # every worker thread busy: look again this soon


class DoorbellRedisBroker(RedisBroker):
    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return _DoorbellConsumer

    def bell(self, queue_name: str) -> str:
        return f"{self.namespace}:{queue_name}.bell"

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        sent = super().enqueue(message, delay=delay)
        bell = self.bell(sent.queue_name)  # a delayed message rings its delay queue's consumer
        ring = self.client.pipeline(transaction=False)
        ring.lpush(bell, 1)
        ring.ltrim(bell, 0, BELL_TOKENS - 1)
        ring.execute()
        return sent


class _DoorbellConsumer(_RedisConsumer):
    def __init__(self, broker: DoorbellRedisBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        # The parent sleeps up to `timeout` after an empty fetch; here it never sleeps, and waits on the bell.
        super().__init__(broker, queue_name, prefetch, 0)
        self.idle_seconds = max(timeout / 1000, 0.01)
        self.bell = broker.bell(queue_name)
        self.missed = False

    def __next__(self) -> Any:
        can_fetch = not self.message_cache and self.outstanding_message_count < self.prefetch
        if can_fetch and self.missed:
            try:
                self.broker.client.blpop([self.bell], timeout=self.idle_seconds)
            except redis.ConnectionError as error:
                raise ConnectionClosed(error) from None
        message = super().__next__()
        if message is None and not can_fetch:
            # Every worker thread is busy (the prefetch is taken): not a miss, look again shortly.
            time.sleep(BUSY_RECHECK_SECONDS)
        # Only a fetch that found the queue empty makes the next call wait for the bell.
        self.missed = message is None and can_fetch
        return message


class WorkerNiceness(Middleware):  # type: ignore[misc]
    """Lower a worker process's CPU priority as it boots (see the module docstring)."""

    def before_worker_boot(self, broker: Any, worker: Any) -> None:
        from django.conf import settings

        if settings.WORKER_NICENESS and not settings.EMBEDDED:
            os.nice(settings.WORKER_NICENESS)
            logging.getLogger("switchboard.worker").info("worker at niceness %s", os.nice(0))
