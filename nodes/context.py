"""What a node sees while it runs: the run's context (CONTRACT §2) and the helpers to evaluate config."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from nodes import expressions


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

    @property
    def idempotency_key(self) -> str:
        """Stable per run and node: the same across retries and replays of this step."""
        return f"{self.origin_run_id or self.run_id}:{self.node_id}"

    def evaluate(self, value: Any) -> Any:
        """Evaluate a config value the way CONTRACT §2 says (templates, rules, walked containers)."""
        return expressions.evaluate(value, self.data)

    def check(self, condition: Any) -> bool:
        """A JsonLogic condition against the context, by JsonLogic truthiness."""
        return expressions.truthy(expressions.evaluate(condition, self.data))
