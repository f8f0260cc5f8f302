"""Connections: the credentials nodes use, encrypted at rest, never placed in a run's data; the policies
on node use; the built-in data tables (`action.table`); and connectors imported from OpenAPI documents."""

from __future__ import annotations

import uuid

from django.conf import settings as conf
from django.db import models


class Connection(models.Model):
    """A credential. Its scope decides which flows may use it and who sees it: shared with a `team`,
    `personal` to its owner, or instance-wide (neither; only admins make those). Everything secret is
    encrypted with `hub.crypto` and never leaves through the API."""

    class Kind(models.TextChoices):
        API_KEY = "api_key"
        BASIC = "basic"
        BEARER = "bearer"
        OAUTH2 = "oauth2"
        # The signing secret of outbound Standard Webhooks (`action.webhook`).
        WEBHOOK_SECRET = "webhook_secret"
        # A Slack or Teams incoming-webhook URL: the URL itself is the credential (`action.slack/teams`).
        INCOMING_WEBHOOK = "incoming_webhook"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The non-secret settings of the kind (validated by `nodes.connection_kinds`).
    settings = models.JSONField(default=dict, blank=True)
    # Empty only for an OAuth2 public client (PKCE, no client secret).
    secret_encrypted = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=16, blank=True)
    owner = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # A team's connection goes with its team: it must never fall back to instance-wide.
    team = models.ForeignKey(
        "identity.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="connections"
    )
    personal = models.BooleanField(default=False)
    # OAuth2: the token response (access and refresh token), encrypted JSON, and when the access
    # token expires; `oauth_pending_encrypted` holds a started authorization (state nonce, PKCE verifier).
    token_encrypted = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    oauth_pending_encrypted = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-created_at", "id"], name="connection_list")]


class DlpGroup(models.TextChoices):
    """Data-loss-prevention groups (as Power Automate's): one flow may not mix business and
    non-business node types, and a blocked type may not be used at all."""

    BUSINESS = "business"
    NON_BUSINESS = "non_business"
    BLOCKED = "blocked"


class TeamPolicy(models.Model):
    """What a team's flows may use. An empty list means no limit (see `nodes.policies`)."""

    team = models.OneToOneField(
        "identity.Team", on_delete=models.CASCADE, primary_key=True, related_name="node_policy"
    )
    # Node types the team may use; `trigger.*` and `transform.*` allow a whole category.
    allowed_node_types = models.JSONField(default=list)
    # Hosts `action.http` and `action.webhook` may call; `*.example.com` allows its subdomains.
    allowed_hosts = models.JSONField(default=list)
    # Node types whose nodes must be marked `"sensitive": true`.
    require_sensitive = models.JSONField(default=list)
    updated_by = models.ForeignKey(
        conf.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)


class DlpPolicy(models.Model):
    """The instance's one data-loss-prevention policy (a single row, id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    # node type → DlpGroup; types not named take `default_group` (or are exempt, see nodes.policies).
    classification = models.JSONField(default=dict)
    default_group = models.CharField(max_length=16, choices=DlpGroup.choices, default=DlpGroup.NON_BUSINESS)
    updated_by = models.ForeignKey(
        conf.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)


class DataTable(models.Model):
    """A team's keyed table, for lookups and dedup in flows without another database (`action.table`).
    Made on the first write of a flow in the team; the name is unique within the team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey("identity.Team", on_delete=models.CASCADE, related_name="data_tables")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="data_table_team_name")]
        indexes = [models.Index(fields=["-created_at", "id"], name="data_table_list")]


class Connector(models.Model):
    """An API imported from its OpenAPI document; each operation is a node type `connector.<name>.<op>`."""

    name = models.CharField(max_length=63, unique=True)  # a slug: [a-z][a-z0-9_]*
    title = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(
        "identity.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="connectors"
    )
    created_by = models.ForeignKey(
        conf.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["-created_at", "id"], name="connector_list")]

    def __str__(self) -> str:
        return self.name


class TableRow(models.Model):
    """One row of a data table, by its key. The unique (table, key) is what makes insert-if-absent and
    upsert safe when two runs write the same key at once."""

    table = models.ForeignKey(DataTable, on_delete=models.CASCADE, related_name="rows")
    key = models.CharField(max_length=500)
    data = models.JSONField(default=dict)
    # The idempotency key of the step that last wrote the row: a retried or replayed insert of the
    # same step finds its own row and is not taken for a duplicate.
    written_by = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "key"], name="table_row_key")]
        indexes = [models.Index(fields=["table", "-created_at", "id"], name="table_row_list")]


class ConnectorVersion(models.Model):
    """One import of a connector's document. Never changed afterwards: flows pin a version by number."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    spec = models.JSONField()  # the document as imported (parsed JSON)
    source_url = models.CharField(max_length=2000, blank=True)  # where it was fetched from, if it was
    # [{operation_id, method, path, summary, description, server_url, parameters, body, security,
    #   connection_kinds, config_schema}] — see nodes.connectors.openapi
    operations = models.JSONField(default=list)
    # The document's security schemes as our connection kinds: [{scheme, type, kind, settings, …}]
    auth = models.JSONField(default=list)
    skipped = models.JSONField(default=list)  # [{operation, reason}]
    created_by = models.ForeignKey(
        conf.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connector", "number"], name="unique_connector_version_number")
        ]
