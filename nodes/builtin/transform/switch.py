"""`transform.switch`: routes its input through the port of the first case whose condition holds.

Every case names its own output port (`config_ports`), so the editor draws one handle per case and the
flow's edges may leave from them; an input no case takes leaves through `default`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nodes.registry import ERROR_PORT, NodeConfig, NodeType, Route, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext

DEFAULT_PORT = "default"
PORT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
RESERVED_PORTS = (DEFAULT_PORT, ERROR_PORT)
DUPLICATE_PORT = "Another case already uses the port"


class SwitchCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    port: str = Field(
        pattern=PORT_NAME.pattern,
        description="The output port this case sends its input through: 1 to 64 of A-Z, a-z, 0-9, _ and -.",
    )
    condition: Any = Field(
        json_schema_extra=widget("condition"),
        description="A JsonLogic condition on the run's data, "
        'e.g. {"==": [{"var": "input.country"}, "NL"]}.',
    )

    @field_validator("port")
    @classmethod
    def _not_reserved(cls, port: str) -> str:
        if port in RESERVED_PORTS:
            raise ValueError(f"The port name {port!r} is reserved; choose another.")
        return port


class SwitchConfig(NodeConfig):
    cases: list[SwitchCase] = Field(
        min_length=1,
        max_length=50,
        description="Checked in order; the first whose condition holds takes the input. "
        "None holds: the input leaves through `default`.",
    )

    @field_validator("cases")
    @classmethod
    def _distinct_ports(cls, cases: list[SwitchCase]) -> list[SwitchCase]:
        seen: set[str] = set()
        for case in cases:
            if case.port in seen:
                raise ValueError(f"{DUPLICATE_PORT} {case.port!r}.")
            seen.add(case.port)
        return cases


@register
class Switch(NodeType[SwitchConfig]):
    type = "transform.switch"
    title = "Switch"
    category = "transform"
    pure = True
    description = (
        "Sends its input through the port of the first case whose condition holds, or through "
        "`default` when none does. Each case is a port of its own."
    )
    Config = SwitchConfig
    ports = (DEFAULT_PORT,)
    config_ports = ("cases", "port")
    example = {
        "cases": [
            {"port": "urgent", "condition": {"==": [{"var": "input.priority"}, "high"]}},
            {"port": "billing", "condition": {"in": ["invoice", {"var": "input.subject"}]}},
        ]
    }

    def validate_config(self, config: Any) -> list[tuple[str | None, str]]:
        """The schema's and the model's checks, with a repeated port named at `cases[i].port` (the
        model's list validator can only name `cases`)."""
        problems = [
            (path, message)
            for path, message in super().validate_config(config)
            if not message.startswith(DUPLICATE_PORT)
        ]
        cases = config.get("cases") if isinstance(config, dict) else None
        seen: set[str] = set()
        for index, case in enumerate(cases if isinstance(cases, list) else []):
            port = case.get("port") if isinstance(case, dict) else None
            if isinstance(port, str):
                if port in seen:
                    problems.append((f"cases[{index}].port", f"{DUPLICATE_PORT} {port!r}."))
                seen.add(port)
        return problems

    def execute(self, ctx: NodeContext, config: SwitchConfig, input: Any) -> Route:
        for case in config.cases:
            if ctx.check(case.condition):
                return Route(output=input, port=case.port)
        return Route(output=input, port=DEFAULT_PORT)
