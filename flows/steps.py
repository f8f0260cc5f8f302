"""What the engine and a loop's body runner share to execute one step: the node's context, and how
anything a node raises becomes the step's error."""

from __future__ import annotations

import logging
from typing import Any

from flows.models import Run
from nodes.context import NodeContext
from nodes.expressions import ExpressionError
from nodes.policies import Policies
from nodes.registry import NodeError

log = logging.getLogger("switchboard.engine")


def step_context(
    run: Run,
    node: dict[str, Any],
    *,
    rules: Policies,
    data: dict[str, Any],
    attempt: int,
    loop_index: int | None = None,
) -> NodeContext:
    return NodeContext(
        host_guard=rules.host_guard(node),
        team_id=run.flow.team_id,
        flow_owner_id=run.flow.owner_id,
        data=data,
        node_id=node["id"],
        run_id=str(run.id),
        origin_run_id=str(run.origin) if run.origin else None,
        correlation_id=run.correlation_id,
        attempt=attempt,
        loop_index=loop_index,
    )


def node_error(raised: Exception, node: dict[str, Any]) -> NodeError:
    """The step's error for whatever its node raised; an unexpected exception is logged with its trace."""
    if isinstance(raised, NodeError):
        return raised
    if isinstance(raised, ExpressionError):
        return NodeError(f"An expression could not be evaluated: {raised}")
    log.exception("node %s (%s) raised", node["id"], node["type"])
    return NodeError(f"Unexpected error: {type(raised).__name__}: {raised}")
