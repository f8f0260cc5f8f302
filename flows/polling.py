"""`trigger.poll` on the flows side: which polls are due (the scheduler), and one poll (an actor).

The scheduler only claims a due poll — moving its `next_poll_at` on with a conditional update, so of
two schedulers exactly one sends the message — and queues `flows.tasks.poll_flow`; the network call
happens on a worker. A poll remembers item keys in `PollSeen` and starts each new item's run with the
idempotency key `poll:<key>`, so a message delivered twice, or two polls at once, start one run per
item. How the last poll went is kept on `PollState` and shown in the flow's API output (`poll`).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from flows import graph as flow_graph
from flows.models import Flow, FlowVersion, PollSeen, PollState, TriggerEvent, VersionState
from flows.services import body_hash, run_start
from hub.problems import Problem
from nodes.builtin.trigger.poll import PollConfig, poll_items
from nodes.context import NodeContext
from nodes.registry import NodeError
from nodes.selectors import policies_for_team

log = logging.getLogger("switchboard.polling")


def _poll_trigger(version: FlowVersion) -> dict[str, Any] | None:
    trigger = flow_graph.trigger_node(version.graph)
    return trigger if trigger is not None and trigger["type"] == "trigger.poll" else None


def polls_enqueue(now: datetime | None = None) -> int:
    """Queue a poll of every live, unpaused flow whose poll is due; returns how many were queued."""
    from flows.tasks import poll_flow

    now = now or timezone.now()
    queued = 0
    versions = FlowVersion.objects.filter(state=VersionState.APPROVED, flow__paused=False)
    for version in versions.only("flow_id", "graph"):
        trigger = _poll_trigger(version)
        if trigger is None:
            continue
        interval = PollConfig.model_validate(trigger.get("config", {})).interval_seconds
        try:
            state, _ = PollState.objects.get_or_create(
                flow_id=version.flow_id, defaults={"next_poll_at": now}
            )
        except IntegrityError:  # another scheduler made it at the same moment; it is due next tick
            continue
        if state.next_poll_at > now:
            continue
        claimed = PollState.objects.filter(pk=state.pk, next_poll_at=state.next_poll_at).update(
            next_poll_at=now + timedelta(seconds=interval)
        )
        if claimed:
            poll_flow.send(str(version.flow_id))
            queued += 1
    return queued


def poll_run(flow_id: str) -> dict[str, Any]:
    """Poll the flow's endpoint once and start a run per new item: {"items", "started"} (or "error")."""
    flow = Flow.objects.filter(pk=flow_id).select_related("team").first()
    version = FlowVersion.objects.filter(flow_id=flow_id, state=VersionState.APPROVED).first()
    trigger = _poll_trigger(version) if version is not None and flow is not None else None
    if flow is None or version is None or trigger is None or flow.paused:
        return {"items": 0, "started": 0, "error": "not a live polling flow"}
    config = PollConfig.model_validate(trigger.get("config", {}))
    state, _ = PollState.objects.get_or_create(flow=flow, defaults={"next_poll_at": timezone.now()})
    ctx = NodeContext(
        data={"trigger": None, "steps": {}, "input": None, "run": {"flow": str(flow.pk)}},
        node_id=trigger["id"],
        origin_run_id=f"poll-{flow.pk}",
        correlation_id=uuid.uuid4().hex,
        host_guard=policies_for_team(flow.team_id).host_guard(trigger),
        team_id=flow.team_id,
        flow_owner_id=flow.owner_id,
    )
    try:
        items = poll_items(ctx, config)
    except NodeError as error:
        log.warning("poll of flow %s failed: %s", flow.pk, error.message)
        _record(state, status="failed", error=error.message, items=0, started=0)
        return {"items": 0, "started": 0, "error": error.message}
    # Keys repeated within one reply count once.
    unique = list({key: item for key, item in items}.items())
    seen = set(
        PollSeen.objects.filter(flow=flow, key__in=[key for key, _ in unique]).values_list("key", flat=True)
    )
    fresh = [(key, item) for key, item in unique if key not in seen]
    started = 0
    if not state.primed and config.start == "new":
        # The first poll only remembers what is there already.
        PollSeen.objects.bulk_create(
            [PollSeen(flow=flow, key=key) for key, _ in fresh], ignore_conflicts=True
        )
    else:
        for key, item in fresh:
            started += _start(flow, version, key, item)
    _record(state, status="ok", error="", items=len(unique), started=started)
    _prune(flow)
    return {"items": len(unique), "started": started}


def _start(flow: Flow, version: FlowVersion, key: str, item: Any) -> int:
    """One new item: remember its key and store its run together. 1 if this call started the run."""
    idempotency_key = f"poll:{key}"
    try:
        with transaction.atomic():
            PollSeen.objects.bulk_create([PollSeen(flow=flow, key=key)], ignore_conflicts=True)
            _, created = run_start(
                flow=flow,
                version=version,
                kind=TriggerEvent.Kind.POLL,
                payload=item,
                idempotency_key=idempotency_key,
                # The key says "the same item": one that changed since is not a second run.
                fingerprint=body_hash(idempotency_key),
            )
    except Problem:  # the same item being stored this moment by another poll: theirs to start
        return 0
    return int(created)


def _record(state: PollState, *, status: str, error: str, items: int, started: int) -> None:
    PollState.objects.filter(pk=state.pk).update(
        primed=state.primed or status == "ok",
        last_polled_at=timezone.now(),
        last_status=status,
        last_error=error[:2000],
        last_items=items,
        last_started=started,
    )


def _prune(flow: Flow) -> None:
    """Keep the newest keys only: what a poll must remember is bounded, whatever the endpoint returns."""
    limit = settings.POLL_SEEN_LIMIT
    oldest_kept = (
        PollSeen.objects.filter(flow=flow).order_by("-id").values_list("id", flat=True)[limit - 1 : limit]
    )
    edge = list(oldest_kept)
    if edge:
        PollSeen.objects.filter(flow=flow, id__lt=edge[0]).delete()


def poll_status(flow: Flow) -> dict[str, Any] | None:
    """How the flow's polling stands, for its API output; None for a flow that never polled."""
    state = PollState.objects.filter(flow=flow).first()
    if state is None:
        return None
    return {
        "last_polled_at": state.last_polled_at,
        "status": state.last_status or None,
        "error": state.last_error or None,
        "items": state.last_items,
        "started": state.last_started,
        "next_poll_at": state.next_poll_at,
    }
