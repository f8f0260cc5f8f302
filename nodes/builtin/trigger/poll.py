"""`trigger.poll`: change capture for systems without webhooks. The scheduler polls an HTTP endpoint
every `interval_seconds` (through a worker, never in its own loop) and starts one run per item it has
not seen before; the run's trigger output is the item. Fetching and reading the reply live here; the
schedule, the seen keys and the runs are the flows app's (`flows.polling`)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from nodes import outbound
from nodes.registry import (
    HTTP_CONNECTION_KINDS,
    Expression,
    NodeConfig,
    NodeError,
    NodeType,
    connection_widget,
    register,
    widget,
)

if TYPE_CHECKING:
    from nodes.context import NodeContext

MIN_INTERVAL_SECONDS = 10
MAX_KEY_CHARS = 200


class PollConfig(NodeConfig):
    url: str = Field(
        title="URL",
        min_length=1,
        json_schema_extra=widget("template"),
        description="The address to GET. Private and local addresses are refused unless EGRESS_ALLOW "
        "names them.",
    )
    headers: dict[str, Expression] = Field(default_factory=dict, description="Request headers.")
    query: dict[str, Expression] = Field(
        title="Query parameters", default_factory=dict, description="Query parameters added to the URL."
    )
    connection: str | None = Field(
        default=None,
        json_schema_extra=connection_widget(*HTTP_CONNECTION_KINDS),
        description="A connection whose credentials are applied to the request.",
    )
    interval_seconds: int = Field(
        title="Interval (seconds)",
        default=300,
        ge=MIN_INTERVAL_SECONDS,
        le=7 * 24 * 3600,
        description="How often to poll (10 seconds at least).",
    )
    items_path: str = Field(
        default="",
        description="Dotted path to the list of items in the JSON reply, e.g. `data.items`; empty: "
        "the reply itself is the list.",
    )
    id_path: str = Field(
        default="id",
        description="Dotted path to an item's key, e.g. `id`; empty: a hash of the whole item, so any "
        "change makes it a new item.",
    )
    start: Literal["new", "all"] = Field(
        default="new",
        description="`new`: the first poll only remembers the items that exist; `all`: every item "
        "there already starts a run too.",
    )


@register
class PollTrigger(NodeType[PollConfig]):
    type = "trigger.poll"
    title = "Poll"
    category = "trigger"
    pure = True
    description = (
        "Polls an HTTP endpoint on a schedule and starts a run for every item it has not seen before "
        "(remembering each item's key); the run's trigger output is the item."
    )
    Config = PollConfig
    example = {
        "url": "https://api.example.com/orders",
        "query": {"status": "open"},
        "interval_seconds": 300,
        "items_path": "data",
        "id_path": "id",
        "start": "new",
    }

    def execute(self, ctx: NodeContext, config: PollConfig, input: Any) -> Any:
        return input  # the item the poll found


def poll_items(ctx: NodeContext, config: PollConfig) -> list[tuple[str, Any]]:
    """GET the endpoint and return (key, item) for every item of the reply, in the reply's order.
    NodeError when the request fails or the reply holds no list where `items_path` points."""
    reply = outbound.send(
        ctx,
        method="GET",
        url=outbound.evaluate_url(ctx, config.url),
        headers={name: outbound.as_text(ctx.evaluate(v)) for name, v in config.headers.items()},
        params={name: outbound.as_text(ctx.evaluate(v)) for name, v in config.query.items()},
        connection=config.connection,
    )
    items = _at(reply.body, config.items_path)
    if not isinstance(items, list):
        where = f"at `{config.items_path}`" if config.items_path else "as the reply"
        raise NodeError(f"The reply holds no list {where}: found {type(items).__name__}.")
    return [(item_key(item, config.id_path), item) for item in items]


def item_key(item: Any, id_path: str) -> str:
    """An item's key: the value at `id_path`, or a hash of the item (also for a key too long to keep)."""
    if id_path:
        value = _at(item, id_path)
        if value is None or isinstance(value, (dict, list)):
            raise NodeError(f"An item has no usable key at `{id_path}`: {outbound.as_text(item)[:200]}")
        key = str(value)
        return key if len(key) <= MAX_KEY_CHARS else "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _at(value: Any, path: str) -> Any:
    for part in [p for p in path.split(".") if p]:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
