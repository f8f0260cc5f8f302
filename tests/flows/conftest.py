"""Fixtures for flow tests: flows made through the services, as the API would make them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import services
from flows.models import Flow, Run
from tests.support.runs import wait_for_run


@pytest.fixture
def make_flow(alice: Any) -> Callable[..., Flow]:
    def make(document: dict[str, Any], name: str = "A flow") -> Flow:
        return services.flow_create(user=alice, name=name, graph=document)

    return make


@pytest.fixture
def test_run(alice: Any, make_flow: Callable[..., Flow]) -> Callable[..., Run]:
    """Run a document's draft once with `payload` and wait until it finishes."""

    def run(document: dict[str, Any], payload: Any = None, timeout: float = 30.0) -> Run:
        flow = make_flow(document)
        started = services.run_test(flow=flow, user=alice, payload=payload if payload is not None else {})
        return wait_for_run(started.pk, timeout=timeout)

    return run


def steps_of(run: Run) -> dict[str, Any]:
    return {s.node: s for s in run.steps.all()}
