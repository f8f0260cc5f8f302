"""`transform.branch`: sends its input down the "true" or the "false" port, by a condition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.registry import NodeConfig, NodeType, Route, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext


class BranchConfig(NodeConfig):
    condition: Any = Field(
        json_schema_extra=widget("condition"),
        description='A JsonLogic condition on the run\'s data, e.g. {"==": [{"var": "input.land"}, "NL"]}.',
    )


@register
class Branch(NodeType[BranchConfig]):
    type = "transform.branch"
    title = "Branch"
    category = "transform"
    pure = True
    description = "Continues on the true port when the condition holds, on the false port when it does not."
    Config = BranchConfig
    example = {"condition": {"==": [{"var": "input.country"}, "NL"]}}
    ports = ("true", "false")

    def execute(self, ctx: NodeContext, config: BranchConfig, input: Any) -> Route:
        return Route(output=input, port="true" if ctx.check(config.condition) else "false")
