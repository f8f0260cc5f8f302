"""Live updates: every step and run change is pushed to the browsers watching that run.

Only a run someone watches is published: the watcher's consumer marks the run in the cache before it
joins the run's group and reads the run (`watch`), and the engine asks (`watched`) after its writes
commit — so a watcher either reads a change with the run or receives it, and an unwatched run costs one
cache read per batch of writes instead of a serialised document on the channel layer per step.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder

from flows.models import StepRun
from flows.selectors import run_get
from hub.problems import NotFound

log = logging.getLogger(__name__)


# How long a run stays marked as watched after someone opened it (longer than any page stays open
# unrefreshed matters little: an unwatched run that is marked only publishes to an empty group).
WATCH_SECONDS = 6 * 60 * 60


def run_group(run_id: Any) -> str:
    return f"run.{run_id}"


def _watch_key(run_id: Any) -> str:
    return f"live:watched:{run_id}"


async def watch(run_id: Any) -> None:
    """Mark the run as watched; call before joining its group and reading it."""
    await cache.aset(_watch_key(run_id), 1, WATCH_SECONDS)


def watched(run_id: Any) -> bool:
    """Whether anyone opened the run to watch it; ask after the change committed."""
    try:
        return cache.get(_watch_key(run_id)) is not None
    except Exception:
        log.warning("could not read the live-watch mark of run %s", run_id, exc_info=True)
        return True


def run_document(run_id: Any, *, reveal_sensitive: bool = False) -> dict[str, Any] | None:
    """The run as GET /api/v1/runs/{id} shows it, or None when there is no such run.

    What goes to the channel layer is the whole run (`reveal_sensitive=True`): every watcher's
    consumer masks it for its own person (`flows.masking`), as one group message reaches them all.
    """
    from flows.api import RunDetailOut  # the API's own shape; imported here as the API imports services

    try:
        run = run_get(run_id)
    except NotFound:
        return None
    return _plain(RunDetailOut(run, context={"reveal_sensitive": reveal_sensitive}).data)


def _plain(data: Any) -> Any:
    """JSON types only (ids and times as text), as the API renders them and the layer can carry."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _send(run_id: Any, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(run_group(run_id), {"type": "run.event", "payload": payload})
    except Exception:
        # A missed live update must never fail a run; the run page reads the stored state anyway.
        log.warning("could not publish a live update for run %s", run_id, exc_info=True)


def steps_changed(run_id: Any, steps: list[StepRun]) -> None:
    """Publish these steps' new states (after they committed) to the run's watchers, if any."""
    if not steps or not watched(run_id):
        return
    from flows.api import StepOut

    for step in steps:
        _send(run_id, {"type": "step", "run_id": str(run_id), "step": _plain(StepOut(step).data)})


def run_changed(run_id: Any) -> None:
    if watched(run_id):
        _run_send(run_id)


def _run_send(run_id: Any) -> None:
    document = run_document(run_id, reveal_sensitive=True)
    if document is not None:
        _send(run_id, {"type": "run", "run": document})


# --- a caller waiting for a run's end (a webhook with `respond: result`) -------------------------------


def _awaited_key(run_id: Any) -> str:
    return f"live:awaited:{run_id}"


async def await_end(run_id: Any, seconds: float) -> str | None:
    """A channel that hears of the run's end (`run_ended`); None without a channel layer. Read the run
    after this: an end before it sends nothing."""
    layer = get_channel_layer()
    if layer is None:
        return None
    channel: str = await layer.new_channel()
    await cache.aset(_awaited_key(run_id), channel, int(seconds) + 60)
    return channel


def run_ended(run_id: Any) -> None:
    """The run finished (committed): tell its watchers and the caller awaiting it, if any — one cache
    read when there are none."""
    try:
        marks = cache.get_many([_watch_key(run_id), _awaited_key(run_id)])
    except Exception:
        log.warning("could not read the live marks of run %s", run_id, exc_info=True)
        marks = {_watch_key(run_id): 1}
    if _watch_key(run_id) in marks:
        _run_send(run_id)
    channel = marks.get(_awaited_key(run_id))
    layer = get_channel_layer()
    if channel is not None and layer is not None:
        try:
            async_to_sync(layer.send)(channel, {"type": "run.ended"})
        except Exception:
            log.warning("could not wake the caller awaiting run %s", run_id, exc_info=True)
