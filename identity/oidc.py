"""OpenID Connect sign-in: the steps social-auth's pipeline runs once the provider has vouched for someone.

They decide which Switchboard person the identity is, refuse those who must not get in, keep the
profile current, and make team memberships (and so roles, through `ROLE_GROUPS`) follow the groups claim
on every sign-in. Nothing here ever sets `is_superuser` or `is_staff`: no claim makes anyone an admin
of the instance itself.

How an identity finds its person, in this order:

1. An identity signed in before (provider `oidc`, the ID token's `sub`) is that person, always.
2. A person SCIM provisioned whose `externalId` is the `sub` (Okta sends its user id as both) or the
   `oid` claim (Entra ID, with `externalId` mapped to `objectId`).
3. A person whose username or e-mail is the ID token's e-mail, only when the provider says that e-mail
   is verified (`email_verified: true`). `preferred_username` is never trusted for this: OpenID
   Connect says it is neither unique nor stable.

Superusers and staff (break-glass admins keep to password sign-in) and service accounts are never
found by 2 or 3, nor is a person who already has another identity from the provider (an e-mail address
handed on to a new colleague must not open the old one's account). Otherwise someone new is created,
with an unusable password.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from social_core.exceptions import AuthPolicyError

from hub import audit
from hub.correlation import request_ip
from identity.models import Membership, MembershipSource, Team
from identity.services import membership_add, membership_remove, team_get_or_create

log = logging.getLogger(__name__)

TEAM_NAME_MAX_LENGTH: int = Team._meta.get_field("name").max_length or 150


class SignInRefused(AuthPolicyError):
    """Switchboard refuses someone the provider signed in; the message is shown on the sign-in page."""

    def __init__(self, backend: Any, message: str) -> None:
        super().__init__(backend, message, code="authentication_disallowed", stage="pipeline")
        self.message = message

    def __str__(self) -> str:
        return self.message


def provider_claims(backend: Any, response: dict[str, Any] | None) -> dict[str, Any]:
    """The person's claims: the validated ID token's, completed by the UserInfo answer (whose `sub` the
    backend has checked against the ID token's)."""
    id_token = getattr(backend, "id_token", None) or {}
    return {**(response or {}), **id_token}


def email_verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    # Some providers send the boolean as a string.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def link_provisioned_person(
    backend: Any, uid: str, response: dict[str, Any], user: Any = None, **_: Any
) -> dict[str, Any] | None:
    """Find the person an identity that never signed in before belongs to (see the module docstring)."""
    if user is not None:
        return None
    claims = provider_claims(backend, response)
    people = get_user_model().objects.filter(is_superuser=False, is_staff=False, is_service_account=False)
    subjects = {str(uid)} | ({str(claims["oid"])} if claims.get("oid") else set())
    found = list(people.filter(scim_managed=True, scim_external_id__in=subjects).distinct()[:2])
    email = claims.get("email")
    if not found and isinstance(email, str) and email.strip() and email_verified(claims):
        email = email.strip()
        found = list(people.filter(Q(email__iexact=email) | Q(username__iexact=email)).distinct()[:2])
    if not found:
        return None
    if len(found) > 1:
        raise SignInRefused(
            backend,
            "More than one Switchboard account matches your e-mail address, so sign-in cannot tell which "
            "is yours. Ask an administrator to resolve it.",
        )
    person = found[0]
    if person.social_auth.filter(provider=backend.name).exists():
        raise SignInRefused(
            backend,
            "Your e-mail address belongs to a Switchboard account that signs in with another identity. "
            "Ask an administrator to resolve it.",
        )
    log.info("OIDC identity %s linked to existing person %s", uid, person.get_username())
    return {"user": person, "is_new": False}


def refuse_unwelcome(backend: Any, user: Any = None, **_: Any) -> None:
    """Deactivated people (SCIM `active: false`, or an admin's deactivation) and service accounts never
    get a browser session, whatever the provider says."""
    if user is None:
        return
    if user.is_service_account:
        reason, message = "service_account", "Service accounts cannot sign in; they use API tokens."
    elif not user.is_active or user.deactivated_at is not None:
        reason = "deactivated"
        message = (
            "Your Switchboard account has been deactivated, so you cannot sign in. "
            "Ask an administrator if you need access again."
        )
    else:
        return
    request = getattr(backend.strategy, "request", None)
    audit.record(
        actor=None,
        action="auth.sign_in_refused",
        target_type="user",
        target_id=user.pk,
        username=user.get_username(),
        method="oidc",
        reason=reason,
        ip=request_ip(request) if request is not None else "",
    )
    raise SignInRefused(backend, message)


def update_profile(
    backend: Any, details: dict[str, Any], response: dict[str, Any], user: Any = None, **_: Any
) -> None:
    """Keep e-mail and names as the provider has them. For a person SCIM provisioned, SCIM is the source
    of truth, so sign-in only fills what is blank. The username never changes (SCIM and tokens use it)."""
    if user is None:
        return
    claims = provider_claims(backend, response)
    wanted: dict[str, Any] = {
        "display_name": details.get("fullname"),
        "first_name": details.get("first_name"),
        "last_name": details.get("last_name"),
    }
    # An address the provider says it has not verified is not one to send a person's notifications to.
    if claims.get("email_verified") not in (False, "false"):
        wanted["email"] = details.get("email")
    changed: list[str] = []
    for field, value in wanted.items():
        if not isinstance(value, str) or not value.strip():
            continue
        limit = user._meta.get_field(field).max_length or len(value)
        value = value.strip()[:limit]
        current = getattr(user, field)
        if user.scim_managed and current:
            continue
        if current != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)


def sync_teams(user: Any = None, groups: list[str] | None = None, **_: Any) -> None:
    """Memberships follow the groups claim (`OIDC_GROUPS_CLAIM`), read by the backend from the validated
    ID token or UserInfo; a claim the provider leaves out counts as no groups."""
    if user is None or groups is None:
        return
    memberships_sync_from_claim(user=user, group_names=groups)


@transaction.atomic
def memberships_sync_from_claim(*, user: Any, group_names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Make `user`'s OIDC-sourced memberships exactly the claimed groups: create missing teams, add what
    is new (source `oidc`), remove `oidc` memberships the claim no longer lists. Memberships from SCIM
    or added by an admin are left alone either way. Returns the team names added and removed."""
    names = {name.strip() for name in group_names if isinstance(name, str) and name.strip()}
    too_long = {name for name in names if len(name) > TEAM_NAME_MAX_LENGTH}
    if too_long:
        log.warning("group names over %s characters are ignored: %s", TEAM_NAME_MAX_LENGTH, sorted(too_long))
        names -= too_long
    current = {m.team.name: m for m in Membership.objects.filter(user=user).select_related("team")}
    added: list[str] = []
    for name in sorted(names - current.keys()):
        team = team_get_or_create(name=name, source=MembershipSource.OIDC)
        membership_add(user=user, team=team, source=MembershipSource.OIDC)
        added.append(name)
    removed: list[str] = []
    for name, membership in sorted(current.items()):
        if membership.source == MembershipSource.OIDC and name not in names:
            membership_remove(user=user, team=membership.team)
            removed.append(name)
    return added, removed
