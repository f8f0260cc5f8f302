"""`transform.loop`: runs the steps after its `each` port once per item of a list, then goes on
through `done` with the results collected in order.

The node itself only works out the list; the engine (flows/loops.py) runs the body for each item,
`concurrency` at a time, and the graph check (flows/graph.py) keeps the body self-contained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.registry import Expression, NodeConfig, NodeError, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext

LOOP_TYPE = "transform.loop"
BODY_PORT = "each"
DONE_PORT = "done"
MAX_ITEMS_CAP = 10_000
# Node types that park the run to wait: a loop body runs inside one step, so it cannot wait.
WAITING_TYPES = frozenset({"transform.delay", "transform.approval"})
# Node types whose result the engine acts on after the step (starting other flows' runs).
NOT_IN_LOOPS = frozenset({"action.emit"})


class LoopConfig(NodeConfig):
    items: Expression = Field(
        description='The list to go through, e.g. {"var": "trigger.body.orders"} or "{{ input.rows }}".',
    )
    concurrency: int = Field(default=1, ge=1, le=10, description="How many items run at once (1 to 10).")
    max_items: int = Field(
        default=1000,
        ge=1,
        le=MAX_ITEMS_CAP,
        description=f"A longer list fails the step rather than running for hours (at most {MAX_ITEMS_CAP}).",
    )


@register
class Loop(NodeType[LoopConfig]):
    type = LOOP_TYPE
    title = "Loop"
    category = "transform"
    description = (
        "Runs the steps connected to its `each` port once for every item of a list (with "
        "`loop.item`, `loop.index` and `loop.count` in the data, and the item as their input), "
        "several at once if you like, then continues through `done` with "
        '{"items": [one result per item], "count": n, "failed": []}.'
    )
    Config = LoopConfig
    ports = (BODY_PORT, DONE_PORT)
    example = {"items": {"var": "trigger.body.orders"}, "concurrency": 3}

    def execute(self, ctx: NodeContext, config: LoopConfig, input: Any) -> list[Any]:
        """The items to go through (the engine runs the body over them)."""
        items = ctx.evaluate(config.items)
        if not isinstance(items, list):
            kind = "null" if items is None else type(items).__name__
            raise NodeError(f"`items` must evaluate to a list; it is {kind}.")
        if len(items) > config.max_items:
            raise NodeError(
                f"The list has {len(items)} items; this loop takes at most {config.max_items} (max_items)."
            )
        return items
