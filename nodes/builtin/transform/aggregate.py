"""`transform.aggregate`: sums, counts, averages and collects over a list, optionally per group.

Deterministic and declarative: each output field names an operation and a dotted path into the items,
so no user code runs (a promise of the hub, not a gap). Null or missing values are left out of every
operation but `count` without a path, as SQL's aggregates do.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nodes.registry import Expression, NodeConfig, NodeError, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext

Operation = Literal["count", "sum", "avg", "min", "max", "first", "last", "collect", "join", "count_distinct"]
PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")
GROUP_KEY = "key"
PATH_NEEDED = "A path is needed for the operation"


class AggregateField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: Operation = Field(description="What to compute over the items' values.")
    path: str | None = Field(
        default=None,
        pattern=PATH.pattern,
        description="Where the value is in each item, dotted (e.g. `customer.country`, `lines.0.qty`). "
        "Not needed for count, which then counts the items.",
    )
    separator: str = Field(default=", ", max_length=100, description="Between the values of a join.")

    @model_validator(mode="after")
    def _path_needed(self) -> AggregateField:
        if self.path is None and self.op != "count":
            raise ValueError(f"{PATH_NEEDED} {self.op!r}.")
        return self


class AggregateConfig(NodeConfig):
    items: Expression = Field(
        default=None,
        description='The list to aggregate, e.g. {"var": "steps.loop.items"}; '
        "the step's input when not given.",
    )
    group_by: str | None = Field(
        default=None,
        pattern=PATH.pattern,
        description="A dotted path in each item: one result per distinct value, "
        "in order of first appearance.",
    )
    fields: dict[str, AggregateField] = Field(
        min_length=1, description="Each output field and how it is computed."
    )

    @model_validator(mode="after")
    def _key_free(self) -> AggregateConfig:
        if self.group_by is not None and GROUP_KEY in self.fields:
            raise ValueError(
                f"With group_by, {GROUP_KEY!r} names each group's value; call this field otherwise."
            )
        return self


def value_at(item: Any, path: str) -> Any:
    """The value at a dotted path (object keys, list indexes); None when any part is missing."""
    current = item
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _identity(value: Any) -> str:
    """A stable text form of a JSON value, so objects and lists can be counted and grouped."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


class _Field:
    """One field over one group: the values at its path, with where each came from."""

    def __init__(self, name: str, spec: AggregateField) -> None:
        self.name, self.spec = name, spec

    def compute(self, items: list[tuple[int, Any]]) -> Any:
        spec = self.spec
        if spec.path is None:
            return len(items)
        found = [(index, v) for index, item in items if (v := value_at(item, spec.path)) is not None]
        values = [v for _, v in found]
        operations: dict[str, Callable[[], Any]] = {
            "count": lambda: len(values),
            "sum": lambda: self._total(found),
            "avg": lambda: self._total(found) / len(found) if found else None,
            "min": lambda: self._extreme(found, min),
            "max": lambda: self._extreme(found, max),
            "first": lambda: values[0] if values else None,
            "last": lambda: values[-1] if values else None,
            "collect": lambda: values,
            "join": lambda: spec.separator.join(self._text(index, v) for index, v in found),
            "count_distinct": lambda: len({_identity(v) for v in values}),
        }
        return operations[spec.op]()

    def _refuse(self, index: int, value: Any, wanted: str) -> NodeError:
        shown = json.dumps(value)[:80]
        return NodeError(
            f"Field {self.name!r} ({self.spec.op} of {self.spec.path!r}): item {index} has {shown}, "
            f"which is not {wanted}."
        )

    def _total(self, found: list[tuple[int, Any]]) -> int | float:
        for index, value in found:
            if not _is_number(value):
                raise self._refuse(index, value, "a number")
        return sum(v for _, v in found)

    def _extreme(self, found: list[tuple[int, Any]], pick: Callable[..., Any]) -> Any:
        """Numbers compare with numbers and texts with texts; the first value sets which."""
        if not found:
            return None
        kind: Callable[[Any], bool] = _is_number if _is_number(found[0][1]) else _is_text
        for index, value in found:
            if not kind(value):
                wanted = "a number" if kind is _is_number else "a text"
                raise self._refuse(index, value, f"{wanted} like the values before it" if index else wanted)
        return pick(v for _, v in found)

    def _text(self, index: int, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if _is_number(value):
            return json.dumps(value)
        raise self._refuse(index, value, "a text or a number")


@register
class Aggregate(NodeType[AggregateConfig]):
    type = "transform.aggregate"
    title = "Aggregate"
    category = "transform"
    pure = True
    description = (
        "Computes totals over a list (count, sum, avg, min, max, first, last, collect, join, "
        "count_distinct), for the whole list or per group."
    )
    Config = AggregateConfig
    example = {
        "items": {"var": "trigger.body.orders"},
        "group_by": "country",
        "fields": {
            "orders": {"op": "count"},
            "revenue": {"op": "sum", "path": "total"},
            "customers": {"op": "join", "path": "customer.name", "separator": "; "},
        },
    }

    def validate_config(self, config: Any) -> list[tuple[str | None, str]]:
        # The field's own validator can only name the field; the form should mark its path.
        return [
            (f"{path}.path" if message.startswith(PATH_NEEDED) else path, message)
            for path, message in super().validate_config(config)
        ]

    def execute(self, ctx: NodeContext, config: AggregateConfig, input: Any) -> dict[str, Any]:
        items = input if config.items is None else ctx.evaluate(config.items)
        if not isinstance(items, list):
            kind = "null" if items is None else type(items).__name__
            raise NodeError(f"`items` must be a list; it is {kind}.")
        fields = [_Field(name, spec) for name, spec in config.fields.items()]
        indexed = list(enumerate(items))
        if config.group_by is None:
            return {f.name: f.compute(indexed) for f in fields}
        groups: dict[str, tuple[Any, list[tuple[int, Any]]]] = {}
        for index, item in indexed:
            key = value_at(item, config.group_by)
            groups.setdefault(_identity(key), (key, []))[1].append((index, item))
        return {
            "groups": [
                {GROUP_KEY: key, **{f.name: f.compute(members) for f in fields}}
                for key, members in groups.values()
            ],
            "count": len(groups),
        }
