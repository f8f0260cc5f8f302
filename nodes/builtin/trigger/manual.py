"""`trigger.manual`: a flow started by a person or a script, with the JSON they give."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.registry import NodeConfig, NodeType, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext


class ManualConfig(NodeConfig):
    sample: Any = Field(
        title="Sample data",
        default_factory=dict,
        json_schema_extra=widget("json"),
        description="Example JSON to start test runs with; a real start brings its own.",
    )


@register
class ManualTrigger(NodeType[ManualConfig]):
    type = "trigger.manual"
    title = "Manual start"
    category = "trigger"
    pure = True
    description = "Starts the flow on demand, from the app or the API, with the JSON given."
    Config = ManualConfig
    example = {"sample": {"email": "ann@example.com", "plan": "pro"}}

    def execute(self, ctx: NodeContext, config: ManualConfig, input: Any) -> Any:
        return input
