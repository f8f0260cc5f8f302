"""Reads of the identity app: who holds which role, which teams, and what they may do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from identity.models import ApiToken, Role, RoleGrant, Scope, Team

# What each role may do. Roles add up; a token never exceeds its owner's roles.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset({Scope.FLOWS_READ, Scope.RUNS_READ}),
    Role.BUILDER: frozenset({Scope.FLOWS_READ, Scope.FLOWS_WRITE, Scope.RUNS_READ, Scope.RUNS_WRITE}),
    Role.APPROVER: frozenset({Scope.FLOWS_READ, Scope.RUNS_READ, Scope.VERSIONS_APPROVE}),
    Role.ADMIN: frozenset(s.value for s in Scope if s is not Scope.SCIM),
}


def role_groups() -> dict[str, list[str]]:
    """`ROLE_GROUPS`: role → the group (team) names whose members hold it."""
    return {role: list(groups) for role, groups in settings.ROLE_GROUPS.items() if role in Role.values}


def roles_of_groups(group_names: set[str] | list[str]) -> set[str]:
    names = set(group_names)
    return {role for role, groups in role_groups().items() if names.intersection(groups)}


def user_roles(user: Any) -> list[str]:
    """The roles a person holds: given directly, or through a team named in `ROLE_GROUPS`.
    A superuser holds every role (and nobody becomes one through a group or claim)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return [r.value for r in Role]
    direct = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    return sorted(direct | roles_of_groups(list(user.teams.values_list("name", flat=True))))


def user_scopes(user: Any) -> set[str]:
    scopes: set[str] = set()
    for role in user_roles(user):
        scopes |= ROLE_SCOPES[role]
    return scopes


def request_may(user: Any, token: ApiToken | None, scope: str) -> bool:
    """Whether a request may do `scope`: its person's roles allow it and, for a token, so do the
    token's scopes."""
    if token is not None and scope not in token.scopes:
        return False
    if scope == Scope.SCIM:
        return token is not None
    return scope in user_scopes(user)


def user_may_approve(user: Any) -> bool:
    return Scope.VERSIONS_APPROVE in user_scopes(user)


def is_admin(user: Any) -> bool:
    return Role.ADMIN in user_roles(user)


def approvers_other_than(user: Any) -> bool:
    """Whether anyone but `user` may decide on versions (else the instance is a one-person one)."""
    deciding_roles = [Role.APPROVER.value, Role.ADMIN.value]
    deciding_groups = [g for role in deciding_roles for g in role_groups().get(role, [])]
    others = get_user_model().objects.filter(is_active=True, is_service_account=False).exclude(pk=user.pk)
    return others.filter(
        Q(is_superuser=True) | Q(role_grants__role__in=deciding_roles) | Q(teams__name__in=deciding_groups)
    ).exists()


def user_team_ids(user: Any) -> list[int]:
    return list(Team.objects.filter(members=user).values_list("id", flat=True))


def teams_visible_to(user: Any) -> QuerySet[Team]:
    """Admins see every team; others the teams they belong to."""
    if is_admin(user):
        return Team.objects.all()
    return Team.objects.filter(members=user)


def team_get(team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id).first()


def active_tokens(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)
