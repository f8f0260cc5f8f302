"""Writes of the identity app: tokens, roles, teams and memberships, and deprovisioning."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from hub import audit
from hub.problems import Conflict
from identity.models import ApiToken, Membership, MembershipSource, Role, RoleGrant, Scope, Team

TOKEN_PREFIX = "sb_"
# The scopes a token gets when none are asked for: everything its owner's roles allow.
DEFAULT_SCOPES = [s.value for s in Scope if s is not Scope.SCIM]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def apitoken_create(
    *,
    user: Any,
    name: str = "",
    scopes: Iterable[str] | None = None,
    expires_at: datetime | None = None,
    created_by: Any = None,
) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    chosen = sorted({Scope(s).value for s in (DEFAULT_SCOPES if scopes is None else scopes)})
    row = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=token[:10],
        digest=token_digest(token),
        scopes=chosen,
        expires_at=expires_at,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    audit.record(
        actor=created_by or user,
        action="token.created",
        target_type="token",
        target_id=row.pk,
        owner=user.get_username(),
        name=name,
        scopes=chosen,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    return row, token


@transaction.atomic
def apitoken_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor, action="token.revoked", target_type="token", target_id=token.pk,
            owner=token.user.get_username(), name=token.name,
        )
    return token


def role_grant(*, user: Any, role: Role | str, actor: Any = None) -> None:
    _, created = RoleGrant.objects.get_or_create(user=user, role=Role(role))
    if created:
        audit.record(actor=actor, action="role.granted", target_type="user", target_id=user.pk,
                     username=user.get_username(), role=str(role))


def role_revoke(*, user: Any, role: Role | str, actor: Any = None) -> None:
    deleted, _ = RoleGrant.objects.filter(user=user, role=Role(role)).delete()
    if deleted:
        audit.record(actor=actor, action="role.revoked", target_type="user", target_id=user.pk,
                     username=user.get_username(), role=str(role))


def team_default() -> Team:
    """The team that holds flows made by someone who belongs to none (`DEFAULT_TEAM`)."""
    team, _ = Team.objects.get_or_create(name=settings.DEFAULT_TEAM)
    return team


def team_for_new_flow(*, user: Any) -> Team:
    """A new flow goes to its maker's first team (by name), or to the default team."""
    return Team.objects.filter(members=user).order_by("name").first() or team_default()


def membership_add(*, user: Any, team: Team, source: MembershipSource | str, actor: Any = None) -> None:
    _, created = Membership.objects.get_or_create(user=user, team=team, defaults={"source": source})
    if created:
        audit.record(actor=actor, action="team.member_added", target_type="team", target_id=team.pk,
                     team=team.name, username=user.get_username(), source=str(source))


def membership_remove(*, user: Any, team: Team, actor: Any = None) -> None:
    deleted, _ = Membership.objects.filter(user=user, team=team).delete()
    if deleted:
        audit.record(actor=actor, action="team.member_removed", target_type="team", target_id=team.pk,
                     team=team.name, username=user.get_username())


# Called with a team about to be deleted, inside the deletion's transaction: `flows` moves the team's
# flows to the default team (a flow never belongs to nobody).
TEAM_DELETION_HOOKS: list[Callable[..., dict[str, Any]]] = []


@transaction.atomic
def team_delete(*, team: Team, actor: Any = None) -> None:
    """Delete a team; its flows move to the default team, which itself cannot be deleted."""
    if team.name == settings.DEFAULT_TEAM:
        raise Conflict(f"{team.name!r} is the default team (DEFAULT_TEAM): it holds flows nobody else does.")
    detail: dict[str, Any] = {}
    for hook in TEAM_DELETION_HOOKS:
        detail.update(hook(team=team, actor=actor))
    audit.record(
        actor=actor, action="team.deleted", target_type="team", target_id=team.pk, team=team.name, **detail
    )
    team.delete()


# Called with the person being deactivated, inside the deactivation's transaction. `flows` registers
# here (in its AppConfig.ready) to hand the person's flows to their teams: identity may not import flows.
DEACTIVATION_HOOKS: list[Callable[..., dict[str, Any]]] = []


def sessions_end(*, user: Any) -> int:
    """Delete every browser session of `user` (sessions are stored in the database)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: Any, actor: Any = None, reason: str) -> None:
    """Deprovision at once: no more sign-in, every session ended, every token revoked; their flows
    stay with their teams. Recorded in the audit log with what moved."""
    now = timezone.now()
    user.is_active = False
    user.deactivated_at = now
    user.save(update_fields=["is_active", "deactivated_at"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    ended = sessions_end(user=user)
    detail: dict[str, Any] = {}
    for hook in DEACTIVATION_HOOKS:
        detail.update(hook(user=user, actor=actor))
    audit.record(
        actor=actor, action="user.deactivated", target_type="user", target_id=user.pk,
        username=user.get_username(), reason=reason, sessions_ended=ended, tokens_revoked=revoked, **detail,
    )


@transaction.atomic
def user_reactivate(*, user: Any, actor: Any = None, reason: str) -> None:
    if user.is_active:
        return
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit.record(actor=actor, action="user.reactivated", target_type="user", target_id=user.pk,
                 username=user.get_username(), reason=reason)
