"""`action.table`: a built-in keyed data table per team, for lookups and dedup without another database.

A table is named in the config and made on its first write, in the flow's team: flows of one team share
its tables, other teams never see them. Rows are JSON objects under a text key (CONTRACT-wise plain
data: no code runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from nodes import outbound, selectors, services
from nodes.registry import Expression, NodeConfig, NodeError, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext

MAX_KEY_CHARS = 500
TABLE_NAME = r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,99}$"
WRITES = ("insert", "upsert")


class TableConfig(NodeConfig):
    table: str = Field(
        pattern=TABLE_NAME,
        description="The table's name (letters, digits, space, _ . -; 100 at most). It is made on "
        "the first write, in the flow's team.",
    )
    operation: Literal["insert", "upsert", "lookup", "delete"] = Field(
        description="insert: add a row under a new key. upsert: add or update the row. lookup: read "
        "the row (`found` says whether there was one). delete: remove the row.",
    )
    key: Expression = Field(
        description="The row's key: a template such as {{ input.email }}, a JsonLogic rule or a "
        f"literal; text or a number ({MAX_KEY_CHARS} characters at most).",
    )
    data: Expression = Field(
        default={"var": "input"},
        description="insert and upsert: the row, a JSON object (evaluated; 64 KiB at most). "
        "By default, this step's input.",
    )
    on_conflict: Literal["error", "skip"] = Field(
        default="error",
        title="When the key is there",
        description="insert: error fails the step; skip writes nothing and outputs inserted: false "
        "(to act on each key once).",
    )
    mode: Literal["merge", "replace"] = Field(
        default="merge",
        description="upsert: merge keeps the row's other fields (the new top-level fields win); "
        "replace writes the data as given.",
    )

    # Field validators run only on keys that were given, in declaration order: `operation` is known.
    @field_validator("data")
    @classmethod
    def _data_for_writes(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("operation") not in (None, *WRITES):
            raise ValueError(f"{info.data['operation']} takes no data; only insert and upsert write rows.")
        return value

    @field_validator("on_conflict")
    @classmethod
    def _on_conflict_for_insert(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("operation") not in (None, "insert"):
            raise ValueError("Only insert takes on_conflict (upsert writes over a row that is there).")
        return value

    @field_validator("mode")
    @classmethod
    def _mode_for_upsert(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("operation") not in (None, "upsert"):
            raise ValueError("Only upsert takes a mode.")
        return value


@register
class Table(NodeType[TableConfig]):
    type = "action.table"
    title = "Data table"
    category = "action"
    description = (
        "Stores and reads JSON rows by key in a built-in table of the team: insert (with skip for "
        "dedup), upsert, lookup and delete. After a lookup, branch on `found`."
    )
    Config = TableConfig
    example = {
        "table": "seen-orders",
        "operation": "insert",
        "key": "{{ input.order_id }}",
        "data": {"order_id": {"var": "input.order_id"}, "total": {"var": "input.total"}},
        "on_conflict": "skip",
    }

    def execute(self, ctx: NodeContext, config: TableConfig, input: Any) -> dict[str, Any]:
        if ctx.team_id is None:
            raise NodeError("Data tables belong to a team, and this run's flow has none.")
        key = _key(ctx.evaluate(config.key))
        if config.operation == "lookup":
            row = selectors.table_row_get(team_id=ctx.team_id, table=config.table, key=key)
            return {"found": row is not None, "key": key, "data": row.data if row is not None else None}
        if config.operation == "delete":
            deleted = services.table_row_delete(team_id=ctx.team_id, table=config.table, key=key)
            return {"deleted": deleted, "key": key}
        data = ctx.evaluate(config.data)
        if config.operation == "insert":
            written = services.table_row_insert(
                team_id=ctx.team_id,
                table=config.table,
                key=key,
                data=data,
                skip_existing=config.on_conflict == "skip",
                written_by=ctx.idempotency_key,
            )
            return {"inserted": written.changed, "key": key, "data": written.data}
        written = services.table_row_upsert(
            team_id=ctx.team_id,
            table=config.table,
            key=key,
            data=data,
            mode=config.mode,
            written_by=ctx.idempotency_key,
        )
        return {"created": written.changed, "key": key, "data": written.data}


def _key(value: Any) -> str:
    if value is None or value == "":
        raise NodeError("key: the key is empty (did its template read a field that is not there?).")
    # A boolean is an int to Python, but "True" as a key is a mistake more often than not.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise NodeError(f"key: a key is text or a number; this one is {outbound.as_text(value)!r}.")
    key = value.strip() if isinstance(value, str) else outbound.as_text(value)
    if not key:
        raise NodeError("key: the key is empty (did its template read a field that is not there?).")
    if "\x00" in key:
        raise NodeError("key: the key holds a NUL character, which a table cannot store.")
    if len(key) > MAX_KEY_CHARS:
        raise NodeError(f"key: the key is {len(key)} characters long; {MAX_KEY_CHARS} at most.")
    return key
