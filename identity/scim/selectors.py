"""Reads for SCIM: which people and teams a provider sees, and their attributes as SCIM documents."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Prefetch, QuerySet

from identity.models import Membership, Team, User
from identity.scim.schemas import ENTERPRISE_USER


def scim_users() -> QuerySet[User]:
    """Everyone a provider may manage: not service accounts (the SCIM token's own owner among them),
    not superusers (the break-glass admins must survive a provider's mistake), and not people it
    deleted."""
    return User.objects.filter(is_service_account=False, is_superuser=False, scim_deleted_at__isnull=True)


def _visible_memberships() -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            user__is_service_account=False, user__is_superuser=False, user__scim_deleted_at__isnull=True
        )
        .select_related("user")
        .order_by("pk")
    )


def scim_users_listed() -> QuerySet[User]:
    """`scim_users()` in a stable order, with what their documents need fetched together."""
    return scim_users().prefetch_related("teams").order_by("pk")


def scim_groups() -> QuerySet[Team]:
    return Team.objects.all()


def scim_groups_listed() -> QuerySet[Team]:
    return (
        scim_groups()
        .prefetch_related(
            Prefetch("memberships", queryset=_visible_memberships(), to_attr="scim_memberships")
        )
        .order_by("pk")
    )


def group_members(team: Team) -> list[User]:
    """The people in a team a provider sees, in the order they joined."""
    memberships = getattr(team, "scim_memberships", None)
    if memberships is None:
        memberships = list(_visible_memberships().filter(team=team))
    return [m.user for m in memberships]


def user_teams(user: User) -> list[Team]:
    return list(user.teams.all())


def user_document(user: User) -> dict[str, Any]:
    """A person's writable SCIM attributes: the columns Switchboard uses, and everything else as the
    provider sent it. Someone never provisioned over SCIM shows their Switchboard profile."""
    kept: dict[str, Any] = copy.deepcopy(user.scim_attributes) if user.scim_managed else {}
    document: dict[str, Any] = {"userName": user.username}
    if user.scim_external_id:
        document["externalId"] = user.scim_external_id
    name = {k: v for k, v in kept.pop("name", {}).items() if k not in {"givenName", "familyName"}}
    if user.first_name:
        name["givenName"] = user.first_name
    if user.last_name:
        name["familyName"] = user.last_name
    if name:
        document["name"] = name
    if user.display_name:
        document["displayName"] = user.display_name
    if not user.scim_managed and user.email:
        kept["emails"] = [{"value": user.email, "type": "work", "primary": True}]
    enterprise = kept.pop(ENTERPRISE_USER, None)
    document.update(kept)
    document["active"] = user.is_active
    if enterprise:
        document[ENTERPRISE_USER] = enterprise
    return document


def group_document(team: Team) -> dict[str, Any]:
    """A team's writable SCIM attributes; members by their SCIM id."""
    document: dict[str, Any] = {"displayName": team.name}
    if team.scim_external_id:
        document["externalId"] = team.scim_external_id
    members = [{"value": str(user.scim_id), "type": "User"} for user in group_members(team)]
    if members:
        document["members"] = members
    return document
