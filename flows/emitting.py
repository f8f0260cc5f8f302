"""Flows triggering flows: `action.emit` starts a run of every live flow of the same team whose
trigger is `trigger.event` with the emitted name.

Each started run carries the idempotency key `emit:<origin run>:<node>` on its target flow, so a
retried step, a worker taking a run over, or a replay of the emitting run finds the runs it started
and starts none again. A chain of events is at most `MAX_EVENT_DEPTH` flows deep, so flows that
trigger each other (or themselves) stop.
"""

from __future__ import annotations

from typing import Any

from flows import graph as flow_graph
from flows.models import FlowVersion, Run, TriggerEvent, VersionState
from flows.services import body_hash, run_start
from hub.problems import Problem
from nodes.registry import NodeError

MAX_EVENT_DEPTH = 10


def event_depth(run: Run) -> int:
    """How many emits deep `run` is: 0 unless an event started it."""
    if run.event.kind != TriggerEvent.Kind.EVENT or not isinstance(run.event.payload, dict):
        return 0
    source = run.event.payload.get("source")
    depth = source.get("depth") if isinstance(source, dict) else None
    return depth if isinstance(depth, int) else 1


def listening_versions(*, team_id: int, event: str) -> list[FlowVersion]:
    """The live versions of the team's unpaused flows whose trigger listens to `event`."""
    versions = FlowVersion.objects.filter(
        state=VersionState.APPROVED, flow__paused=False, flow__team_id=team_id
    ).select_related("flow")
    found = []
    for version in versions.order_by("flow__created_at", "flow_id"):
        trigger = flow_graph.trigger_node(version.graph)
        if trigger is not None and trigger["type"] == "trigger.event":
            if (trigger.get("config") or {}).get("event") == event:
                found.append(version)
    return found


def event_runs_start(*, run: Run, node_id: str, event: str, payload: Any) -> list[str]:
    """Start (or find, on a repeat) the runs of every listening flow; returns their ids. Call inside
    the transaction that stores the emitting step's success."""
    depth = event_depth(run) + 1
    if depth > MAX_EVENT_DEPTH:
        raise NodeError(
            f"The event {event!r} was not emitted: this run is the end of a chain of {depth - 1} events, "
            f"and chains stop at {MAX_EVENT_DEPTH} (flows that trigger each other would never stop)."
        )
    key = f"emit:{run.origin or run.id}:{node_id}"
    trigger_output = {
        "event": event,
        "payload": payload,
        "source": {"flow": str(run.flow_id), "run": str(run.id), "depth": depth},
    }
    started = []
    for version in listening_versions(team_id=run.flow.team_id, event=event):
        try:
            target, _ = run_start(
                flow=version.flow,
                version=version,
                kind=TriggerEvent.Kind.EVENT,
                payload=trigger_output,
                idempotency_key=key,
                # The key alone says "the same emit": a replay's payload names another run, yet it
                # must find the run the first emit started, not be refused as a different request.
                fingerprint=body_hash(key),
                correlation_id=run.correlation_id,
            )
        except Problem as busy:  # the same emit being stored right now by a worker that took over
            raise NodeError(f"The event could not be emitted yet: {busy.detail}", retryable=True) from None
        started.append(str(target.pk))
    return started
