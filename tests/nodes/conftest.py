"""Fixtures for node-type tests: a real NodeContext over a run context of CONTRACT §2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nodes.context import NodeContext

# Real flows run by real workers, as in tests/flows (the `worker` fixture is in tests/conftest.py).
from tests.flows.conftest import make_flow, test_run  # noqa: F401

RUN_ID = "run-1"
CORRELATION_ID = "corr-0001"


@pytest.fixture
def make_context() -> Callable[..., NodeContext]:
    """`make_context(input, trigger=…, steps=…)`: the context a node sees, its input also being the
    trigger's output unless told otherwise."""

    def build(
        input: Any = None, *, trigger: Any = None, steps: dict[str, Any] | None = None, node_id: str = "step"
    ) -> NodeContext:
        data = {
            "trigger": input if trigger is None else trigger,
            "steps": steps or {},
            "input": input,
            "run": {"id": RUN_ID, "flow": "flow-1", "correlation_id": CORRELATION_ID},
        }
        return NodeContext(data=data, node_id=node_id, run_id=RUN_ID, correlation_id=CORRELATION_ID)

    return build
