"""People, teams, the roles they hold and their API tokens (hashed at rest).

People and teams carry the SCIM identifiers an identity provider gives them; one provisioned by SCIM
(`scim_managed`) is read-only in Switchboard's own screens, because the provider is its source of truth.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer"
    BUILDER = "builder"
    APPROVER = "approver"
    ADMIN = "admin"


class User(AbstractUser):
    """A person, or a service account (no password, no browser sign-in; it only holds tokens)."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scim_external_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    scim_managed = models.BooleanField(default=False)
    display_name = models.CharField(max_length=255, blank=True)
    # SCIM attributes Switchboard keeps as the provider sent them (all e-mails, the enterprise
    # extension, …) so that a read returns what was written.
    scim_attributes = models.JSONField(default=dict, blank=True)
    is_service_account = models.BooleanField(default=False)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Every e-mail address the provider sent, lowercased, each between newlines ("\na@x\nb@y\n"), so an
    # `emails.value` filter is one substring test that SQLite and PostgreSQL evaluate alike.
    scim_emails = models.TextField(blank=True, default="")
    # Set by a SCIM DELETE: the person is gone for the provider (and their userName free again), while
    # the row stays for the audit log and the history of their flows and runs.
    scim_deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # SCIM `meta.lastModified`


class Team(models.Model):
    """A group of people (a SCIM or OIDC group). Flows belong to a team; a group named in
    `ROLE_GROUPS` also gives its members a role."""

    name = models.CharField(max_length=150, unique=True)
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scim_external_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    scim_managed = models.BooleanField(default=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")
    # How many different people (never the author) approve a version of this team's flows before it
    # goes live: 1 (four eyes) or 2. Switchboard's own setting, so a SCIM-managed team has it too.
    required_approvals = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # SCIM `meta.lastModified`

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required_approvals__gte=1, required_approvals__lte=2),
                name="team_required_approvals_1_or_2",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MembershipSource(models.TextChoices):
    LOCAL = "local"  # added in Switchboard by an admin
    SCIM = "scim"  # pushed by the identity provider over SCIM
    OIDC = "oidc"  # read from the groups claim at sign-in (and removed when the claim drops it)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    source = models.CharField(max_length=8, choices=MembershipSource.choices, default=MembershipSource.LOCAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="unique_membership")]


class RoleGrant(models.Model):
    """A role given to a person directly (by `grantrole` or an admin). Roles also come from team
    membership through `ROLE_GROUPS`; see `identity.selectors.user_roles`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_grant")]


class Scope(models.TextChoices):
    """What a token may do, named after business verbs. A token never exceeds its owner's roles."""

    FLOWS_READ = "flows:read"
    FLOWS_WRITE = "flows:write"
    RUNS_READ = "runs:read"
    RUNS_WRITE = "runs:write"
    VERSIONS_APPROVE = "versions:approve"
    ADMIN = "admin"  # settings, connections shared to everyone, people, teams, tokens, audit
    SCIM = "scim"  # provisioning over /scim/v2/ only


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-created_at", "-id"], name="apitoken_list")]
