"""Writes of the flows app: flows, drafts, versions and their decisions, and starting runs.

Flows belong to teams. The maker chooses the team among their own (an admin among all); a flow moves
between teams only in the hands of someone in both (or an admin); and when its owner is deactivated,
or its team deleted, the flow stays with a team (see the hooks at the end, registered by `flows.apps`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from flows import graph as flow_graph
from flows import live, notifications, selectors
from flows.models import (
    FINISHED,
    DecisionKind,
    Flow,
    FlowVersion,
    Run,
    RunStatus,
    StepRun,
    StepStatus,
    TriggerEvent,
    VersionDecision,
    VersionState,
    WebhookRejection,
    WebhookSecret,
)
from flows.tasks import enqueue_run
from hub import audit, correlation, crypto
from hub.events import event_emit
from hub.problems import Conflict, ErrorItem, Forbidden, Problem, ValidationProblem
from identity import selectors as identity
from identity.services import team_default, team_for_new_flow
from nodes.selectors import policies_for_team, policy_check

if TYPE_CHECKING:
    from identity.models import ApiToken, Team


def _validated(document: Any, *, partial: bool = False) -> dict[str, Any]:
    """The document, normalized; refused with every problem unless `partial` (an unfinished draft,
    which must still be shaped like a flow)."""
    problems = flow_graph.structure_problems(document) if partial else flow_graph.validate(document)
    if problems:
        raise ValidationProblem(problems)
    return flow_graph.normalized(document)


def _team_chosen(user: Any, token: ApiToken | None, team_id: int) -> Team:
    """The team a request names for a flow: one of its person's, or any for an admin. For anyone
    else a team they are not in is refused exactly as one that does not exist, so ids reveal nothing."""
    team = identity.team_get(team_id)
    if identity.request_is_admin(user, token):
        if team is None:
            raise ValidationProblem([ErrorItem(field="team", message=f"No team has the id {team_id}.")])
        return team
    if team is None or team.pk not in identity.user_team_ids(user):
        raise ValidationProblem(
            [ErrorItem(field="team", message=f"You are not a member of a team with the id {team_id}.")]
        )
    return team


@transaction.atomic
def flow_create(
    *,
    user: Any,
    name: str,
    graph: Any,
    partial: bool = False,
    team_id: int | None = None,
    token: ApiToken | None = None,
) -> Flow:
    """A new flow; its `graph` is its draft. It belongs to the team named (the maker's, or any for an
    admin) or else to the maker's first team (`team_for_new_flow`)."""
    team = _team_chosen(user, token, team_id) if team_id is not None else team_for_new_flow(user=user)
    document = _validated(graph, partial=partial)
    flow = Flow.objects.create(name=name, owner=user, team=team, draft={**document, "name": name})
    audit.record(
        actor=user, action="flow.created", target_type="flow", target_id=flow.id, name=name, team=team.name
    )
    return flow


@transaction.atomic
def flow_import(
    *, user: Any, document: Any, team_id: int | None = None, token: ApiToken | None = None
) -> Flow:
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("name"), str)
        or not document["name"].strip()
    ):
        raise ValidationProblem([ErrorItem(field="name", message="The flow document needs a `name`.")])
    return flow_create(user=user, name=document["name"].strip(), graph=document, team_id=team_id, token=token)


@transaction.atomic
def flow_draft_update(*, flow: Flow, user: Any, graph: Any, partial: bool = False) -> Flow:
    document = _validated(graph, partial=partial)
    flow.draft = {**document, "name": flow.name}
    flow.save(update_fields=["draft", "updated_at"])
    audit.record(actor=user, action="flow.draft_updated", target_type="flow", target_id=flow.id)
    return flow


@transaction.atomic
def flow_rename(*, flow: Flow, user: Any, name: str) -> Flow:
    flow.name = name
    flow.draft = {**flow.draft, "name": name}
    flow.save(update_fields=["name", "draft", "updated_at"])
    audit.record(actor=user, action="flow.renamed", target_type="flow", target_id=flow.id, name=name)
    return flow


def _team_ref(team: Team) -> dict[str, Any]:
    return {"id": team.pk, "name": team.name}


@transaction.atomic
def flow_move(*, flow: Flow, user: Any, team_id: int, token: ApiToken | None = None) -> Flow:
    """Hand a flow to another team. Someone in both teams may (an admin always may): the flow leaves
    the one and joins the other, with its versions and runs. Recorded as `flow.moved`, from → to."""
    target = _team_chosen(user, token, team_id)
    flow = Flow.objects.select_for_update(of=("self",)).select_related("team").get(pk=flow.pk)
    if not identity.request_is_admin(user, token) and flow.team_id not in identity.user_team_ids(user):
        raise Forbidden("Only a member of the flow's team, or an admin, may move it.")
    if target.pk == flow.team_id:
        return flow
    if (running := live_version(flow)) is not None:  # it would go on running under the new team's policies
        policy_check(
            team_id=target.pk,
            document=running.graph,
            detail=f"Team {target.name}'s policies do not allow the live version of this flow; "
            "change the flow first. Each problem is listed in `errors`.",
        )
    source = flow.team
    flow.team = target
    flow.save(update_fields=["team", "updated_at"])
    audit.record(
        actor=user,
        action="flow.moved",
        target_type="flow",
        target_id=flow.id,
        name=flow.name,
        **{"from": _team_ref(source), "to": _team_ref(target)},
    )
    return flow


@transaction.atomic
def flow_update(
    *,
    flow: Flow,
    user: Any,
    name: str | None = None,
    team_id: int | None = None,
    token: ApiToken | None = None,
) -> Flow:
    """Move and rename in one go: either both happen or neither."""
    if team_id is not None:
        flow = flow_move(flow=flow, user=user, team_id=team_id, token=token)
    if name is not None:
        flow = flow_rename(flow=flow, user=user, name=name)
    return flow


@transaction.atomic
def flow_set_paused(*, flow: Flow, user: Any, paused: bool) -> Flow:
    flow.paused = paused
    flow.save(update_fields=["paused", "updated_at"])
    audit.record(
        actor=user, action="flow.paused" if paused else "flow.resumed", target_type="flow", target_id=flow.id
    )
    return flow


@transaction.atomic
def version_submit(*, flow: Flow, user: Any, note: str = "") -> FlowVersion:
    """Freeze the draft as the next numbered version, waiting for approval."""
    flow = Flow.objects.select_for_update().get(pk=flow.pk)
    return _version_freeze(flow=flow, user=user, graph=_validated(flow.draft), note=note)


@transaction.atomic
def version_rollback(*, version: FlowVersion, user: Any, note: str = "") -> FlowVersion:
    """Bring back an earlier version that was live (approved, then retired): a new pending version
    with its graph, reviewed like any other. The draft is left as it is."""
    flow = Flow.objects.select_for_update().get(pk=version.flow_id)
    version = FlowVersion.objects.get(pk=version.pk)
    if version.state != VersionState.RETIRED:
        shown = "live" if version.state == VersionState.APPROVED else version.state
        raise Conflict(
            f"Version {version.number} is {shown}; only a version that was live before (retired) can be "
            "rolled back to."
        )
    text = f"Roll back to version {version.number}" + (f": {note.strip()}" if note.strip() else "")
    return _version_freeze(
        flow=flow, user=user, graph=_validated(version.graph), note=text, rollback_of=version.number
    )


def _version_freeze(
    *, flow: Flow, user: Any, graph: dict[str, Any], note: str, rollback_of: int | None = None
) -> FlowVersion:
    """The one way a version comes to be (a submission, a roll back): numbered, under the team's
    approval rule of the moment, audited, announced, and its deciders told once it commits."""
    policy_check(team_id=flow.team_id, document=graph)  # the team's node-use policies (nodes.policies)
    number = (flow.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = FlowVersion.objects.create(
        flow=flow,
        number=number,
        graph=graph,
        author=user,
        note=note,
        required_approvals=flow.team.required_approvals,
        rollback_of=rollback_of,
    )
    audit.record(
        actor=user,
        action="version.submitted",
        target_type="flow_version",
        target_id=f"{flow.id}/{number}",
        note=note,
        required_approvals=version.required_approvals,
        **({"rollback_of": rollback_of} if rollback_of is not None else {}),
    )
    event_emit(type="version.submitted", data=version_event_data(version))
    notifications.version_submitted_queue(version.pk)
    return version


def _decidable(version: FlowVersion, user: Any) -> FlowVersion:
    """The version, locked with its flow, once it is clear `user` may decide on it now. The flow is
    locked first, as by every decision: one decision per flow at a time, so of two deciders acting at
    once the second sees what the first did (and gets 409 where nothing is left to decide)."""
    if not identity.user_may_approve(user):
        raise Forbidden("Only an approver or an admin may decide on versions.")
    flow = Flow.objects.select_for_update().get(pk=version.flow_id)
    version = FlowVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != VersionState.PENDING:
        raise Conflict(f"Version {version.number} is {version.state}; only a pending version can be decided.")
    version.flow = flow
    return version


def _approvals(version: FlowVersion) -> list[VersionDecision]:
    return list(version.decisions.filter(kind=DecisionKind.APPROVE).select_related("by"))


def _names(decisions: list[VersionDecision]) -> list[str | None]:
    return [decision.by.get_username() if decision.by else None for decision in decisions]


def _decision_add(version: FlowVersion, **fields: Any) -> VersionDecision:
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
            return VersionDecision.objects.create(version=version, **fields)
    except IntegrityError as exc:
        raise Conflict(
            f"Someone decided on version {version.number} at the same moment; reload it to see what stands."
        ) from exc


@transaction.atomic
def version_approve(*, version: FlowVersion, user: Any, comment: str = "") -> FlowVersion:
    """Record an approval; the one that completes the team's rule makes the version live and retires
    the one before, in one transaction (runs already started finish on the version they started on).

    Four eyes: the author may not approve their own version unless nobody else may decide on it (a
    one-person team or instance); then one approval — theirs — suffices, marked as a self-approval.
    With two approvals required, two different people approve, neither the author, and nobody twice;
    where fewer than two others may decide, the ones there are suffice, marked `fewer_deciders`.
    """
    version = _decidable(version, user)
    approvals = _approvals(version)
    if any(decision.by_id == user.pk for decision in approvals):
        raise Conflict(f"You approved version {version.number} already; the next approval is someone else's.")
    other_count = selectors.version_other_deciders(version).count()
    self_approved = version.author_id == user.pk
    if self_approved and other_count:
        raise Forbidden("You wrote this version; someone else must approve it.")
    # What suffices now: the team's rule, or every other decider there is (at least one approval).
    needed = 1 if self_approved else max(1, min(version.required_approvals, other_count))
    fewer_deciders = needed < version.required_approvals
    slot = len(approvals) + 1
    decision = _decision_add(
        version,
        kind=DecisionKind.APPROVE,
        by=user,
        comment=comment,
        self_approved=self_approved,
        fewer_deciders=fewer_deciders,
        slot=slot,
    )
    entry = {
        "actor": user,
        "target_type": "flow_version",
        "target_id": f"{version.flow_id}/{version.number}",
        "comment": comment,
        "self_approved": self_approved,
        "approvals": slot,
        "required_approvals": version.required_approvals,
        "approved_by": [*_names(approvals), user.get_username()],
    }
    if slot < needed:
        audit.record(action="version.approval_added", **entry)
        return version
    retired = list(
        FlowVersion.objects.select_for_update()
        .filter(flow_id=version.flow_id, state=VersionState.APPROVED)
        .values_list("number", flat=True)
    )
    FlowVersion.objects.filter(flow_id=version.flow_id, state=VersionState.APPROVED).update(
        state=VersionState.RETIRED
    )
    _version_decided(version, decision, VersionState.APPROVED)
    audit.record(
        action="version.approved",
        **entry,
        fewer_deciders=fewer_deciders,
        retired=retired[0] if retired else None,
    )
    event_emit(type="version.approved", data=version_event_data(version))
    return version


@transaction.atomic
def version_reject(*, version: FlowVersion, user: Any, comment: str = "") -> FlowVersion:
    """Reject: any one decider's rejection ends the version's review, approvals before it or not.
    The live version stays as it is."""
    version = _decidable(version, user)
    approved_before = _names(_approvals(version))
    decision = _decision_add(version, kind=DecisionKind.REJECT, by=user, comment=comment)
    _version_decided(version, decision, VersionState.REJECTED)
    audit.record(
        actor=user,
        action="version.rejected",
        target_type="flow_version",
        target_id=f"{version.flow_id}/{version.number}",
        comment=comment,
        self_approved=False,
        own_version=version.author_id == user.pk,
        approved_before=approved_before,
    )
    event_emit(type="version.rejected", data=version_event_data(version))
    return version


def _version_decided(version: FlowVersion, decision: VersionDecision, state: VersionState) -> None:
    """The final decision, also kept on the version itself (`decided_by`, … — CONTRACT §3)."""
    version.state = state
    version.decided_by = decision.by
    version.decided_at = decision.at
    version.decision_comment = decision.comment
    version.self_approved = decision.self_approved
    version.save(update_fields=["state", "decided_by", "decided_at", "decision_comment", "self_approved"])


def version_event_data(version: FlowVersion) -> dict[str, Any]:
    """A version as the platform's `version.*` events describe it (hub/asyncapi.yaml)."""
    return {
        "flow": version.flow_id,
        "flow_name": version.flow.name,
        "number": version.number,
        "state": version.state,
        "author": version.author.get_username() if version.author else None,
        "note": version.note,
        "created_at": version.created_at,
        "decided_by": version.decided_by.get_username() if version.decided_by else None,
        "decided_at": version.decided_at,
        "comment": version.decision_comment,
        "self_approved": version.self_approved,
        "url": notifications.version_link(version) if settings.PUBLIC_URL else None,
    }


def run_event_data(run: Run) -> dict[str, Any]:
    """A finished run as the platform's `run.*` events describe it (hub/asyncapi.yaml)."""
    return {
        "id": run.id,
        "flow": run.flow_id,
        "flow_name": run.flow.name,
        "version": run.version.number if run.version else None,
        "status": run.status,
        "trigger": run.event.kind,
        "correlation_id": run.correlation_id,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
        "url": f"{settings.PUBLIC_URL}/runs/{run.id}" if settings.PUBLIC_URL else None,
    }


# --- Runs ------------------------------------------------------------------------------------------


def body_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def live_version(flow: Flow) -> FlowVersion | None:
    return flow.versions.filter(state=VersionState.APPROVED).first()


def run_start(
    *,
    flow: Flow,
    kind: str,
    payload: Any,
    version: FlowVersion | None = None,
    test_graph: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    correlation_id: str | None = None,
    user: Any = None,
) -> tuple[Run, bool]:
    """Store the trigger event and its run, and queue the run on commit.

    Returns (run, created). With an idempotency key already seen for this flow, the first run comes
    back with created=False; the same key with a different request (`fingerprint`, by default a hash
    of the payload) is a 422 problem.
    """
    digest = fingerprint or body_hash(payload)
    try:
        with transaction.atomic():
            event = TriggerEvent.objects.create(
                flow=flow, kind=kind, payload=payload, idempotency_key=idempotency_key, body_hash=digest
            )
            run = Run.objects.create(
                flow=flow,
                version=version,
                graph=test_graph,
                event=event,
                correlation_id=correlation_id or correlation.current_or_new(),
            )
            enqueue_run(run.id)
    except IntegrityError:
        if idempotency_key is None:
            raise
        return _idempotent_repeat(flow, idempotency_key, digest), False
    if user is not None:
        audit.record(actor=user, action=f"run.started.{kind}", target_type="run", target_id=run.id)
    return run, True


def _idempotent_repeat(flow: Flow, key: str, digest: str) -> Run:
    event = TriggerEvent.objects.filter(flow=flow, idempotency_key=key).first()
    if event is None:  # the first request is still being stored
        raise Conflict("A request with this Idempotency-Key is still being processed; try again shortly.")
    if event.body_hash != digest:
        raise Problem(
            "This Idempotency-Key was used before with a different body.",
            status=422,
            title="Idempotency key reused",
            slug="idempotency-key-reused",
        )
    return event.runs.order_by("created_at").first()  # type: ignore[return-value]


def run_start_live(*, flow: Flow, kind: str, payload: Any, **kwargs: Any) -> tuple[Run, bool]:
    """Start the live version; a flow without one (or paused) cannot start."""
    version = live_version(flow)
    if version is None:
        raise Conflict("This flow has no live version yet; submit one and have it approved.")
    if flow.paused:
        raise Conflict("This flow is paused; resume it first.")
    return run_start(flow=flow, kind=kind, payload=payload, version=version, **kwargs)


def run_test(*, flow: Flow, user: Any, payload: Any) -> Run:
    """Run the draft once with `payload` as the trigger's output."""
    document = _validated(flow.draft)
    run, _ = run_start(
        flow=flow, kind=TriggerEvent.Kind.TEST, payload=payload, test_graph=document, user=user
    )
    return run


@transaction.atomic
def run_replay(*, run: Run, user: Any, mode: str) -> Run:
    """A new run of the same version and trigger data; `failed` keeps the steps that had succeeded."""
    replay = Run.objects.create(
        origin=run.origin or run.id,
        flow=run.flow,
        version=run.version,
        graph=run.graph,
        event=run.event,
        correlation_id=run.correlation_id,
        replay_of=run,
    )
    if mode == "failed":
        kept = [
            StepRun(
                run=replay,
                node=s.node,
                node_type=s.node_type,
                position=s.position,
                status=s.status,
                attempts=s.attempts,
                input=s.input,
                output=s.output,
                port=s.port,
                started_at=s.started_at,
                finished_at=s.finished_at,
            )
            for s in run.steps.filter(status=StepStatus.SUCCEEDED)
        ]
        StepRun.objects.bulk_create(kept)
    enqueue_run(replay.id)
    audit.record(
        actor=user,
        action="run.replayed",
        target_type="run",
        target_id=replay.id,
        replay_of=str(run.id),
        mode=mode,
    )
    return replay


@transaction.atomic
def run_cancel(*, run: Run, user: Any) -> Run:
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.status in FINISHED:
        raise Conflict(f"The run has already {run.status}.")
    now = timezone.now()
    run.status = RunStatus.CANCELLED
    run.finished_at = now
    run.error = f"Cancelled by {user.get_username()}."
    run.save(update_fields=["status", "finished_at", "error"])
    run.steps.filter(status__in=[StepStatus.RUNNING, StepStatus.WAITING]).update(
        status=StepStatus.FAILED, error="The run was cancelled.", finished_at=now
    )
    audit.record(actor=user, action="run.cancelled", target_type="run", target_id=run.id)
    transaction.on_commit(lambda: live.run_changed(run.pk))
    return run


# --- Webhook security --------------------------------------------------------------------------------


@transaction.atomic
def webhook_secret_rotate(*, flow: Flow, user: Any) -> str:
    """A new signing secret for the flow's webhook, returned once; the ones before keep verifying
    for 24 hours so senders can switch over without a gap."""
    now = timezone.now()
    secret = crypto.new_webhook_secret()
    current = WebhookSecret.objects.filter(flow=flow, expires_at__isnull=True)
    current.update(expires_at=now + crypto.SECRET_OVERLAP)
    created = WebhookSecret.objects.create(
        flow=flow, secret_encrypted=crypto.encrypt(secret), fingerprint=crypto.fingerprint(secret)
    )
    audit.record(
        actor=user,
        action="flow.webhook_secret_rotated",
        target_type="flow",
        target_id=flow.id,
        fingerprint=created.fingerprint,
    )
    return secret


def webhook_rejection_count(*, flow_id: Any, reason: str) -> None:
    """Count a refused webhook request: all that is kept of it."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    counter, _ = WebhookRejection.objects.get_or_create(flow_id=flow_id, reason=reason, hour=hour)
    WebhookRejection.objects.filter(pk=counter.pk).update(count=F("count") + 1)


def run_error_flow_start(*, run: Run, error: str) -> Run | None:
    """Start the failed run's flow's error flow (`settings.error_flow`), if it has a live one, with the
    failed run as its trigger data. An error flow's own failures start nothing (no loops)."""
    target_id = flow_graph.flow_setting(selectors.run_graph(run), "error_flow")
    if not target_id or str(target_id) == str(run.flow_id):
        return None
    target = Flow.objects.filter(pk=target_id).first()
    if target is None or run.event.kind == TriggerEvent.Kind.ERROR_FLOW:
        return None
    payload = {
        "run": {
            "id": str(run.id),
            "flow": str(run.flow_id),
            "version": run.version.number if run.version else None,
            "correlation_id": run.correlation_id,
            "error": error,
        },
        "failed_step": run.steps.filter(status=StepStatus.FAILED)
        .values("node", "node_type", "error", "input")
        .first(),
        "trigger": run.event.payload,
    }
    try:
        started, _ = run_start_live(
            flow=target,
            kind=TriggerEvent.Kind.ERROR_FLOW,
            payload=payload,
            idempotency_key=f"error-flow:{run.id}",
            correlation_id=run.correlation_id,
        )
    except Problem as refused:  # not live, or paused: the failure itself is still recorded
        logging.getLogger(__name__).warning(
            "error flow %s of run %s not started: %s", target_id, run.id, refused
        )
        return None
    return started


# --- When people leave and teams go --------------------------------------------------------------
# Registered into identity's hooks by flows.apps (identity may not import flows). Each runs inside the
# identity change's transaction and returns what it did, for that change's audit entry.


def flows_keep_with_teams(*, user: Any, actor: Any = None) -> dict[str, Any]:
    """A deactivated person's flows stay with their teams and lose only their owner: live versions
    keep running, and the team's members go on editing them."""
    owned = Flow.objects.select_for_update(of=("self",)).filter(owner=user).select_related("team")
    flows = list(owned.order_by("name"))
    Flow.objects.filter(pk__in=[flow.pk for flow in flows]).update(owner=None)
    return {
        "flows_kept_by_teams": [
            {"flow": str(flow.pk), "name": flow.name, "team": flow.team.name} for flow in flows
        ]
    }


def flows_move_to_default_team(*, team: Team, actor: Any = None) -> dict[str, Any]:
    """A team about to be deleted hands its flows to the default team (a flow never belongs to no
    team); each move is recorded as `flow.moved`."""
    default = team_default()
    flows = list(Flow.objects.select_for_update().filter(team=team).order_by("name"))
    if team.pk == default.pk or not flows:
        return {}
    Flow.objects.filter(pk__in=[flow.pk for flow in flows]).update(team=default, updated_at=timezone.now())
    rules = policies_for_team(default.pk)
    for flow in flows:
        # Not refused (the team is going), but flagged: the live version's runs will fail at the steps
        # that break the default team's policies.
        running = live_version(flow)
        broken = rules.document_violations(running.graph) if running else []
        audit.record(
            actor=actor,
            action="flow.moved",
            target_type="flow",
            target_id=flow.id,
            name=flow.name,
            reason="team deleted",
            **{"from": _team_ref(team), "to": _team_ref(default)},
            **({"policy_violations": [v.message for v in broken]} if broken else {}),
        )
    return {
        "flows_moved_to": default.name,
        "flows_moved": [{"flow": str(flow.pk), "name": flow.name} for flow in flows],
    }
