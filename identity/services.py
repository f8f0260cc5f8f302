"""Writes of the identity app: tokens, roles, teams and memberships, and deprovisioning.

The functions at the top are the primitives every caller uses (SCIM, OIDC sign-in, commands, flows
hooks). The ones further down are what an admin does in Switchboard's own screens and API: they add
the rules that only apply there — what the identity provider owns (`scim_managed`) is read-only, nobody
changes their own roles or deactivates themselves, a token never gives more than its owner may do.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hub import audit
from hub.problems import Conflict, ErrorItem, Forbidden, NotFound, ValidationProblem
from identity import selectors
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
            actor=actor,
            action="token.revoked",
            target_type="token",
            target_id=token.pk,
            owner=token.user.get_username(),
            name=token.name,
        )
    return token


def role_grant(*, user: Any, role: Role | str, actor: Any = None) -> None:
    _, created = RoleGrant.objects.get_or_create(user=user, role=Role(role))
    if created:
        audit.record(
            actor=actor,
            action="role.granted",
            target_type="user",
            target_id=user.pk,
            username=user.get_username(),
            role=str(role),
        )


def role_revoke(*, user: Any, role: Role | str, actor: Any = None) -> None:
    deleted, _ = RoleGrant.objects.filter(user=user, role=Role(role)).delete()
    if deleted:
        audit.record(
            actor=actor,
            action="role.revoked",
            target_type="user",
            target_id=user.pk,
            username=user.get_username(),
            role=str(role),
        )


def team_default() -> Team:
    """The team that holds flows made by someone who belongs to none (`DEFAULT_TEAM`)."""
    team, _ = Team.objects.get_or_create(name=settings.DEFAULT_TEAM)
    return team


def team_get_or_create(*, name: str, source: MembershipSource | str) -> Team:
    """The team named `name` exactly, made (and audited) when there is none yet: a group an identity
    provider names at sign-in."""
    team, created = Team.objects.get_or_create(name=name)
    if created:
        audit.record(
            actor=None,
            action="team.created",
            target_type="team",
            target_id=team.pk,
            team=name,
            source=str(source),
        )
    return team


def team_for_new_flow(*, user: Any) -> Team:
    """A new flow goes to its maker's first team (by name), or to the default team."""
    return selectors.user_teams(user).first() or team_default()


def membership_add(*, user: Any, team: Team, source: MembershipSource | str, actor: Any = None) -> None:
    _, created = Membership.objects.get_or_create(user=user, team=team, defaults={"source": source})
    if created:
        audit.record(
            actor=actor,
            action="team.member_added",
            target_type="team",
            target_id=team.pk,
            team=team.name,
            username=user.get_username(),
            source=str(source),
        )


def membership_remove(*, user: Any, team: Team, actor: Any = None) -> None:
    deleted, _ = Membership.objects.filter(user=user, team=team).delete()
    if deleted:
        audit.record(
            actor=actor,
            action="team.member_removed",
            target_type="team",
            target_id=team.pk,
            team=team.name,
            username=user.get_username(),
        )


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
        actor=actor,
        action="user.deactivated",
        target_type="user",
        target_id=user.pk,
        username=user.get_username(),
        reason=reason,
        sessions_ended=ended,
        tokens_revoked=revoked,
        **detail,
    )


@transaction.atomic
def user_reactivate(*, user: Any, actor: Any = None, reason: str) -> None:
    if user.is_active:
        return
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit.record(
        actor=actor,
        action="user.reactivated",
        target_type="user",
        target_id=user.pk,
        username=user.get_username(),
        reason=reason,
    )


# --- what an admin does in Switchboard -------------------------------------------------------------

PROVIDER_OWNS = "managed by your identity provider through SCIM"


def _guard_superuser(*, person: Any, actor: Any) -> None:
    # A superuser is the break-glass admin: someone holding only the admin role may not lock them out.
    if person.is_superuser and not getattr(actor, "is_superuser", False):
        raise Forbidden(f"{person.get_username()!r} is a superuser; only another superuser may change them.")


def _roles_valid(roles: Iterable[str], *, field: str = "roles") -> list[str]:
    chosen = sorted(set(roles))
    unknown = [r for r in chosen if r not in Role.values]
    if unknown:
        raise ValidationProblem(
            [
                ErrorItem(field=field, message=f"Unknown role {r!r}; roles are {', '.join(Role.values)}.")
                for r in unknown
            ]
        )
    return chosen


def _username_free(username: str) -> None:
    if selectors.username_taken(username):
        raise ValidationProblem([ErrorItem(field="username", message=f"The username {username!r} is taken.")])


def _insert(row: Any, *, field: str, taken: str) -> None:
    """Save a new row whose `field` must be unique: checked before, but two requests at once can
    both pass the check, and the loser gets the same 400 rather than a 500."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationProblem([ErrorItem(field=field, message=taken)]) from exc


def _roles_set(*, user: Any, roles: Iterable[str], actor: Any) -> None:
    wanted = set(roles)
    held = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    for role in sorted(wanted - held):
        role_grant(user=user, role=role, actor=actor)
    for role in sorted(held - wanted):
        role_revoke(user=user, role=role, actor=actor)


@transaction.atomic
def person_create(
    *,
    username: str,
    email: str,
    display_name: str = "",
    password: str | None = None,
    roles: Iterable[str] = (),
    actor: Any,
) -> Any:
    """A local person (not provisioned by SCIM). Without a password they sign in through OIDC only."""
    chosen = _roles_valid(roles)
    errors: list[ErrorItem] = []
    if selectors.username_taken(username):
        errors.append(ErrorItem(field="username", message=f"The username {username!r} is taken."))
    if email and selectors.email_taken(email):
        errors.append(ErrorItem(field="email", message=f"{email!r} is already someone's e-mail address."))
    user = get_user_model()(username=username, email=email, display_name=display_name)
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except DjangoValidationError as exc:
            errors.extend(ErrorItem(field="password", message=m) for m in exc.messages)
    if errors:
        raise ValidationProblem(errors)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    _insert(user, field="username", taken=f"The username {username!r} is taken.")
    audit.record(
        actor=actor,
        action="user.created",
        target_type="user",
        target_id=user.pk,
        username=username,
        email=email,
        display_name=display_name,
        password_set=password is not None,
    )
    _roles_set(user=user, roles=chosen, actor=actor)
    return user


@transaction.atomic
def person_update(
    *,
    person: Any,
    actor: Any,
    display_name: str | None = None,
    email: str | None = None,
    roles: Iterable[str] | None = None,
) -> Any:
    """Change a person's name, e-mail or direct roles (None: leave as it is).

    What the identity provider owns is refused only when it would change, so a form that sends the
    whole record back still saves its roles."""
    _guard_superuser(person=person, actor=actor)
    changed: dict[str, Any] = {}
    conflicts: list[ErrorItem] = []
    for field, value in (("display_name", display_name), ("email", email)):
        if value is None or getattr(person, field) == value:
            continue
        if person.scim_managed:
            conflicts.append(ErrorItem(field=field, message=f"{field} is {PROVIDER_OWNS}; change it there."))
        changed[field] = value
    if conflicts:
        raise Conflict(
            f"{person.get_username()!r} is {PROVIDER_OWNS}: their name and e-mail are changed there.",
            errors=conflicts,
        )
    new_email = changed.get("email")
    if new_email and selectors.email_taken(new_email, exclude_id=person.pk):
        raise ValidationProblem(
            [ErrorItem(field="email", message=f"{new_email!r} is already someone's e-mail address.")]
        )
    if roles is not None:
        wanted = _roles_valid(roles)
        held = sorted(RoleGrant.objects.filter(user=person).values_list("role", flat=True))
        if wanted != held:
            if person.pk == getattr(actor, "pk", None):
                raise Conflict(
                    "Nobody changes their own roles; ask another admin.",
                    errors=[ErrorItem(field="roles", message="You cannot change your own roles.")],
                )
            _roles_set(user=person, roles=wanted, actor=actor)
    if changed:
        for field, value in changed.items():
            setattr(person, field, value)
        person.save(update_fields=list(changed))
        audit.record(
            actor=actor,
            action="user.updated",
            target_type="user",
            target_id=person.pk,
            username=person.get_username(),
            **changed,
        )
    return person


def person_deactivate(*, person: Any, actor: Any) -> Any:
    """Deactivate from Switchboard: allowed even for a SCIM-managed person (break-glass, when the
    provider is slow or out of reach); ends their sessions and tokens at once."""
    if person.pk == getattr(actor, "pk", None):
        raise Conflict("Nobody deactivates themselves; ask another admin.")
    _guard_superuser(person=person, actor=actor)
    if person.is_active:
        user_deactivate(user=person, actor=actor, reason="deactivated by an admin")
    return person


def person_reactivate(*, person: Any, actor: Any) -> Any:
    """Let a person sign in again; for a SCIM-managed person the provider decides, not Switchboard.
    Their tokens stay revoked: they make new ones."""
    if person.scim_managed:
        raise Conflict(f"{person.get_username()!r} is {PROVIDER_OWNS}: reactivate them there.")
    _guard_superuser(person=person, actor=actor)
    user_reactivate(user=person, actor=actor, reason="reactivated by an admin")
    return person


@transaction.atomic
def service_account_create(
    *, username: str, display_name: str = "", roles: Iterable[str] = (), actor: Any
) -> Any:
    """A service account: no password and no browser sign-in; it acts only through its tokens."""
    chosen = _roles_valid(roles)
    _username_free(username)
    account = get_user_model()(username=username, display_name=display_name, is_service_account=True)
    account.set_unusable_password()
    _insert(account, field="username", taken=f"The username {username!r} is taken.")
    audit.record(
        actor=actor,
        action="service_account.created",
        target_type="user",
        target_id=account.pk,
        username=username,
        display_name=display_name,
        roles=chosen,
    )
    _roles_set(user=account, roles=chosen, actor=actor)
    return account


def service_account_delete(*, account: Any, actor: Any) -> None:
    """A service account is deactivated, not erased: its tokens end, and the audit log still names it."""
    if account.pk == getattr(actor, "pk", None):
        raise Conflict("A service account does not delete itself; ask an admin.")
    if account.is_active:
        user_deactivate(user=account, actor=actor, reason="service account deleted")


def _team_editable(team: Team) -> None:
    if team.scim_managed:
        raise Conflict(f"The team {team.name!r} is {PROVIDER_OWNS}; change it there.")


def _team_name_free(name: str, *, exclude_id: int | None = None) -> None:
    if selectors.team_name_taken(name, exclude_id=exclude_id):
        raise ValidationProblem([ErrorItem(field="name", message=f"A team named {name!r} exists.")])


@transaction.atomic
def team_create(*, name: str, actor: Any) -> Team:
    _team_name_free(name)
    team = Team(name=name)
    _insert(team, field="name", taken=f"A team named {name!r} exists.")
    audit.record(actor=actor, action="team.created", target_type="team", target_id=team.pk, team=name)
    return team


@transaction.atomic
def team_rename(*, team: Team, name: str, actor: Any) -> Team:
    """Rename a team made in Switchboard. The default team keeps its name (`DEFAULT_TEAM` names it),
    and a new name that `ROLE_GROUPS` lists gives its members that role — the audit log says so."""
    _team_editable(team)
    if name == team.name:
        return team
    if selectors.team_is_default(team):
        raise Conflict(
            f"{team.name!r} is the default team (DEFAULT_TEAM); change the setting instead.",
            errors=[ErrorItem(field="name", message="The default team keeps its name.")],
        )
    _team_name_free(name, exclude_id=team.pk)
    before = team.name
    team.name = name
    team.save(update_fields=["name"])
    audit.record(
        actor=actor,
        action="team.renamed",
        target_type="team",
        target_id=team.pk,
        team=name,
        before=before,
        roles_before=sorted(selectors.roles_of_groups([before])),
        roles=selectors.team_roles(team),
    )
    return team


@transaction.atomic
def team_required_approvals_set(*, team: Team, required_approvals: int, actor: Any) -> Team:
    """How many different people approve a version of the team's flows: 1 or 2. Versions submitted
    from now on follow it; a version already waiting keeps the rule it was submitted under. Allowed
    on a SCIM-managed team too: the identity provider knows nothing of it."""
    if required_approvals not in (1, 2):
        raise ValidationProblem(
            [ErrorItem(field="required_approvals", message="`required_approvals` is 1 or 2.")]
        )
    before = team.required_approvals
    if before == required_approvals:
        return team
    team.required_approvals = required_approvals
    team.save(update_fields=["required_approvals", "updated_at"])
    audit.record(
        actor=actor,
        action="team.approval_rule_changed",
        target_type="team",
        target_id=team.pk,
        team=team.name,
        before=before,
        required_approvals=required_approvals,
    )
    return team


def team_delete_by_admin(*, team: Team, actor: Any) -> None:
    """Delete a team made in Switchboard; its flows move to the default team (`TEAM_DELETION_HOOKS`)."""
    _team_editable(team)
    team_delete(team=team, actor=actor)


def team_member_add(*, team: Team, user: Any, actor: Any) -> bool:
    """An admin adds someone to a team made in Switchboard (a `local` membership); False when they
    already were a member."""
    _team_editable(team)
    if Membership.objects.filter(user=user, team=team).exists():
        return False
    membership_add(user=user, team=team, source=MembershipSource.LOCAL, actor=actor)
    return True


def team_member_remove(*, team: Team, user: Any, actor: Any) -> None:
    _team_editable(team)
    membership_remove(user=user, team=team, actor=actor)


@transaction.atomic
def apitoken_create_for_request(
    *,
    actor: Any,
    actor_token: ApiToken | None,
    owner: Any,
    name: str,
    scopes: Iterable[str] | None,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """A token asked for over the API, for the caller or (admins only) for a service account.

    A token never gives more than its owner's roles, nor more than the token this request came with
    (a narrow token cannot mint a wide one); `scim` tokens come from `manage.py scimtoken` only."""
    if owner.pk != actor.pk:
        if not selectors.request_is_admin(actor, actor_token):
            raise Forbidden("Only an admin makes tokens for someone else.")
        if not owner.is_service_account:
            raise ValidationProblem(
                [ErrorItem(field="owner", message="Tokens are made for yourself or for a service account.")]
            )
    if not owner.is_active:
        raise Conflict(f"{owner.get_username()!r} is deactivated.")
    owner_scopes = selectors.user_scopes(owner)
    allowed = set(owner_scopes)
    if actor_token is not None:
        allowed &= set(actor_token.scopes)
    if scopes is None:
        chosen = sorted(allowed)
    else:
        chosen = sorted(set(scopes))
        errors = []
        for scope in chosen:
            if scope not in Scope.values:
                errors.append(ErrorItem(field="scopes", message=f"Unknown scope {scope!r}."))
            elif scope == Scope.SCIM:
                errors.append(
                    ErrorItem(field="scopes", message="SCIM tokens are made with `manage.py scimtoken` only.")
                )
            elif scope not in owner_scopes:
                errors.append(
                    ErrorItem(
                        field="scopes", message=f"{owner.get_username()!r}'s roles do not give {scope}."
                    )
                )
            elif scope not in allowed:
                errors.append(
                    ErrorItem(field="scopes", message=f"The token this request uses does not give {scope}.")
                )
        if errors:
            raise ValidationProblem(errors)
    if not chosen:
        raise ValidationProblem(
            [ErrorItem(field="scopes", message="A token needs at least one scope its owner's roles give.")]
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationProblem([ErrorItem(field="expires_at", message="expires_at must be in the future.")])
    return apitoken_create(user=owner, name=name, scopes=chosen, expires_at=expires_at, created_by=actor)


def apitoken_revoke_for_request(*, token: ApiToken, actor: Any, actor_token: ApiToken | None) -> ApiToken:
    """Revoke one's own token, or (admins) anyone's, SCIM tokens included."""
    if token.user_id != actor.pk and not selectors.request_is_admin(actor, actor_token):
        # Not 403: someone else's token is none of the caller's business, not even that it exists.
        raise NotFound("You have no such token.")
    return apitoken_revoke(token=token, actor=actor)
