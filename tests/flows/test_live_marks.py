"""Live updates go out only for runs someone watches, and a run's end wakes the caller awaiting it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from flows import live, services
from flows.models import Run, RunStatus
from tests.support.flows import chain, node


@pytest.fixture
def make_run(alice: Any, make_flow: Any) -> Any:
    """A stored run, queued; in the test's transaction, so no worker takes it."""

    def make() -> Run:
        flow = make_flow(chain(node("start", "trigger.manual")))
        return services.run_test(flow=flow, user=alice, payload={})

    return make


def test_a_run_is_watched_only_once_someone_opens_it(make_run: Any) -> None:
    run, other = make_run(), make_run()
    assert not live.watched(run.pk)
    async_to_sync(live.watch)(run.pk)
    assert live.watched(run.pk)
    assert not live.watched(other.pk)


def test_a_change_is_published_once_the_run_is_watched_and_not_before(make_run: Any) -> None:
    run = make_run()
    layer = get_channel_layer()
    assert layer is not None

    async def listen() -> dict[str, Any]:
        inbox = await layer.new_channel()
        await layer.group_add(live.run_group(run.pk), inbox)
        try:
            # a change while nobody watches: not published
            await sync_to_async(live.run_changed)(run.pk)
            await sync_to_async(Run.objects.filter(pk=run.pk).update)(status=RunStatus.CANCELLED)
            # once watched, the next change is
            await live.watch(run.pk)
            await sync_to_async(live.run_changed)(run.pk)
            received: dict[str, Any] = await asyncio.wait_for(layer.receive(inbox), 5)
            return received
        finally:
            await layer.group_discard(live.run_group(run.pk), inbox)

    # the first message the group carries is the one sent after the mark: the run already cancelled
    message = async_to_sync(listen)()
    assert message["type"] == "run.event"
    assert message["payload"]["type"] == "run"
    assert message["payload"]["run"]["id"] == str(run.pk)
    assert message["payload"]["run"]["status"] == RunStatus.CANCELLED


def test_the_end_of_a_run_wakes_the_caller_awaiting_it(make_run: Any) -> None:
    run = make_run()
    layer = get_channel_layer()
    assert layer is not None

    async def wait_for_the_end() -> dict[str, Any]:
        channel = await live.await_end(run.pk, 5)
        assert channel is not None
        await sync_to_async(live.run_ended)(run.pk)
        received: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), 5)
        return received

    assert async_to_sync(wait_for_the_end)() == {"type": "run.ended"}
