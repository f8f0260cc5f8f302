"""`action.emit`: emit a named event, starting every live flow of the same team that listens to it
(`trigger.event`). Retries and replays of the step never start a listening flow twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.builtin.trigger.event import EVENT_DESCRIPTION, EVENT_NAME
from nodes.registry import Emit, Expression, NodeConfig, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext


class EmitConfig(NodeConfig):
    event: str = Field(min_length=1, max_length=100, pattern=EVENT_NAME, description=EVENT_DESCRIPTION)
    payload: Expression = Field(
        default=None,
        description="What the listening flows receive as `payload`, evaluated: a template, a JsonLogic "
        "rule or a literal. Empty: the step's input.",
    )


@register
class EmitEvent(NodeType[EmitConfig]):
    type = "action.emit"
    title = "Emit event"
    category = "action"
    description = (
        "Emits a named event: every live, unpaused flow of this team that starts with an `Event` "
        'trigger of that name gets a run. Output: {"event", "runs": [run ids]}.'
    )
    Config = EmitConfig
    example = {
        "event": "order.created",
        "payload": {"order": "{{ trigger.id }}", "total": "{{ trigger.total }}"},
    }

    def execute(self, ctx: NodeContext, config: EmitConfig, input: Any) -> Emit:
        payload = input if "payload" not in config.model_fields_set else ctx.evaluate(config.payload)
        return Emit(event=config.event, payload=payload)
