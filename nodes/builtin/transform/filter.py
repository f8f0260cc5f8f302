"""`transform.filter`: lets its input through only when a condition holds; otherwise the branch stops."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.registry import NodeConfig, NodeType, Route, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext


class FilterConfig(NodeConfig):
    condition: Any = Field(
        json_schema_extra=widget("condition"),
        description='A JsonLogic condition on the run\'s data, e.g. {">": [{"var": "input.total"}, 100]}.',
    )


@register
class Filter(NodeType[FilterConfig]):
    type = "transform.filter"
    title = "Filter"
    category = "transform"
    pure = True
    description = "Continues only when the condition is true; otherwise the steps after it are skipped."
    Config = FilterConfig
    example = {"condition": {">": [{"var": "input.total"}, 100]}}

    def execute(self, ctx: NodeContext, config: FilterConfig, input: Any) -> Route:
        return Route(output=input, port="out" if ctx.check(config.condition) else None)
