"""The Redis broker's doorbell: an idle consumer waits on its queue's bell and wakes as a message comes.

Each test builds its own `DoorbellRedisBroker` on the Redis in REDIS_URL, in a namespace of its own
that is deleted afterwards, so the session's workers never see these queues.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.conf import settings
from dramatiq import Message
from dramatiq.common import dq_name

from hub.broker import BELL_TOKENS, DoorbellRedisBroker

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="the doorbell belongs to the Redis broker; REDIS_URL is not set"
)

IDLE_MS = 2000  # the consumers' idle timeout: the longest a consumer waits on its bell


@pytest.fixture
def broker() -> Iterator[DoorbellRedisBroker]:
    namespace = f"switchboard-doorbell-test-{uuid.uuid4().hex[:10]}"
    made = DoorbellRedisBroker(url=settings.REDIS_URL, namespace=namespace, middleware=[])
    try:
        yield made
    finally:
        keys = list(made.client.scan_iter(match=f"{namespace}:*"))
        if keys:
            made.client.delete(*keys)
        made.close()


def message(queue: str) -> Message[Any]:
    return Message(queue_name=queue, actor_name="ring", args=(), kwargs={}, options={})


def send_later(seconds: float, send: Any) -> threading.Timer:
    timer = threading.Timer(seconds, send)
    timer.start()
    return timer


def test_an_idle_consumer_gets_a_message_as_soon_as_it_is_sent(broker: DoorbellRedisBroker) -> None:
    broker.declare_queue("runs")
    consumer = broker.consume("runs", prefetch=1, timeout=IDLE_MS)
    try:
        # given a consumer whose last fetch found the queue empty (it answers at once)
        began = time.monotonic()
        assert next(consumer) is None
        assert time.monotonic() - began < 0.5
        # when a message is sent 0.2 s later, while the consumer waits for its next message
        sent = message("runs")
        timer = send_later(0.2, lambda: broker.enqueue(sent))
        began = time.monotonic()
        received = next(consumer)
        waited = time.monotonic() - began
        timer.join()
        # then that one wait returns the message, right after it was sent and long before the idle timeout
        assert received is not None, "the consumer came back empty instead of waiting for the message"
        assert received.message_id == sent.message_id
        assert 0.15 <= waited < 0.6, f"the message came {waited:.3f}s after the wait began"
        consumer.ack(received)
    finally:
        consumer.close()


def test_a_delayed_message_wakes_the_consumer_of_its_delay_queue(broker: DoorbellRedisBroker) -> None:
    broker.declare_queue("runs")
    consumer = broker.consume(dq_name("runs"), prefetch=1, timeout=IDLE_MS)
    try:
        assert next(consumer) is None
        sent = message("runs")
        timer = send_later(0.2, lambda: broker.enqueue(sent, delay=50))
        began = time.monotonic()
        received = next(consumer)
        waited = time.monotonic() - began
        timer.join()
        assert received is not None, "the delay queue's consumer came back empty"
        assert received.message_id == sent.message_id
        assert 0.15 <= waited < 0.6, f"the delayed message came {waited:.3f}s after the wait began"
        consumer.ack(received)
    finally:
        consumer.close()


def test_with_nothing_sent_an_idle_consumer_waits_out_its_idle_timeout_without_spinning(
    broker: DoorbellRedisBroker,
) -> None:
    broker.declare_queue("quiet")
    consumer = broker.consume("quiet", prefetch=1, timeout=300)
    try:
        assert next(consumer) is None
        began = time.monotonic()
        assert next(consumer) is None
        waited = time.monotonic() - began
        assert 0.25 <= waited < 1.5, f"an empty wait took {waited:.3f}s, not the 0.3 s idle timeout"
    finally:
        consumer.close()


def test_a_burst_of_messages_leaves_at_most_BELL_TOKENS_on_the_bell(broker: DoorbellRedisBroker) -> None:
    broker.declare_queue("burst")
    for _ in range(100):
        broker.enqueue(message("burst"))
    tokens = cast(int, broker.client.llen(broker.bell("burst")))
    assert 1 <= tokens <= BELL_TOKENS
    # and every message is on the queue: the bell trims tokens, never messages
    assert broker.client.llen(f"{broker.namespace}:burst") == 100


def test_a_consumer_whose_threads_were_all_busy_fetches_at_once_when_one_is_free(
    broker: DoorbellRedisBroker,
) -> None:
    # Being full is not being idle: a consumer that could not fetch because every worker thread held a
    # message must not then wait on the bell while its queue still holds messages.
    broker.declare_queue("runs")
    for _ in range(2):
        broker.enqueue(message("runs"))
    broker.client.delete(broker.bell("runs"))  # no token left to wake it: only fetching finds the second
    consumer = broker.consume("runs", prefetch=1, timeout=IDLE_MS)
    try:
        first = next(consumer)
        assert first is not None
        # every thread busy: the consumer answers at once with nothing, without fetching
        began = time.monotonic()
        assert next(consumer) is None
        assert time.monotonic() - began < 0.5
        # a thread is free again: the next message comes at once, not after the idle timeout
        consumer.ack(first)
        began = time.monotonic()
        second = next(consumer)
        waited = time.monotonic() - began
        assert second is not None, "the consumer waited on its bell instead of fetching"
        assert waited < 0.5, f"the second message came after {waited:.3f}s"
        consumer.ack(second)
    finally:
        consumer.close()
