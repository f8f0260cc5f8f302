"""`trigger.event`: a flow started when another flow of the same team emits a named event
(`action.emit`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.registry import NodeConfig, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext

# Dotted lower-case words, e.g. `order.created`: the same rule for the listener and the emitter.
EVENT_NAME = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$"
EVENT_DESCRIPTION = "The event's name: lower-case words joined by dots, e.g. `order.created`."


class EventConfig(NodeConfig):
    event: str = Field(min_length=1, max_length=100, pattern=EVENT_NAME, description=EVENT_DESCRIPTION)


@register
class EventTrigger(NodeType[EventConfig]):
    type = "trigger.event"
    title = "Event"
    category = "trigger"
    pure = True
    description = (
        "Starts the flow when another live flow of the same team emits this event (`Emit event`). "
        'Output: {"event", "payload", "source": {"flow", "run", "depth"}}.'
    )
    Config = EventConfig
    example = {"event": "order.created"}

    def execute(self, ctx: NodeContext, config: EventConfig, input: Any) -> Any:
        return input  # what the emitting step handed over: {"event", "payload", "source"}
