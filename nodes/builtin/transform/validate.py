"""`transform.validate`: checks data against a JSON Schema; valid data continues on `out`, invalid data
leaves by `invalid` with every reason, so a flow can park, report or repair it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from nodes import canonical
from nodes.registry import Expression, NodeConfig, NodeType, Route, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext

ONE_SCHEMA = "Give either schema or canonical, not both."


class ValidateConfig(NodeConfig):
    # Named schema_ because `schema` is a BaseModel method; the config key and JSON Schema say "schema".
    schema_: dict[str, Any] | None = Field(
        default=None,
        alias="schema",
        title="JSON Schema",
        json_schema_extra=widget("json"),
        description="A JSON Schema (2020-12) the data must match; formats such as email and "
        "date-time are checked.",
    )
    canonical: Literal["customer", "order", "product", "ticket"] | None = Field(
        default=None,
        title="Canonical schema",
        validate_default=True,  # so that a config naming neither is refused
        description="One of the schemas shipped with Switchboard instead (GET /api/v1/schemas).",
    )
    data: Expression = Field(
        default={"var": "input"},
        description="What to check, evaluated. By default, this step's input.",
    )

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and (problem := canonical.schema_problem(value)):
            raise ValueError(problem[0].upper() + problem[1:] + ".")
        return value

    @field_validator("canonical")
    @classmethod
    def _one_schema(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "schema_" not in info.data:
            return value  # the schema was refused already; one problem is enough
        if value is not None and info.data.get("schema_") is not None:
            raise ValueError(ONE_SCHEMA)
        if value is None and info.data.get("schema_") is None:
            raise ValueError("Give a schema, or name a canonical one.")
        return value


@register
class Validate(NodeType[ValidateConfig]):
    type = "transform.validate"
    title = "Validate"
    category = "transform"
    pure = True
    description = (
        "Checks data against a JSON Schema or a canonical one (customer, order, product, ticket): "
        "valid data continues on out, invalid data on invalid with the reasons."
    )
    Config = ValidateConfig
    ports = ("out", "invalid")
    example = {"canonical": "order", "data": {"var": "trigger.body"}}

    def execute(self, ctx: NodeContext, config: ValidateConfig, input: Any) -> Route:
        data = ctx.evaluate(config.data)
        checked = canonical.schema(config.canonical) if config.canonical else config.schema_ or {}
        found = canonical.errors(checked, data)
        if found:
            ctx.log.info("the data breaks the schema in %d place(s)", len(found))
            return Route(output={"data": data, "errors": found}, port="invalid")
        return Route(output=data, port="out")
