"""Writes made by an identity provider over SCIM: people and teams created, replaced, patched and
deleted. Each is atomic and lands in the audit log; deprovisioning and membership go through
`identity.services`, so SCIM ends sessions, revokes tokens and hands flows on as an admin would.

Every write takes a whole normalised document (`identity.scim.documents`): a PATCH is applied to the
current document first, so replacing and patching share one set of rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from hub import audit
from hub.problems import Conflict as TeamConflict
from identity import selectors as identity_selectors
from identity import services
from identity.models import MembershipSource, Team, User
from identity.scim import selectors
from identity.scim.documents import to_boolean
from identity.scim.errors import Conflict, InvalidValue, Uniqueness

REASON = "scim"
DELETED_MARK = "~deleted~"
# Kept in columns (and so not again in `scim_attributes`).
_USER_COLUMNS = ("userName", "externalId", "displayName", "active")


def _text(document: dict[str, Any], key: str, limit: int, where: str | None = None) -> str:
    value = document.get(key) or ""
    if len(value) > limit:
        raise InvalidValue(f"`{where or key}` is longer than Switchboard keeps ({limit} characters).")
    return str(value)


@dataclass(frozen=True)
class UserFields:
    """What a User document sets on a person."""

    username: str
    external_id: str | None
    display_name: str
    first_name: str
    last_name: str
    email: str
    emails_index: str
    active: bool | None  # None: the document does not say, so it stays as it is
    attributes: dict[str, Any]


def _primary_email(emails: list[dict[str, Any]]) -> str:
    chosen = next((e for e in emails if e.get("primary") is True), emails[0] if emails else None)
    return str(chosen.get("value") or "") if chosen else ""


def user_fields(document: dict[str, Any]) -> UserFields:
    username = _text(document, "userName", 150).strip()
    if not username:
        raise InvalidValue("`userName` is required.")
    name = document.get("name") or {}
    emails = document.get("emails") or []
    email = _primary_email(emails)
    if email:
        if len(email) > 254:
            raise InvalidValue("The primary e-mail address is longer than 254 characters.")
        try:
            EmailValidator()(email)
        except ValidationError as exc:
            raise InvalidValue(f"{email!r} is not an e-mail address.") from exc
    addresses = sorted({str(e["value"]).lower() for e in emails if e.get("value")})
    return UserFields(
        username=username,
        external_id=_text(document, "externalId", 255) or None,
        display_name=_text(document, "displayName", 255),
        first_name=_text(name, "givenName", 150, "name.givenName"),
        last_name=_text(name, "familyName", 150, "name.familyName"),
        email=email,
        emails_index="".join(f"\n{a}" for a in addresses) + "\n" if addresses else "",
        active=to_boolean(document["active"], "active") if "active" in document else None,
        attributes={k: v for k, v in document.items() if k not in _USER_COLUMNS},
    )


def _check_username_free(username: str, user: User | None) -> None:
    """userName is unique regardless of case (RFC 7643 §4.1.1)."""
    if identity_selectors.username_taken(username, exclude_id=user.pk if user else None):
        raise Uniqueness(f"A user named {username!r} already exists.")


def _assign(user: User, fields: UserFields) -> None:
    user.username = fields.username
    user.scim_external_id = fields.external_id
    user.display_name = fields.display_name
    user.first_name = fields.first_name
    user.last_name = fields.last_name
    user.email = fields.email
    user.scim_emails = fields.emails_index
    user.scim_attributes = fields.attributes
    user.scim_managed = True


def _save(instance: User | Team, message: str) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # lost a race with another request for the same name
        raise Uniqueness(message) from exc


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _set_active(user: User, active: bool | None, actor: Any) -> None:
    if active is False and user.is_active:
        services.user_deactivate(user=user, actor=actor, reason=REASON)
    elif active is True and not user.is_active:
        services.user_reactivate(user=user, actor=actor, reason=REASON)


@transaction.atomic
def scim_user_create(*, document: dict[str, Any], actor: Any) -> User:
    fields = user_fields(document)
    _check_username_free(fields.username, None)
    user = User(is_active=True)
    user.set_unusable_password()  # people provisioned over SCIM sign in through single sign-on
    _assign(user, fields)
    _save(user, f"A user named {fields.username!r} already exists.")
    audit.record(
        actor=actor,
        action="scim.user_created",
        target_type="user",
        target_id=user.pk,
        username=user.username,
        scim_id=str(user.scim_id),
        after=selectors.user_document(user),
    )
    _set_active(user, fields.active, actor)
    return user


@transaction.atomic
def scim_user_update(*, user: User, document: dict[str, Any], actor: Any, operation: str) -> User:
    """Replace (PUT) or patch (PATCH, already applied to `document`) a person."""
    fields = user_fields(document)
    _check_username_free(fields.username, user)
    before = selectors.user_document(user)
    _assign(user, fields)
    _save(user, f"A user named {fields.username!r} already exists.")
    _set_active(user, fields.active, actor)
    audit.record(
        actor=actor,
        action="scim.user_updated",
        target_type="user",
        target_id=user.pk,
        username=user.username,
        scim_id=str(user.scim_id),
        operation=operation,
        changes=_changes(before, selectors.user_document(user)),
    )
    return user


def deleted_username(username: str, pk: int) -> str:
    """A unique name that frees the original for the provider to create again."""
    mark = f"{DELETED_MARK}{pk}"
    return username[: 150 - len(mark)] + mark


@transaction.atomic
def scim_user_delete(*, user: User, actor: Any) -> None:
    """Deprovision at once and make the person gone for SCIM; the row stays for the audit log and the
    history of what they did."""
    if user.is_active:
        services.user_deactivate(user=user, actor=actor, reason=REASON)
    original = user.username
    user.username = deleted_username(original, user.pk)
    user.scim_deleted_at = timezone.now()
    user.save(update_fields=["username", "scim_deleted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="scim.user_deleted",
        target_type="user",
        target_id=user.pk,
        username=original,
        scim_id=str(user.scim_id),
        renamed_to=user.username,
    )


# --- Groups ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFields:
    name: str
    external_id: str | None
    members: list[User]


def group_fields(document: dict[str, Any]) -> GroupFields:
    name = _text(document, "displayName", 150).strip()
    if not name:
        raise InvalidValue("`displayName` is required.")
    wanted: list[uuid.UUID] = []
    for member in document.get("members") or []:
        try:
            wanted.append(uuid.UUID(str(member.get("value"))))
        except ValueError as exc:
            raise InvalidValue(f"No user has the id {member.get('value')!r}.") from exc
    found = {u.scim_id: u for u in selectors.scim_users().filter(scim_id__in=wanted)}
    missing = [str(w) for w in wanted if w not in found]
    if missing:
        raise InvalidValue(f"No user has the id {missing[0]!r}; members are users provisioned here.")
    members = list({w: found[w] for w in wanted}.values())
    return GroupFields(name=name, external_id=_text(document, "externalId", 255) or None, members=members)


def _check_team_name_free(name: str, team: Team | None) -> None:
    taken = Team.objects.filter(name=name)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise Uniqueness(f"A group named {name!r} already exists.")


def _set_members(team: Team, members: list[User], actor: Any) -> tuple[list[str], list[str]]:
    """Make the team's visible members exactly `members`; the usernames added and removed."""
    current = {u.pk: u for u in selectors.group_members(team)}
    wanted = {u.pk: u for u in members}
    added = [u for pk, u in wanted.items() if pk not in current]
    removed = [u for pk, u in current.items() if pk not in wanted]
    for user in added:
        services.membership_add(user=user, team=team, source=MembershipSource.SCIM, actor=actor)
    for user in removed:
        services.membership_remove(user=user, team=team, actor=actor)
    return [u.username for u in added], [u.username for u in removed]


@transaction.atomic
def scim_group_create(*, document: dict[str, Any], actor: Any) -> Team:
    fields = group_fields(document)
    _check_team_name_free(fields.name, None)
    team = Team(name=fields.name, scim_external_id=fields.external_id, scim_managed=True)
    _save(team, f"A group named {fields.name!r} already exists.")
    added, _ = _set_members(team, fields.members, actor)
    audit.record(
        actor=actor,
        action="scim.group_created",
        target_type="team",
        target_id=team.pk,
        team=team.name,
        scim_id=str(team.scim_id),
        external_id=team.scim_external_id,
        members=added,
    )
    return team


@transaction.atomic
def scim_group_update(*, team: Team, document: dict[str, Any], actor: Any, operation: str) -> Team:
    fields = group_fields(document)
    _check_team_name_free(fields.name, team)
    before = {"displayName": team.name, "externalId": team.scim_external_id}
    team.name, team.scim_external_id, team.scim_managed = fields.name, fields.external_id, True
    _save(team, f"A group named {fields.name!r} already exists.")  # also marks it modified
    added, removed = _set_members(team, fields.members, actor)
    after = {"displayName": team.name, "externalId": team.scim_external_id}
    audit.record(
        actor=actor,
        action="scim.group_updated",
        target_type="team",
        target_id=team.pk,
        team=team.name,
        scim_id=str(team.scim_id),
        operation=operation,
        changes=_changes(before, after),
        members_added=added,
        members_removed=removed,
    )
    return team


@transaction.atomic
def scim_group_delete(*, team: Team, actor: Any) -> None:
    """Delete a team (its flows move to the default team, which cannot itself be deleted)."""
    audit.record(
        actor=actor,
        action="scim.group_deleted",
        target_type="team",
        target_id=team.pk,
        team=team.name,
        scim_id=str(team.scim_id),
    )
    try:
        services.team_delete(team=team, actor=actor)
    except TeamConflict as exc:
        raise Conflict(exc.detail) from exc
