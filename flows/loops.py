"""Running a loop's body: the steps after a `transform.loop`'s `each` port, once per item, inside the
loop's own step.

Each item gets its own copy of the run context (`loop: {item, index, count}`, `input` = the item for
the body's first steps, `steps` growing with that item's body outputs) and walks the body as the engine
walks a flow: branches, filters and switches route, a step's retry policy applies (inline, with a
bounded total back-off, as nothing inside a step can park the run), and `on_error: route` works.

Items run `concurrency` at a time on a thread pool. Only the loop's thread writes to the database:
as items finish it checkpoints their results into the loop's StepRun (at most every
`CHECKPOINT_SECONDS`), so a retried loop, or a worker that takes the run over after a crash, runs only
the items not yet done. Each item's side effects carry their own idempotency key
(`<origin>:<node>:<index>`), so an item that is run again is recognised by a receiver that honours it.

Body nodes are recorded as one StepRun each (for the run page), whose input and output are the lists
of per-item inputs and outputs.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection
from django.utils import timezone

from flows import live
from flows.graph import Graph, LoopBody
from flows.models import Run, StepRun, StepStatus
from flows.retry import NO_RETRY, backoff_seconds, policy_for
from flows.steps import node_error, step_context
from nodes import registry
from nodes.builtin.transform.loop import BODY_PORT, LoopConfig
from nodes.policies import Policies
from nodes.registry import ERROR_PORT, AwaitDecision, Emit, NodeError, RetryPolicy, Route, Wait

log = logging.getLogger("switchboard.engine")

# Retries inside a loop sleep in the worker (the run cannot wait per item): this much in all, per item.
INLINE_BACKOFF_BUDGET_SECONDS = 30.0
CHECKPOINT_SECONDS = 0.5


class RunLost(IntegrityError):
    """The run was cancelled or taken over while the loop ran: this worker stops writing. (An
    IntegrityError, as the engine already treats a lost race for a step that way.)"""


@dataclass
class Item:
    """One item's pass through the body: each body step's outcome, and the item's result or error."""

    index: int
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    result: Any = None
    error: str = ""
    failed_node: str = ""
    retryable: bool = False
    ran: bool = True

    def stored(self) -> dict[str, Any]:
        return {"result": self.result, "steps": self.steps}


def loop_execute(
    *,
    run: Run,
    step: StepRun,
    body: LoopBody,
    items: list[Any],
    config: LoopConfig,
    data: dict[str, Any],
    graph: Graph,
    rules: Policies,
    still_mine: Callable[[], bool],
) -> Route:
    """Run the body for every item not done yet; the loop's output through `done`, or NodeError
    naming the first failed item (its output keeping the results of the items that succeeded)."""
    done = _checkpoint(step.output, len(items))
    refusals = rules.refusals(graph.nodes.values())
    stop = threading.Event()
    runner = _ItemRunner(
        run=run, body=body, items=items, data=data, graph=graph, rules=rules, refusals=refusals, stop=stop
    )
    finished: dict[int, Item] = dict(done)
    pending = [index for index in range(len(items)) if index not in done]
    last_flush, unsaved = time.monotonic(), False
    with ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix=f"loop-{body.loop}") as pool:
        # Each item in a copy of this thread's context, so log lines keep the run's correlation id.
        running: set[Future[Item]] = {
            pool.submit(contextvars.copy_context().run, runner.run_item, index) for index in pending
        }
        try:
            while running:
                completed, running = wait(running, timeout=CHECKPOINT_SECONDS, return_when=FIRST_COMPLETED)
                for future in completed:
                    item = future.result()
                    if item.ran:
                        finished[item.index], unsaved = item, True
                if time.monotonic() - last_flush >= CHECKPOINT_SECONDS:
                    # Checked every half second while items run, so a cancelled run stops soon.
                    if not still_mine():
                        raise RunLost(f"run {run.pk} was cancelled or taken over during loop {body.loop!r}")
                    if unsaved:
                        _flush(run, step, body, graph, items, finished, final=False)
                    last_flush, unsaved = time.monotonic(), False
        except BaseException:
            stop.set()
            for future in running:
                future.cancel()
            raise
    if not still_mine():
        raise RunLost(f"run {run.pk} was cancelled or taken over during loop {body.loop!r}")
    output = _flush(run, step, body, graph, items, finished, final=True)
    failed = sorted((i for i in finished.values() if i.error), key=lambda i: i.index)
    if failed:
        more = f" ({len(failed) - 1} more items failed)" if len(failed) > 1 else ""
        # Retryable when every failure was (a retry of the loop runs only the items not done).
        retryable = all(i.retryable for i in failed)
        raise NodeError(
            f"item {failed[0].index}: {failed[0].error}{more}", output=output, retryable=retryable
        )
    return Route(output={k: v for k, v in output.items() if k != "checkpoint"}, port="done")


def _checkpoint(output: Any, count: int) -> dict[int, Item]:
    """The items a previous attempt finished, from the loop step's checkpoint (only for the same list)."""
    if not (isinstance(output, dict) and output.get("count") == count):
        return {}
    stored = output.get("checkpoint")
    done = stored.get("done") if isinstance(stored, dict) else None
    if not isinstance(done, dict):
        return {}
    found: dict[int, Item] = {}
    for key, value in done.items():
        if str(key).isdigit() and isinstance(value, dict) and isinstance(value.get("steps"), dict):
            found[int(key)] = Item(index=int(key), steps=value["steps"], result=value.get("result"))
    return found


def _flush(
    run: Run,
    step: StepRun,
    body: LoopBody,
    graph: Graph,
    items: list[Any],
    finished: dict[int, Item],
    *,
    final: bool,
) -> dict[str, Any]:
    """Store the loop's progress (its output with the checkpoint) and its body steps' rows."""
    output = {
        "items": [finished[i].result if i in finished else None for i in range(len(items))],
        "count": len(items),
        "failed": [
            {"index": i.index, "node": i.failed_node, "error": i.error}
            for i in sorted(finished.values(), key=lambda i: i.index)
            if i.error
        ],
        "checkpoint": {"done": {str(i.index): i.stored() for i in finished.values() if not i.error}},
    }
    step.output = output
    step.save(update_fields=["output"])
    rows = [step]
    now = timezone.now()
    for node_id in body.nodes:
        outcomes = [finished[i].steps.get(node_id) if i in finished else None for i in range(len(items))]
        reached = [o for o in outcomes if o is not None and o["status"] != StepStatus.SKIPPED]
        errors = [(i, o["error"]) for i, o in enumerate(outcomes) if o and o["status"] == StepStatus.FAILED]
        if errors:
            status = StepStatus.FAILED
        elif not final:
            status = StepStatus.RUNNING
        else:
            status = StepStatus.SUCCEEDED if reached else StepStatus.SKIPPED
        row, _ = StepRun.objects.update_or_create(
            run=run,
            node=node_id,
            defaults={
                "node_type": graph.nodes[node_id]["type"],
                "position": graph.order.index(node_id),
                "status": status,
                "attempts": max((o["attempts"] for o in reached), default=0),
                "input": [o["input"] if o else None for o in outcomes],
                "output": [o["output"] if o else None for o in outcomes],
                "port": None,
                "error": "; ".join(f"item {i}: {message}" for i, message in errors[:5]),
                "started_at": step.started_at,
                "finished_at": now if final else None,
            },
        )
        rows.append(row)
    live.steps_changed(run.pk, rows)
    return output


@dataclass
class _ItemRunner:
    run: Run
    body: LoopBody
    items: list[Any]
    data: dict[str, Any]
    graph: Graph
    rules: Policies
    refusals: dict[str, str] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run_item(self, index: int) -> Item:
        """Walk the body for one item (in a pool thread, which closes its own DB connection)."""
        try:
            if self.stop.is_set():
                return Item(index=index, ran=False)
            item = self._walk(index)
            if item.error:
                self.stop.set()  # the loop fails: start no more items (those running finish)
            return item
        finally:
            connection.close()

    def _walk(self, index: int) -> Item:
        item = Item(index=index)
        value = self.items[index]
        data = {
            **self.data,
            "steps": dict(self.data["steps"]),
            "input": value,
            "loop": {"item": value, "index": index, "count": len(self.items)},
        }
        for node_id in self.body.nodes:
            feeding = [
                e
                for e in self.graph.incoming[node_id]
                if (e.source == self.body.loop and e.source_port == BODY_PORT)
                or (
                    (s := item.steps.get(e.source)) is not None and _settled(s) and s["port"] == e.source_port
                )
            ]
            if not feeding:
                item.steps[node_id] = _outcome(StepStatus.SKIPPED)
                continue
            source = feeding[0].source
            source_output = value if source == self.body.loop else item.steps[source]["output"]
            outcome = self._execute(node_id, index, source_output, data)
            item.steps[node_id] = outcome
            if _settled(outcome):
                data["steps"][node_id] = outcome["output"]
            else:
                item.error = f"step {node_id!r} failed: {outcome['error']}"
                item.failed_node, item.retryable = node_id, bool(outcome.get("retryable"))
                return item
        last = [item.steps[n]["output"] if _settled(item.steps[n]) else None for n in self.body.last]
        item.result = last[0] if len(last) == 1 else dict(zip(self.body.last, last, strict=True))
        return item

    def _execute(self, node_id: str, index: int, source_output: Any, data: dict[str, Any]) -> dict[str, Any]:
        """One body step for one item, its retry policy applied inline."""
        node = self.graph.nodes[node_id]
        node_type = registry.get(node["type"])
        data["input"] = source_output
        policy: RetryPolicy = NO_RETRY
        route_errors, attempts, slept = False, 0, 0.0
        while True:
            attempts += 1
            try:
                if node_type is None:
                    raise NodeError(f"The node type {node['type']!r} is not installed on this server.")
                config = node_type.parse_config(node.get("config", {}))
                policy, route_errors = (
                    policy_for(node_type.category, config.retry),
                    config.on_error == "route",
                )
                if (refusal := self.refusals.get(node_id)) is not None:
                    raise NodeError(refusal)
                ctx = step_context(
                    self.run, node, rules=self.rules, data=data, attempt=attempts, loop_index=index
                )
                result = node_type.execute(ctx, config, source_output)
                if isinstance(result, Wait | AwaitDecision | Emit):
                    raise NodeError("This step cannot run inside a loop: it waits or starts other flows.")
            except Exception as raised:
                error = node_error(raised, node)
                if error.retryable and attempts < policy.max_attempts and not self.stop.is_set():
                    delay = backoff_seconds(policy, attempts, error.retry_after)
                    if slept + delay <= INLINE_BACKOFF_BUDGET_SECONDS:
                        self.stop.wait(delay)
                        slept += delay
                        continue
                    error = NodeError(
                        f"{error.message} (not retried further: retries inside a loop wait "
                        f"{INLINE_BACKOFF_BUDGET_SECONDS:.0f} s in all at most)",
                        output=error.output,
                    )
                if not route_errors:
                    failed = _outcome(
                        StepStatus.FAILED, source_output, error.output, None, error.message, attempts
                    )
                    # Whether trying later may help, for the loop's own retry policy.
                    return {**failed, "retryable": error.retryable}
                # Handled by the flow, as in the main walk: the error leaves through the `error` port.
                routed = {
                    "error": error.message,
                    "node": node_id,
                    "attempts": attempts,
                    "input": source_output,
                    "output": error.output,
                }
                return _outcome(StepStatus.FAILED, source_output, routed, ERROR_PORT, error.message, attempts)
            output, port = (result.output, result.port) if isinstance(result, Route) else (result, "out")
            return _outcome(StepStatus.SUCCEEDED, source_output, output, port, "", attempts)


def _outcome(
    status: str,
    input: Any = None,
    output: Any = None,
    port: str | None = None,
    error: str = "",
    attempts: int = 0,
) -> dict[str, Any]:
    """One body step's outcome for one item, in the shape the checkpoint stores."""
    return {
        "status": status,
        "input": input,
        "output": output,
        "port": port,
        "error": error,
        "attempts": attempts,
    }


def _settled(outcome: dict[str, Any]) -> bool:
    """As the engine's: succeeded, or failed into its `error` port (the item goes on)."""
    return outcome["status"] == StepStatus.SUCCEEDED or (
        outcome["status"] == StepStatus.FAILED and outcome["port"] == ERROR_PORT
    )
