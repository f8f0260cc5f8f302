"""`transform.map`: builds a new object whose fields are computed from the run's data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.registry import Expression, NodeConfig, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext


class MapConfig(NodeConfig):
    fields: dict[str, Expression] = Field(
        description="Each output field and its value: a JsonLogic rule such as "
        '{"var": "trigger.body.total"}, a template string such as "{{ input.name }}", or a literal.',
    )


@register
class Map(NodeType[MapConfig]):
    type = "transform.map"
    title = "Map"
    category = "transform"
    pure = True
    description = "Builds an object from the run's data, one computed value per field."
    Config = MapConfig
    example = {
        "fields": {
            "email": {"var": "trigger.body.customer.email"},
            "greeting": "Hello {{ trigger.body.customer.name }}",
            "source": "webshop",
        }
    }

    def execute(self, ctx: NodeContext, config: MapConfig, input: Any) -> dict[str, Any]:
        # Field by field: the whole mapping would read as a rule when its only key is an operator's name.
        return {name: ctx.evaluate(value) for name, value in config.fields.items()}
