"""Reads of the identity app: who holds which role, which teams, and what they may do; and the
people, teams and tokens the identity API lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from hub.problems import ErrorItem, Forbidden, NotFound, ValidationProblem
from identity.models import ApiToken, Membership, Role, RoleGrant, Scope, Team

# Ids beyond a 64-bit integer match nothing; SQLite would raise instead of saying so.
MAX_ID = 2**63 - 1

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


def effective_roles(
    *, is_superuser: bool, is_active: bool, direct: Iterable[str], team_names: Iterable[str]
) -> list[str]:
    """The one rule for roles, given what a person's rows say (so that lists can compute it from
    prefetched rows): direct grants plus the roles of their `ROLE_GROUPS` teams; a superuser holds
    every role; a deactivated person holds none."""
    if not is_active:
        return []
    if is_superuser:
        return [r.value for r in Role]
    return sorted(set(direct) | roles_of_groups(list(team_names)))


# Where `user_roles_keep` keeps a request's person's roles for the rest of the request.
_KEPT_ROLES = "_request_roles"


def user_roles(user: Any) -> list[str]:
    """The roles a person holds: given directly, or through a team named in `ROLE_GROUPS`.
    A superuser holds every role (and nobody becomes one through a group or claim)."""
    if user is None or not user.is_authenticated:
        return []
    kept: tuple[str, ...] | None = getattr(user, _KEPT_ROLES, None)
    if kept is not None:
        return list(kept)
    # Lazy querysets: `effective_roles` reads them only for an active person who is not a superuser.
    return effective_roles(
        is_superuser=user.is_superuser,
        is_active=user.is_active,
        direct=RoleGrant.objects.filter(user=user).values_list("role", flat=True),
        team_names=user.teams.values_list("name", flat=True),
    )


def user_roles_keep(user: Any) -> None:
    """Work out `user`'s roles once and keep them on this object, which lives as long as one API
    request: its permission check, its view's admin checks and team visibility each ask again.
    `ScopedPermission` calls it; nothing long-lived (a websocket's person) may."""
    setattr(user, _KEPT_ROLES, tuple(user_roles(user)))


def scopes_of_roles(roles: Iterable[str]) -> set[str]:
    scopes: set[str] = set()
    for role in roles:
        scopes |= ROLE_SCOPES[role]
    return scopes


def user_scopes(user: Any) -> set[str]:
    return scopes_of_roles(user_roles(user))


def request_may(user: Any, token: ApiToken | None, scope: str) -> bool:
    """Whether a request may do `scope`: its person's roles allow it and, for a token, so do the
    token's scopes."""
    if token is not None and scope not in token.scopes:
        return False
    if scope == Scope.SCIM:
        return token is not None
    return scope in user_scopes(user)


def request_scopes(user: Any, token: ApiToken | None) -> list[str]:
    """Every scope a request may use: its person's roles' scopes, narrowed by its token's."""
    return [s.value for s in Scope if request_may(user, token, s.value)]


def request_is_admin(user: Any, token: ApiToken | None) -> bool:
    """Whether a request may act as an admin: the person is one, and a token was given `admin` too."""
    return request_may(user, token, Scope.ADMIN)


def user_may_approve(user: Any) -> bool:
    return Scope.VERSIONS_APPROVE in user_scopes(user)


def is_admin(user: Any) -> bool:
    return Role.ADMIN in user_roles(user)


def deciders(*, team_id: int) -> QuerySet[Any]:
    """The people who may decide on a version of a flow of team `team_id`: active admins, and
    active approvers in that team (approvers see their teams' flows only). Service accounts never
    count: four eyes are a person's."""
    admin = Role.ADMIN.value
    approver = Role.APPROVER.value
    people = get_user_model().objects.filter(is_active=True, is_service_account=False)
    is_admin_q = (
        Q(is_superuser=True) | Q(role_grants__role=admin) | Q(teams__name__in=role_groups().get(admin, []))
    )
    approver_q = Q(role_grants__role=approver) | Q(teams__name__in=role_groups().get(approver, []))
    in_team = people.filter(teams__id=team_id).filter(approver_q).values("pk")
    return people.filter(Q(pk__in=people.filter(is_admin_q).values("pk")) | Q(pk__in=in_team)).order_by(
        "username"
    )


def user_teams(user: Any) -> QuerySet[Team]:
    """The teams a person belongs to, by name."""
    return Team.objects.filter(members=user).order_by("name")


def user_team_ids(user: Any) -> list[int]:
    return list(Team.objects.filter(members=user).values_list("id", flat=True))


def team_get(team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id).first()


def _valid_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


# --- people ---------------------------------------------------------------------------------------


def person_queryset() -> QuerySet[Any]:
    """People with what their API shape needs (direct roles, memberships and their teams) fetched
    in a fixed number of queries."""
    return get_user_model().objects.prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")),
        Prefetch("memberships", queryset=Membership.objects.select_related("team").order_by("team__name")),
    )


def person_list(
    *, q: str | None = None, active: bool | None = None, service_account: bool | None = None
) -> QuerySet[Any]:
    """People (and service accounts), filtered by a search text, whether they may sign in, and
    whether they are service accounts."""
    people = person_queryset()
    if q:
        people = people.filter(
            Q(username__icontains=q) | Q(email__icontains=q) | Q(display_name__icontains=q)
        )
    if active is not None:
        people = people.filter(is_active=active)
    if service_account is not None:
        people = people.filter(is_service_account=service_account)
    return people


def person_get_or_none(user_id: Any) -> Any | None:
    pk = _valid_id(user_id)
    return person_queryset().filter(pk=pk).first() if pk else None


def person_get(user_id: Any) -> Any:
    """One person or service account; 404 when there is none with that id."""
    found = person_get_or_none(user_id)
    if found is None:
        raise NotFound(f"No person has the id {user_id}.")
    return found


def person_direct_roles(person: Any) -> list[str]:
    """Direct roles from a person of `person_queryset` (prefetched)."""
    return [grant.role for grant in person.role_grants.all()]


def person_memberships(person: Any) -> list[Membership]:
    """Memberships (with their teams) from a person of `person_queryset` (prefetched)."""
    return list(person.memberships.all())


def person_roles(person: Any) -> list[str]:
    """Effective roles of a person of `person_queryset`, from its prefetched rows."""
    return effective_roles(
        is_superuser=person.is_superuser,
        is_active=person.is_active,
        direct=person_direct_roles(person),
        team_names=[m.team.name for m in person_memberships(person)],
    )


def username_taken(username: str, *, exclude_id: int | None = None) -> bool:
    """Usernames are compared without case: `Bob` and `bob` would be two people nobody tells apart."""
    found = get_user_model().objects.filter(username__iexact=username)
    return found.exclude(pk=exclude_id).exists() if exclude_id else found.exists()


def email_taken(email: str, *, exclude_id: int | None = None) -> bool:
    found = get_user_model().objects.filter(email__iexact=email)
    return found.exclude(pk=exclude_id).exists() if exclude_id else found.exists()


def service_account_list(*, active: bool | None = True) -> QuerySet[Any]:
    accounts = person_list(service_account=True, active=active)
    return accounts.annotate(
        active_token_count=Count(
            "api_tokens",
            filter=Q(api_tokens__revoked_at__isnull=True)
            & (Q(api_tokens__expires_at__isnull=True) | Q(api_tokens__expires_at__gt=timezone.now())),
        )
    )


def service_account_get(user_id: Any) -> Any:
    """One service account (deactivated ones too); 404 for a person, as for nobody."""
    pk = _valid_id(user_id)
    found = service_account_list(active=None).filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"No service account has the id {user_id}.")
    return found


# --- teams ----------------------------------------------------------------------------------------


def team_list(*, user: Any, token: ApiToken | None) -> QuerySet[Team]:
    """The teams a request may see, with their member counts: every team for an admin request,
    else the teams its person belongs to."""
    teams = Team.objects.all() if request_is_admin(user, token) else Team.objects.filter(members=user)
    return teams.annotate(member_count=Count("memberships", distinct=True))


def team_visible_get(team_id: Any, *, user: Any, token: ApiToken | None) -> Team:
    """One team the request may see, with its members; 404 for another's team, as for none."""
    pk = _valid_id(team_id)
    found = (
        team_list(user=user, token=token)
        .prefetch_related(
            Prefetch(
                "memberships", queryset=Membership.objects.select_related("user").order_by("user__username")
            )
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise NotFound(f"No team has the id {team_id}.")
    return found


def team_get_or_404(team_id: Any) -> Team:
    pk = _valid_id(team_id)
    found = team_get(pk) if pk else None
    if found is None:
        raise NotFound(f"No team has the id {team_id}.")
    return found


def team_roles(team: Team) -> list[str]:
    """The roles a team gives its members through `ROLE_GROUPS`."""
    return sorted(roles_of_groups([team.name]))


def team_is_default(team: Team) -> bool:
    return team.name == settings.DEFAULT_TEAM


def team_name_taken(name: str, *, exclude_id: int | None = None) -> bool:
    found = Team.objects.filter(name__iexact=name)
    return found.exclude(pk=exclude_id).exists() if exclude_id else found.exists()


def team_member_get(team: Team, user_id: Any) -> Any:
    """A member of `team`; 404 when that person is not one."""
    pk = _valid_id(user_id)
    found = Membership.objects.select_related("user").filter(team=team, user_id=pk).first() if pk else None
    if found is None:
        raise NotFound(f"Nobody with the id {user_id} is a member of {team.name!r}.")
    return found.user


def team_members(team: Team) -> list[Membership]:
    """Memberships with their people, from a team of `team_visible_get` (prefetched)."""
    return list(team.memberships.all())


# --- tokens ---------------------------------------------------------------------------------------


def token_is_active(token: ApiToken) -> bool:
    """Whether a token still signs in: not revoked, not expired, and its owner still active."""
    return (
        token.revoked_at is None
        and (token.expires_at is None or token.expires_at > timezone.now())
        and token.user.is_active
    )


def token_list(*, owner_id: int | None = None, active: bool | None = None) -> QuerySet[ApiToken]:
    """Tokens, of one owner or (owner_id None) of everyone, with their owners and makers."""
    tokens = ApiToken.objects.select_related("user", "created_by")
    if owner_id is not None:
        tokens = tokens.filter(user_id=owner_id)
    if active is not None:
        live = (
            Q(revoked_at__isnull=True)
            & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            & Q(user__is_active=True)
        )
        tokens = tokens.filter(live) if active else tokens.exclude(live)
    return tokens


def tokens_visible(
    *,
    user: Any,
    token: ApiToken | None,
    owner_id: Any = None,
    everyone: bool = False,
    active: bool | None = None,
) -> QuerySet[ApiToken]:
    """The tokens a request may list: its person's own; an admin request may ask for one owner's
    (`owner_id`) or everyone's, service accounts and SCIM tokens included."""
    if owner_id is not None:
        pk = _valid_id(owner_id)
        if pk is None:
            raise ValidationProblem([ErrorItem(field="owner", message="`owner` is a person's id.")])
        if pk != user.pk and not request_is_admin(user, token):
            raise Forbidden("Only an admin lists someone else's tokens.")
        return token_list(owner_id=pk, active=active)
    if everyone:
        if not request_is_admin(user, token):
            raise Forbidden("Only an admin lists everyone's tokens.")
        return token_list(active=active)
    return token_list(owner_id=user.pk, active=active)


def token_get(token_id: Any) -> ApiToken:
    pk = _valid_id(token_id)
    found = ApiToken.objects.select_related("user", "created_by").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"No token has the id {token_id}.")
    return found
