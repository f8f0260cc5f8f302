"""Live updates: every step and run change is pushed to the browsers watching that run."""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder

from flows.models import StepRun
from flows.selectors import run_get
from hub.problems import NotFound

log = logging.getLogger(__name__)


def run_group(run_id: Any) -> str:
    return f"run.{run_id}"


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


def step_changed(step: StepRun) -> None:
    from flows.api import StepOut

    _send(step.run_id, {"type": "step", "run_id": str(step.run_id), "step": _plain(StepOut(step).data)})


def run_changed(run_id: Any) -> None:
    document = run_document(run_id, reveal_sensitive=True)
    if document is not None:
        _send(run_id, {"type": "run", "run": document})
