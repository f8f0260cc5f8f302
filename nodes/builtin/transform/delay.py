"""`transform.delay`: holds the branch for a while, without holding a worker, then passes its input on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.registry import NodeConfig, NodeType, Wait, register

if TYPE_CHECKING:
    from nodes.context import NodeContext

MAX_SECONDS = 30 * 24 * 3600


class DelayConfig(NodeConfig):
    seconds: float = Field(ge=0, le=MAX_SECONDS, description="Seconds to wait (30 days at most).")


@register
class Delay(NodeType[DelayConfig]):
    type = "transform.delay"
    title = "Delay"
    category = "transform"
    description = "Waits for the given time, then continues with its input."
    Config = DelayConfig
    example = {"seconds": 3600}

    def execute(self, ctx: NodeContext, config: DelayConfig, input: Any) -> Wait:
        return Wait(until=datetime.now(UTC) + timedelta(seconds=config.seconds), output=input)
