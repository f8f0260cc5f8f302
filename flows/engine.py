"""The engine: executes one run of a version's graph, step by step, storing every step as it goes.

A run is held by one claim at a time: a lease on the run row that a heartbeat renews while a step
is slow, and that every write of the running run names, so only a dead worker's run is taken over.
Steps that already succeeded are never executed again — not by a resumed delay, a retry, a replay
from the failed step, or a worker that takes over a run whose previous worker crashed.
"""

from __future__ import annotations

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
from flows.tasks import enqueue_run
from hub import correlation
from hub.events import event_emit
from nodes import registry
from nodes.context import NodeContext
from nodes.expressions import ExpressionError
from nodes.outcomes import AwaitDecision, Emit
from nodes.policies import Policies
from nodes.registry import ERROR_PORT, NodeError, RetryPolicy, Route, Wait
from nodes.selectors import policies_for_team

log = logging.getLogger("switchboard.engine")


def run_execute(run_id: str) -> None:
    run = _claim(run_id)
    if run is None:
        return
    beating = threading.Event()
    heart = threading.Thread(target=_heartbeat, args=(run, beating), name=f"lease-{run.pk}", daemon=True)
    heart.start()
    with correlation.bound(run.correlation_id):
        try:
            _walk(run)
        except IntegrityError:
            # Another worker took the run over (our lease had lapsed) and wrote a step first: it is theirs.
            log.warning("run %s was taken over by another worker; this one stops", run.id)
        except Exception:
            log.exception("the engine failed on run %s", run.id)
            _finish(
                run,
                RunStatus.FAILED,
                error="Switchboard failed while running this flow; "
                "the error is in the server log under this run's correlation id.",
            )
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


def _renew(run: Run) -> bool:
    """Renew the lease; False when the run was cancelled or taken over meanwhile."""
    expires = timezone.now() + timedelta(seconds=settings.RUN_LEASE_SECONDS)
    return _mine(run).update(lease_expires_at=expires) == 1


def _claim(run_id: str) -> Run | None:
    """Take the run if it is ours to take: queued, due after waiting, or abandoned by a crashed worker."""
    now = timezone.now()
    claimable = (
        Q(status=RunStatus.QUEUED)
        | Q(status=RunStatus.WAITING, resume_at__lte=now)
        | Q(status=RunStatus.RUNNING, lease_expires_at__lt=now)
    )
    with transaction.atomic():
        run = (
            Run.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "version", "flow")
            .filter(claimable, pk=run_id)
            .first()
        )
        if run is None:
            return None
        if _over_concurrency(run):
            # Not dropped: it stays queued and comes back shortly (the sweeper would, too).
            enqueue_run(run.id, at=now + timedelta(seconds=CONCURRENCY_RECHECK_SECONDS))
            return None
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or now
        run.resume_at = None
        run.lease_expires_at = now + timedelta(seconds=settings.RUN_LEASE_SECONDS)
        run.claim = uuid.uuid4()
        run.save(update_fields=["status", "started_at", "resume_at", "lease_expires_at", "claim"])
    live.run_changed(run.pk)
    return run


CONCURRENCY_RECHECK_SECONDS = 1.0


def _over_concurrency(run: Run) -> bool:
    """Whether the flow's `max_concurrency` runs are already running (checked under the flow's lock)."""
    limit = flow_graph.flow_setting(run_graph(run), "max_concurrency")
    if not limit:
        return False
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


def _walk(run: Run) -> None:
    graph = _graph_of(run)
    # The team's node-use policies, read afresh on every walk: tightened after approval, they still
    # hold; a step that breaks one fails with the rule's message (the version itself is untouched).
    rules = policies_for_team(run.flow.team_id)
    refusals = rules.refusals(graph.nodes.values())
    steps = {s.node: s for s in run.steps.all()}
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
        if not _renew(run):
            return  # cancelled, or taken over by another worker
        node = graph.nodes[node_id]
        step = steps.get(node_id)
        if node_id in graph.body_of:
            _loop_body_passed(run, node, position, step)
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
                    steps[node_id] = _skip(run, node, position)
                    continue
                source_output = steps[feeding[0].source].output
            step = _execute_step(
                run,
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
    _finish(run, RunStatus.SUCCEEDED, output=last_output)


def _loop_body_passed(run: Run, node: dict[str, Any], position: int, step: StepRun | None) -> None:
    """A loop's body step: its loop's step ran it for each item and recorded it; when the loop did
    not run it (skipped, or failed into its error port before any item), it is skipped too."""
    if step is None and not StepRun.objects.filter(run=run, node=node["id"]).exists():
        _skip(run, node, position)


def _settled(step: StepRun) -> bool:
    """Done for good and the run goes on: succeeded, skipped, or failed into its `error` port."""
    return step.status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED) or (
        step.status == StepStatus.FAILED and step.port == ERROR_PORT
    )


def _save(step: StepRun, fields: list[str] | None = None) -> None:
    """Store a step's change and push it to whoever watches the run."""
    step.save(update_fields=fields)
    live.step_changed(step)


def _skip(run: Run, node: dict[str, Any], position: int) -> StepRun:
    now = timezone.now()
    step, _ = StepRun.objects.update_or_create(
        run=run,
        node=node["id"],
        defaults={
            "node_type": node["type"],
            "position": position,
            "status": StepStatus.SKIPPED,
            "started_at": now,
            "finished_at": now,
        },
    )
    live.step_changed(step)
    return step


def _execute_step(
    run: Run,
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
    now = timezone.now()
    if step is not None and step.status == StepStatus.WAITING and step.waiting_for == "delay":
        # A delay that has run out: the step succeeds with the output it set aside.
        step.status, step.waiting_for, step.resume_at, step.finished_at = StepStatus.SUCCEEDED, "", None, now
        _save(step, ["status", "waiting_for", "resume_at", "finished_at"])
        return step
    if step is not None and step.status == StepStatus.WAITING and step.waiting_for == "approval":
        return _approval_resume(run, step)
    if step is None:
        step = StepRun(run=run, node=node["id"], node_type=node["type"], position=position, started_at=now)
    step.status = StepStatus.RUNNING
    step.input = source_output
    step.attempts += 1
    step.waiting_for, step.resume_at, step.error = "", None, ""
    _save(step)
    attempt_started = timezone.now()

    node_type = registry.get(node["type"])
    data["input"] = source_output
    policy, route_errors = NO_RETRY, False
    try:
        if node_type is None:
            raise NodeError(f"The node type {node['type']!r} is not installed on this server.")
        config = node_type.parse_config(node.get("config", {}))
        policy, route_errors = policy_for(node_type.category, config.retry), config.on_error == "route"
        if refusal is not None:
            raise NodeError(refusal)  # not retryable: the policy, not the moment, refuses it
        ctx = NodeContext(
            host_guard=rules.host_guard(node),
            team_id=run.flow.team_id,
            flow_owner_id=run.flow.owner_id,
            data=data,
            node_id=node["id"],
            run_id=str(run.id),
            origin_run_id=str(run.origin) if run.origin else None,
            correlation_id=run.correlation_id,
            attempt=step.attempts,
        )
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
    except Exception as raised:
        if isinstance(raised, loops.RunLost):
            raise  # cancelled or taken over mid-loop: nothing more of this run is ours to write
        if isinstance(raised, NodeError):
            error = raised
        elif isinstance(raised, ExpressionError):
            error = NodeError(f"An expression could not be evaluated: {raised}")
        else:
            log.exception("node %s (%s) raised", node["id"], node["type"])
            error = NodeError(f"Unexpected error: {type(raised).__name__}: {raised}")
        return _step_failed(run, step, node, policy, error, attempt_started, route_errors)

    if isinstance(result, AwaitDecision | Emit):
        return _outcome(run, step, node, result, attempt_started, policy, route_errors)
    if isinstance(result, Wait) and result.until > timezone.now():
        step.status, step.waiting_for, step.resume_at, step.output, step.port = (
            StepStatus.WAITING,
            "delay",
            result.until,
            result.output,
            "out",
        )
        _save(step, ["status", "waiting_for", "resume_at", "output", "port"])
        _wait(run, result.until)
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
    _save(step, ["status", "output", "port", "finished_at", "attempt_log"])
    return step


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
    run: Run,
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
    if retrying:
        resume_at = now + timedelta(seconds=backoff_seconds(policy, step.attempts, error.retry_after))
        step.status, step.waiting_for, step.resume_at = StepStatus.WAITING, "retry", resume_at
        _save(step, ["status", "waiting_for", "resume_at", "error", "output", "attempt_log"])
        log.info(
            "step %s failed (attempt %s), retrying at %s: %s",
            node["id"],
            step.attempts,
            resume_at.isoformat(),
            error.message,
        )
        _wait(run, resume_at)
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
        _save(step, ["status", "finished_at", "error", "output", "port", "attempt_log"])
        return step
    _save(step, ["status", "finished_at", "error", "output", "attempt_log"])
    attempts = f" after {step.attempts} attempts" if step.attempts > 1 else ""
    _finish(
        run, RunStatus.FAILED, error=f"Step {node['id']!r} ({node['type']}) failed{attempts}: {error.message}"
    )
    return step


def _wait(run: Run, until: Any) -> None:
    """Park the run without holding a worker; a delayed message (and the sweeper) wakes it."""
    with transaction.atomic():
        _mine(run).update(status=RunStatus.WAITING, resume_at=until, lease_expires_at=None, claim=None)
        enqueue_run(run.id, at=until)
    live.run_changed(run.pk)


def _finish(run: Run, status: RunStatus, *, output: Any = None, error: str = "") -> None:
    with transaction.atomic():
        finished = _mine(run).update(
            status=status,
            output=output,
            error=error,
            finished_at=timezone.now(),
            lease_expires_at=None,
            claim=None,
        )
        if finished and run.version is not None:  # test runs of a draft are the editor's business only
            done = Run.objects.select_related("flow", "version", "event").get(pk=run.pk)
            event_emit(type=f"run.{status}", data=run_event_data(done))
        if finished and status == RunStatus.FAILED:
            run_error_flow_start(run=run, error=error)
    if not finished:
        return  # cancelled, or taken over by another worker: not ours to finish
    log.info("run %s %s", run.id, status)
    live.run_changed(run.pk)


# --- Outcomes the engine acts on for a node: approvals and emitted events (nodes.outcomes) ---------


def _outcome(
    run: Run,
    step: StepRun,
    node: dict[str, Any],
    result: AwaitDecision | Emit,
    attempt_started: datetime,
    policy: RetryPolicy,
    route_errors: bool,
) -> StepRun:
    from flows.approvals import approval_task_open
    from flows.emitting import event_runs_start

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
                _save(step, ["status", "output", "port", "finished_at", "attempt_log"])
                return step
            task = approval_task_open(run=run, node_id=node["id"], request=result)
            step.status, step.waiting_for, step.resume_at = StepStatus.WAITING, "approval", task.expires_at
            _save(step, ["status", "waiting_for", "resume_at"])
            _wait(run, task.expires_at)
            return step
    except NodeError as error:
        return _step_failed(run, step, node, policy, error, attempt_started, route_errors)


def _approval_resume(run: Run, step: StepRun) -> StepRun:
    """A run woken at an approval step: go on by the decision (or `expired`), or wait on."""
    from flows.approvals import approval_settle

    settled = approval_settle(run=run, node_id=step.node)
    if settled is None:  # woken early (the sweeper): the task is still open
        _wait(run, step.resume_at or timezone.now())
        return step
    step.port, step.output = settled
    step.status, step.waiting_for, step.resume_at, step.finished_at = (
        StepStatus.SUCCEEDED,
        "",
        None,
        timezone.now(),
    )
    _save(step, ["status", "port", "output", "waiting_for", "resume_at", "finished_at"])
    return step
