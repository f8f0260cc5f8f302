"""Approval tasks of `transform.approval` steps: opening one when a run reaches the step, who may
decide, recording a decision (and waking the run), settling the step, the signed e-mail links, and the
lists the API serves.

A decision is taken once: the task row is locked and only a pending one changes, so of two people
deciding at once (or a decision racing the timeout) exactly one wins, and the other gets 409.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from flows.models import ApprovalState, ApprovalTask, Run, RunStatus
from flows.tasks import enqueue_run
from hub import audit
from hub.problems import Conflict, ErrorItem, Forbidden, NotFound, ValidationProblem
from identity import selectors as identity
from nodes.registry import AwaitDecision, NodeError

if TYPE_CHECKING:
    from identity.models import ApiToken

log = logging.getLogger("switchboard.approvals")

LINK_SALT = "switchboard.approval-link"
DECISIONS = {"approve": ApprovalState.APPROVED, "reject": ApprovalState.REJECTED}


# --- opening and settling (the engine's side) ------------------------------------------------------


def approval_task_open(*, run: Run, node_id: str, request: AwaitDecision) -> ApprovalTask:
    """The step's task, made once (a step taken over by another worker finds the one there), and its
    e-mails queued for after the commit. NodeError when the assignee is nobody who could decide."""
    found = ApprovalTask.objects.filter(run=run, node=node_id).first()
    if found is not None:
        return found
    assignee = None
    if request.assignee:
        assignee = get_user_model().objects.filter(username=request.assignee, is_active=True).first()
        if assignee is None:
            raise NodeError(
                f"No active person has the username {request.assignee!r} to decide this approval."
            )
    task = ApprovalTask.objects.create(
        run=run,
        flow_id=run.flow_id,
        node=node_id,
        title=request.title,
        message=request.message,
        data=request.data,
        assignee=assignee,
        role=request.role or "",
        expires_at=request.until,
    )
    from flows.tasks import notify_approval_task

    # robust: a broker that is down must not fail the step; the task is in the inbox regardless.
    transaction.on_commit(lambda: notify_approval_task.send(str(task.pk)), robust=True)
    return task


def approval_settle(
    *, run: Run, node_id: str, now: datetime | None = None
) -> tuple[str, dict[str, Any]] | None:
    """(port, output) once the task is decided or has run out (which marks it expired), else None:
    the step goes on waiting."""
    now = now or timezone.now()
    task = ApprovalTask.objects.select_related("decided_by").filter(run=run, node=node_id).first()
    if task is None:
        raise NodeError("The approval task of this step is gone; replay the run to ask again.")
    if task.state == ApprovalState.PENDING:
        if task.expires_at > now:
            return None
        # Only a task still pending expires: a decision that won the race stands.
        ApprovalTask.objects.filter(pk=task.pk, state=ApprovalState.PENDING).update(
            state=ApprovalState.EXPIRED
        )
        task.refresh_from_db()
        if task.state == ApprovalState.EXPIRED:
            audit.record(
                actor=None,
                action="approval.expired",
                target_type="approval_task",
                target_id=task.pk,
                run=str(task.run_id),
                node=task.node,
            )
    return str(task.state), approval_output(task)


def approval_output(task: ApprovalTask) -> dict[str, Any]:
    return {
        "decision": task.state,
        "by": task.decided_by.get_username() if task.decided_by else None,
        "comment": task.comment,
        "decided_at": task.decided_at.isoformat() if task.decided_at else None,
        "data": task.data,
    }


def approval_tasks_expire_for_run(run: Run) -> int:
    """A cancelled run's open tasks: nobody can decide them any more."""
    return ApprovalTask.objects.filter(run=run, state=ApprovalState.PENDING).update(
        state=ApprovalState.EXPIRED
    )


# --- who may decide --------------------------------------------------------------------------------


def approval_may_decide(task: ApprovalTask, user: Any, *, admin: bool) -> bool:
    """The assignee, or whoever holds the task's role for the flow's team; admins always."""
    if user is None or not user.is_active:
        return False
    if admin:
        return True
    if task.assignee_id is not None:
        return bool(task.assignee_id == user.pk)
    team_id = task.flow.team_id
    if task.role == ApprovalTask.Role.APPROVER:
        return identity.deciders(team_id=team_id).filter(pk=user.pk).exists()
    if task.role == ApprovalTask.Role.TEAM:
        return team_id in identity.user_team_ids(user)
    return False  # role admin: admins only, handled above


def approval_deciders(task: ApprovalTask) -> list[Any]:
    """Everyone who may decide the task and has an e-mail address: whom to tell."""
    people = get_user_model().objects.filter(is_active=True, is_service_account=False).exclude(email="")
    if task.assignee_id is not None:
        chosen = people.filter(pk=task.assignee_id)
    elif task.role == ApprovalTask.Role.APPROVER:
        chosen = identity.deciders(team_id=task.flow.team_id).exclude(email="")
    elif task.role == ApprovalTask.Role.TEAM:
        chosen = people.filter(teams__id=task.flow.team_id)
    else:
        chosen = people.filter(pk__in=[p.pk for p in people if identity.is_admin(p)])
    return list(chosen.distinct().order_by("username"))


def approval_tasks_for(
    *, user: Any, token: ApiToken | None = None, state: str | None = None
) -> QuerySet[ApprovalTask]:
    """The tasks a request may decide (with `state`, in that state); an admin's, every task."""
    tasks = ApprovalTask.objects.select_related("flow", "assignee", "decided_by")
    if not identity.request_is_admin(user, token):
        team_ids = identity.user_team_ids(user)
        mine = Q(assignee=user) | Q(role=ApprovalTask.Role.TEAM, flow__team_id__in=team_ids)
        if identity.user_may_approve(user):
            mine |= Q(role=ApprovalTask.Role.APPROVER, flow__team_id__in=team_ids)
        tasks = tasks.filter(mine)
    return tasks.filter(state=state) if state else tasks


# --- deciding ---------------------------------------------------------------------------------------


@transaction.atomic
def approval_decide(
    *, task_id: Any, user: Any, decision: str, comment: str = "", admin: bool = False, via: str = "api"
) -> ApprovalTask:
    """Record a decision and wake the run. 404 for a task the person cannot see at all, 403 for one
    they see (their team's) but may not decide, 409 once it is decided or expired."""
    if decision not in DECISIONS:
        raise ValidationProblem([ErrorItem(field="decision", message="`decision` is `approve` or `reject`.")])
    try:
        task = ApprovalTask.objects.select_for_update(of=("self",)).select_related("flow").get(pk=task_id)
    except (ApprovalTask.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise NotFound(f"No approval task has the id {task_id}.") from exc
    if not approval_may_decide(task, user, admin=admin):
        if admin or task.flow.team_id in identity.user_team_ids(user):
            raise Forbidden("This approval is someone else's to decide.")
        raise NotFound(f"No approval task has the id {task_id}.")
    if task.state != ApprovalState.PENDING:
        raise Conflict(f"This approval is {task.state} already.")
    now = timezone.now()
    if task.expires_at <= now:
        raise Conflict("This approval has expired.")
    task.state = DECISIONS[decision]
    task.decided_by, task.decided_at, task.comment = user, now, comment
    task.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    audit.record(
        actor=user,
        action=f"approval.{task.state}",
        target_type="approval_task",
        target_id=task.pk,
        run=str(task.run_id),
        flow=str(task.flow_id),
        node=task.node,
        title=task.title,
        comment=comment,
        via=via,
    )
    # The run waits until the task's timeout: make it due now, and send it to a worker on commit.
    if Run.objects.filter(pk=task.run_id, status=RunStatus.WAITING).update(resume_at=now):
        enqueue_run(task.run_id)
    return task


# --- signed links -----------------------------------------------------------------------------------


def approval_link_token(task: ApprovalTask, user: Any) -> str:
    """A link token for one person and one task, valid until the task expires."""
    payload = {"t": str(task.pk), "u": user.pk, "e": int(task.expires_at.timestamp())}
    return signing.dumps(payload, salt=LINK_SALT, compress=True)


def approval_link_read(token: str) -> tuple[ApprovalTask, Any]:
    """The task and person a link names; NotFound for a forged, altered or expired link."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature as exc:
        raise NotFound("This approval link is not valid.") from exc
    if not isinstance(payload, dict) or payload.get("e", 0) < timezone.now().timestamp():
        raise NotFound("This approval link has expired.")
    task_id, user_id = str(payload.get("t")), payload.get("u")
    task = ApprovalTask.objects.select_related("flow", "assignee", "decided_by").filter(pk=task_id).first()
    people = get_user_model().objects.filter(is_active=True)
    person = people.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if task is None or person is None:
        raise NotFound("This approval link is not valid.")
    return task, person
