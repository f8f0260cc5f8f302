"""The engine: executes one run of a version's graph, step by step, storing every step as it goes.

A run is held by one claim at a time: a lease on the run row that a heartbeat renews while a step
is slow, and that every write of the running run names, so only a dead worker's run is taken over.
Steps that already succeeded are never executed again — not by a resumed delay, a retry, a replay
from the failed step, or a worker that takes over a run whose previous worker crashed.

Writes are batched (`_Journal`): a pure step (`NodeType.pure`: a trigger, filter, map, switch…) is
computed in memory and stored with the run's next write — the "running" row of a step that acts on the
world, a wait, or the run's end — in one transaction that also checks the claim. So a run of pure steps
and one HTTP call takes three transactions, whatever its length; a crash in between loses only work that
is computed again, never a step anybody outside the run could have seen.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from flows import graph as flow_graph
from flows import live, loops
from flows.models import Flow, Run, RunStatus, StepRun, StepStatus
from flows.retry import NO_RETRY, backoff_seconds, policy_for
from flows.selectors import run_graph
from flows.services import run_error_flow_start, run_event_data
from flows.steps import node_error, step_context
from flows.tasks import enqueue_run
from hub import correlation
from hub.events import event_emit
from nodes import registry
from nodes.policies import Policies
from nodes.registry import ERROR_PORT, AwaitDecision, Emit, NodeError, RetryPolicy, Route, Wait
from nodes.selectors import policies_for_team

log = logging.getLogger("switchboard.engine")


def run_execute(run_id: str) -> None:
    claimed = _claim(run_id)
    if claimed is None:
        return
    run, fresh = claimed
    beating = threading.Event()
    heart = threading.Thread(target=_heartbeat, args=(run, beating), name=f"lease-{run.pk}", daemon=True)
    heart.start()
    journal = _Journal(run)
    with correlation.bound(run.correlation_id):
        try:
            _walk(journal, fresh=fresh)
        except IntegrityError:
            # Another worker took the run over (our lease had lapsed) and wrote a step first: it is theirs.
            log.warning("run %s was taken over by another worker; this one stops", run.id)
        except Exception:
            log.exception("the engine failed on run %s", run.id)
            error = (
                "Switchboard failed while running this flow; "
                "the error is in the server log under this run's correlation id."
            )
            try:
                _finish(journal, RunStatus.FAILED, error=error)  # with the steps done so far
            except Exception:
                log.exception("could not store the steps of run %s with its failure", run.id)
                journal.pending.clear()
                _finish(journal, RunStatus.FAILED, error=error)
        finally:
            beating.set()
            heart.join()


def _heartbeat(run: Run, done: threading.Event) -> None:
    """Keep the lease while a step takes long (a slow HTTP call), so no other worker takes the run
    over from a live one; only a dead worker's lease lapses."""
    try:
        while not done.wait(settings.RUN_LEASE_SECONDS / 3):
            if not _renew(run):
                return
    finally:
        connection.close()


def _mine(run: Run) -> QuerySet[Run]:
    """The run, only while this claim holds it."""
    return Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING, claim=run.claim)


def _lease_end(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(seconds=settings.RUN_LEASE_SECONDS)


def _renew(run: Run) -> bool:
    """Renew the lease; False when the run was cancelled or taken over meanwhile."""
    return _mine(run).update(lease_expires_at=_lease_end()) == 1


def _claim(run_id: str) -> tuple[Run, bool] | None:
    """Take the run if it is ours to take: queued, due after waiting, or abandoned by a crashed worker.
    With it, whether it is fresh: never started and no replay, so it has no steps yet.

    One conditional UPDATE takes it — its condition is checked again under the row's lock, so of two
    workers only one gets the row. A flow with `max_concurrency` counts its running runs first, under
    its flow's lock, in the same transaction."""
    now = timezone.now()
    claimable = (
        Q(status=RunStatus.QUEUED)
        | Q(status=RunStatus.WAITING, resume_at__lte=now)
        | Q(status=RunStatus.RUNNING, lease_expires_at__lt=now)
    )
    run = Run.objects.select_related("event", "version", "flow").filter(claimable, pk=run_id).first()
    if run is None:
        return None
    limit = flow_graph.flow_setting(run_graph(run), "max_concurrency")
    fresh = run.started_at is None and run.replay_of_id is None
    run.status, run.started_at, run.resume_at = RunStatus.RUNNING, run.started_at or now, None
    run.lease_expires_at = _lease_end(now)
    run.claim = uuid.uuid4()
    with transaction.atomic() if limit else contextlib.nullcontext():
        if limit and _over_concurrency(run, limit):
            # Not dropped: it stays queued and comes back shortly (the sweeper would, too).
            enqueue_run(run.id, at=now + timedelta(seconds=CONCURRENCY_RECHECK_SECONDS))
            return None
        taken = Run.objects.filter(claimable, pk=run_id).update(
            status=run.status,
            started_at=run.started_at,
            resume_at=None,
            lease_expires_at=run.lease_expires_at,
            claim=run.claim,
        )
    if taken != 1:
        return None  # another worker took it first
    live.run_changed(run.pk)
    return run, fresh


CONCURRENCY_RECHECK_SECONDS = 1.0


def _over_concurrency(run: Run, limit: int) -> bool:
    """Whether the flow's `max_concurrency` runs are already running (call in a transaction: the flow's
    row stays locked until it ends, so two workers never both see room for one more)."""
    Flow.objects.select_for_update().filter(pk=run.flow_id).first()
    return Run.objects.filter(flow_id=run.flow_id, status=RunStatus.RUNNING).count() >= limit


_compiled: dict[int, flow_graph.Graph] = {}


def _graph_of(run: Run) -> flow_graph.Graph:
    if run.version is None:
        return flow_graph.compile_graph(run.graph or {})
    # A version's graph is frozen, so its compiled form is kept for the worker's lifetime.
    graph = _compiled.get(run.version.pk)
    if graph is None:
        if len(_compiled) > 1024:
            _compiled.clear()
        graph = _compiled[run.version.pk] = flow_graph.compile_graph(run.version.graph)
    return graph


class _Journal:
    """The run's step changes not stored yet, and the one way the walk stores anything.

    `write` (inside a transaction) checks the claim — renewing its lease, or setting the run's new state
    — and stores every pending step in one statement per kind; watchers hear of them once it commits.
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        self.pending: dict[str, StepRun] = {}

    def add(self, step: StepRun) -> StepRun:
        self.pending[step.node] = step
        return step

    def write(self, **run_fields: Any) -> bool:
        """False, storing nothing, when the run is no longer this claim's (cancelled, or taken over)."""
        if not run_fields:
            run_fields = {"lease_expires_at": _lease_end()}
        if _mine(self.run).update(**run_fields) != 1:
            self.pending.clear()
            return False
        written = list(self.pending.values())
        self.pending.clear()
        stored = [step for step in written if not step._state.adding]
        StepRun.objects.bulk_create([step for step in written if step._state.adding])
        for step in stored:
            step.save()
        run_id = self.run.pk
        transaction.on_commit(lambda: live.steps_changed(run_id, written))
        return True

    def flush(self) -> None:
        """Store what is pending before the walk acts on the world; RunLost when the run is not ours."""
        with transaction.atomic():
            if not self.write():
                raise loops.RunLost(f"run {self.run.pk} was cancelled or taken over")


def _walk(journal: _Journal, *, fresh: bool) -> None:
    run = journal.run
    graph = _graph_of(run)
    # The team's node-use policies, read afresh on every walk: tightened after approval, they still
    # hold; a step that breaks one fails with the rule's message (the version itself is untouched).
    rules = policies_for_team(run.flow.team_id)
    refusals = rules.refusals(graph.nodes.values())
    steps = {} if fresh else {s.node: s for s in run.steps.all()}
    data: dict[str, Any] = {
        "trigger": None,
        "steps": {},
        "input": None,
        "run": {
            "id": str(run.id),
            "flow": str(run.flow_id),
            "version": run.version.number if run.version else None,
            "correlation_id": run.correlation_id,
        },
    }
    last_output: Any = None
    for position, node_id in enumerate(graph.order):
        node = graph.nodes[node_id]
        step = steps.get(node_id)
        if node_id in graph.body_of:
            _loop_body_passed(journal, node, position, step)
            continue
        if step is None or not _settled(step):
            if node_id == graph.trigger:
                source_output: Any = run.event.payload
            else:
                feeding = [
                    e
                    for e in graph.incoming[node_id]
                    if (s := steps.get(e.source)) is not None and _settled(s) and s.port == e.source_port
                ]
                if not feeding:
                    steps[node_id] = _skip(journal, node, position, step)
                    continue
                source_output = steps[feeding[0].source].output
            step = _execute_step(
                journal,
                step,
                node,
                position,
                source_output,
                data,
                rules=rules,
                refusal=refusals.get(node_id),
                graph=graph,
            )
            steps[node_id] = step
            if not _settled(step):
                return  # waiting (delay or retry) or failed: the run has been updated
        if step.status in (StepStatus.SUCCEEDED, StepStatus.FAILED):
            data["steps"][node_id] = step.output
            if node_id == graph.trigger:
                data["trigger"] = step.output
            last_output = step.output
    _finish(journal, RunStatus.SUCCEEDED, output=last_output)


def _loop_body_passed(journal: _Journal, node: dict[str, Any], position: int, step: StepRun | None) -> None:
    """A loop's body step: its loop's step ran it for each item and recorded it; when the loop did
    not run it (skipped, or failed into its error port before any item), it is skipped too."""
    if step is None and not StepRun.objects.filter(run=journal.run, node=node["id"]).exists():
        _skip(journal, node, position, None)


def _settled(step: StepRun) -> bool:
    """Done for good and the run goes on: succeeded, skipped, or failed into its `error` port."""
    return step.status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED) or (
        step.status == StepStatus.FAILED and step.port == ERROR_PORT
    )


def _skip(journal: _Journal, node: dict[str, Any], position: int, step: StepRun | None) -> StepRun:
    now = timezone.now()
    if step is None:
        step = StepRun(run=journal.run, node=node["id"])
    step.node_type, step.position, step.status = node["type"], position, StepStatus.SKIPPED
    step.started_at, step.finished_at = now, now
    return journal.add(step)


def _execute_step(
    journal: _Journal,
    step: StepRun | None,
    node: dict[str, Any],
    position: int,
    source_output: Any,
    data: dict[str, Any],
    *,
    rules: Policies,
    refusal: str | None,
    graph: flow_graph.Graph | None = None,
) -> StepRun:
    run = journal.run
    now = timezone.now()
    if step is not None and step.status == StepStatus.WAITING and step.waiting_for == "delay":
        # A delay that has run out: the step succeeds with the output it set aside.
        step.status, step.waiting_for, step.resume_at, step.finished_at = StepStatus.SUCCEEDED, "", None, now
        return journal.add(step)
    if step is not None and step.status == StepStatus.WAITING and step.waiting_for == "approval":
        return _approval_resume(journal, step)
    if step is None:
        step = StepRun(run=run, node=node["id"], node_type=node["type"], position=position, started_at=now)
    step.status = StepStatus.RUNNING
    step.input = source_output
    step.attempts += 1
    step.waiting_for, step.resume_at, step.error = "", None, ""
    node_type = registry.get(node["type"])
    if node_type is not None and not node_type.pure:
        # It acts on the world: what came before, and that it is running, are stored first.
        journal.add(step)
        journal.flush()
    attempt_started = timezone.now()

    data["input"] = source_output
    policy, route_errors = NO_RETRY, False
    try:
        if node_type is None:
            raise NodeError(f"The node type {node['type']!r} is not installed on this server.")
        config = node_type.parse_config(node.get("config", {}))
        policy, route_errors = policy_for(node_type.category, config.retry), config.on_error == "route"
        if refusal is not None:
            raise NodeError(refusal)  # not retryable: the policy, not the moment, refuses it
        ctx = step_context(run, node, rules=rules, data=data, attempt=step.attempts)
        result = node_type.execute(ctx, config, source_output)
        if graph is not None and node["id"] in graph.loops:
            # A loop's body runs here, for each item, within this one step (flows/loops.py).
            result = loops.loop_execute(
                run=run,
                step=step,
                body=graph.loops[node["id"]],
                items=result,
                config=config,
                data=data,
                graph=graph,
                rules=rules,
                still_mine=lambda: _renew(run),
            )
    except loops.RunLost:
        raise  # cancelled or taken over mid-loop: nothing more of this run is ours to write
    except Exception as raised:
        return _step_failed(
            journal, step, node, policy, node_error(raised, node), attempt_started, route_errors
        )

    if isinstance(result, AwaitDecision | Emit):
        return _outcome(journal, step, node, result, attempt_started, policy, route_errors)
    if isinstance(result, Wait) and result.until > timezone.now():
        step.status, step.waiting_for, step.resume_at, step.output, step.port = (
            StepStatus.WAITING,
            "delay",
            result.until,
            result.output,
            "out",
        )
        journal.add(step)
        _wait(journal, result.until)
        return step
    port: str | None
    if isinstance(result, Wait):
        output, port = result.output, "out"
    elif isinstance(result, Route):
        output, port = result.output, result.port
    else:
        output, port = result, "out"
    step.status, step.output, step.port, step.finished_at = StepStatus.SUCCEEDED, output, port, timezone.now()
    _log_attempt(step, attempt_started, "succeeded")
    return journal.add(step)


def _log_attempt(step: StepRun, started: datetime, status: str, error: str = "") -> None:
    step.attempt_log = [
        *step.attempt_log,
        {
            "attempt": step.attempts,
            "started_at": started.isoformat(),
            "finished_at": timezone.now().isoformat(),
            "status": status,
            "error": error,
        },
    ]


def _step_failed(
    journal: _Journal,
    step: StepRun,
    node: dict[str, Any],
    policy: RetryPolicy,
    error: NodeError,
    attempt_started: datetime,
    route_errors: bool,
) -> StepRun:
    now = timezone.now()
    step.error = error.message
    step.output = error.output
    retrying = error.retryable and step.attempts < policy.max_attempts
    _log_attempt(step, attempt_started, "retrying" if retrying else "failed", error.message)
    journal.add(step)
    if retrying:
        resume_at = now + timedelta(seconds=backoff_seconds(policy, step.attempts, error.retry_after))
        step.status, step.waiting_for, step.resume_at = StepStatus.WAITING, "retry", resume_at
        log.info(
            "step %s failed (attempt %s), retrying at %s: %s",
            node["id"],
            step.attempts,
            resume_at.isoformat(),
            error.message,
        )
        _wait(journal, resume_at)
        return step
    step.status, step.finished_at = StepStatus.FAILED, now
    if route_errors:
        # The flow handles it: the failure leaves through the `error` port as this step's output.
        step.port = ERROR_PORT
        step.output = {
            "error": error.message,
            "node": node["id"],
            "attempts": step.attempts,
            "input": step.input,
            "output": error.output,
        }
        return step
    attempts = f" after {step.attempts} attempts" if step.attempts > 1 else ""
    _finish(
        journal,
        RunStatus.FAILED,
        error=f"Step {node['id']!r} ({node['type']}) failed{attempts}: {error.message}",
    )
    return step


def _wait(journal: _Journal, until: Any) -> None:
    """Park the run without holding a worker; a delayed message (and the sweeper) wakes it."""
    run = journal.run
    with transaction.atomic():
        parked = journal.write(status=RunStatus.WAITING, resume_at=until, lease_expires_at=None, claim=None)
        if parked:
            enqueue_run(run.id, at=until)
    if parked:
        live.run_changed(run.pk)


def _finish(journal: _Journal, status: RunStatus, *, output: Any = None, error: str = "") -> None:
    run = journal.run
    with transaction.atomic():
        finished = journal.write(
            status=status,
            output=output,
            error=error,
            finished_at=timezone.now(),
            lease_expires_at=None,
            claim=None,
        )
        if finished and run.version is not None:  # test runs of a draft are the editor's business only
            event_emit(
                type=f"run.{status}",
                data=lambda: run_event_data(
                    Run.objects.select_related("flow", "version", "event").get(pk=run.pk)
                ),
            )
        if finished and status == RunStatus.FAILED:
            run_error_flow_start(run=run, error=error)
    if not finished:
        return  # cancelled, or taken over by another worker: not ours to finish
    log.info("run %s %s", run.id, status)
    live.run_ended(run.pk)


# --- Outcomes the engine acts on for a node: approvals and emitted events -------------------------


def _outcome(
    journal: _Journal,
    step: StepRun,
    node: dict[str, Any],
    result: AwaitDecision | Emit,
    attempt_started: datetime,
    policy: RetryPolicy,
    route_errors: bool,
) -> StepRun:
    from flows.approvals import approval_task_open
    from flows.emitting import event_runs_start

    run = journal.run
    try:
        with transaction.atomic():
            if isinstance(result, Emit):
                # The started runs and the step's success are stored together (or neither is).
                runs = event_runs_start(
                    run=run, node_id=node["id"], event=result.event, payload=result.payload
                )
                step.status, step.output, step.port = (
                    StepStatus.SUCCEEDED,
                    {"event": result.event, "runs": runs},
                    "out",
                )
                step.finished_at = timezone.now()
                _log_attempt(step, attempt_started, "succeeded")
                journal.add(step)
                if not journal.write():
                    raise loops.RunLost(f"run {run.pk} was cancelled or taken over")
                return step
            task = approval_task_open(run=run, node_id=node["id"], request=result)
            step.status, step.waiting_for, step.resume_at = StepStatus.WAITING, "approval", task.expires_at
            journal.add(step)
            _wait(journal, task.expires_at)
            return step
    except NodeError as error:
        return _step_failed(journal, step, node, policy, error, attempt_started, route_errors)


def _approval_resume(journal: _Journal, step: StepRun) -> StepRun:
    """A run woken at an approval step: go on by the decision (or `expired`), or wait on."""
    from flows.approvals import approval_settle

    settled = approval_settle(run=journal.run, node_id=step.node)
    if settled is None:  # woken early (the sweeper): the task is still open
        _wait(journal, step.resume_at or timezone.now())
        return step
    step.port, step.output = settled
    step.status, step.waiting_for, step.resume_at, step.finished_at = (
        StepStatus.SUCCEEDED,
        "",
        None,
        timezone.now(),
    )
    return journal.add(step)
