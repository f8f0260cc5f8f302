"""Results a node returns for the engine to act on where the node itself may not (`nodes` never
imports `flows`): wait for a person's decision, or start the flows listening to an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AwaitDecision:
    """The step waits, without a worker, until a person decides or `until` passes (`transform.approval`).

    Exactly one of `assignee` (a username) and `role` names who may decide; the engine records the task
    and leaves by the port `approved`, `rejected` or `expired`."""

    title: str
    message: str
    assignee: str | None
    role: str | None
    until: datetime
    data: Any


@dataclass(frozen=True)
class Emit:
    """Start a run of every live flow of the same team whose trigger listens to `event` (`action.emit`).
    The engine stores those runs with the step's success; the step's output is `{"event", "runs"}`."""

    event: str
    payload: Any
