"""What a node sees while it runs: the run's context (CONTRACT §2) and the helpers to evaluate config."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from nodes import expressions
from nodes.policies import HostGuard
from nodes.registry import NodeError


@dataclass
class NodeContext:
    """`data` is the run context: {"trigger", "steps", "input", "run"}."""

    data: dict[str, Any]
    node_id: str
    run_id: str | None = None
    correlation_id: str = "-"
    attempt: int = 1
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("switchboard.node"))

    # The run whose side effects this run repeats: itself, or for a replay the first run of its event.
    origin_run_id: str | None = None
    # The team's host allow-list for this node (nodes.policies), checked on the URL actually called.
    host_guard: HostGuard | None = None
    # Whose flow runs: a connection or a data table is used only within its team (or by its owner).
    team_id: int | None = None
    flow_owner_id: int | None = None
    # Inside a loop's body: the item's index, so each item's side effect has its own idempotency key.
    loop_index: int | None = None

    @property
    def idempotency_key(self) -> str:
        """Stable per run and node (and loop item): the same across retries and replays of this step."""
        key = f"{self.origin_run_id or self.run_id}:{self.node_id}"
        return key if self.loop_index is None else f"{key}:{self.loop_index}"

    def evaluate(self, value: Any) -> Any:
        """Evaluate a config value the way CONTRACT §2 says (templates, rules, walked containers)."""
        return expressions.evaluate(value, self.data)

    def secret(self, connection_id: str, kind: str) -> str:
        """A connection's secret, for this call only: never put it in the context or the output.
        The connection must be of `kind` and one this flow may use (its team's, instance-wide, or
        personal to the flow's owner)."""
        from nodes.credentials import CredentialError, secret_of, usable

        try:
            connection = usable(
                connection_id, team_id=self.team_id, flow_owner_id=self.flow_owner_id, kind=kind
            )
            return secret_of(connection)
        except CredentialError as error:
            raise NodeError(error.message, retryable=error.retryable) from None

    def check(self, condition: Any) -> bool:
        """A JsonLogic condition against the context, by JsonLogic truthiness."""
        return expressions.truthy(expressions.evaluate(condition, self.data))
