"""Writes of the nodes app: connections (credentials), and the policies on node use."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hub import audit, crypto
from identity.models import Team
from nodes.models import Connection, DlpPolicy, TeamPolicy


@transaction.atomic
def connection_create(
    *, user: Any, name: str, kind: str, secret: str | None = None
) -> tuple[Connection, str | None]:
    """Store a connection's secret encrypted. When no secret is given one is made (a Standard Webhooks
    `whsec_…`) and returned, once, so it can be given to the receiver."""
    made = None
    if not secret:
        secret = made = crypto.new_webhook_secret()
    connection = Connection.objects.create(
        name=name,
        kind=kind,
        owner=user,
        secret_encrypted=crypto.encrypt(secret),
        fingerprint=crypto.fingerprint(secret),
    )
    audit.record(
        actor=user,
        action="connection.created",
        target_type="connection",
        target_id=connection.pk,
        name=name,
        kind=kind,
        fingerprint=connection.fingerprint,
    )
    return connection, made


@transaction.atomic
def connection_delete(*, user: Any, connection: Connection) -> None:
    audit.record(
        actor=user,
        action="connection.deleted",
        target_type="connection",
        target_id=connection.pk,
        name=connection.name,
    )
    connection.delete()


# --- policies on node use ---------------------------------------------------------------------------


def _team_policy_state(policy: TeamPolicy) -> dict[str, Any]:
    return {
        "allowed_node_types": list(policy.allowed_node_types),
        "allowed_hosts": list(policy.allowed_hosts),
        "require_sensitive": list(policy.require_sensitive),
    }


@transaction.atomic
def team_policy_update(
    *,
    user: Any,
    team: Team,
    allowed_node_types: list[str],
    allowed_hosts: list[str],
    require_sensitive: list[str],
) -> TeamPolicy:
    """Replace a team's policy (inputs already validated: `nodes.api`). Recorded with before and
    after; flows already live are held to it from their next step on."""
    policy = TeamPolicy.objects.select_for_update().filter(team=team).first() or TeamPolicy(team=team)
    before = _team_policy_state(policy)
    policy.allowed_node_types = sorted(set(allowed_node_types))
    policy.allowed_hosts = sorted(set(allowed_hosts))
    policy.require_sensitive = sorted(set(require_sensitive))
    policy.updated_by = user
    policy.save()
    after = _team_policy_state(policy)
    if before != after:
        audit.record(
            actor=user,
            action="policy.team_updated",
            target_type="team",
            target_id=team.pk,
            team=team.name,
            before=before,
            after=after,
        )
    return policy


@transaction.atomic
def dlp_policy_update(*, user: Any, classification: dict[str, str], default_group: str) -> DlpPolicy:
    """Replace the instance's data-loss-prevention policy (inputs already validated), with before and
    after in the audit log."""
    policy = DlpPolicy.objects.select_for_update().filter(pk=1).first() or DlpPolicy(pk=1)
    before = {"classification": dict(policy.classification), "default_group": policy.default_group}
    policy.classification = dict(sorted(classification.items()))
    policy.default_group = default_group
    policy.updated_by = user
    policy.save()
    after = {"classification": dict(policy.classification), "default_group": policy.default_group}
    if before != after:
        audit.record(
            actor=user,
            action="policy.dlp_updated",
            target_type="policy",
            target_id="dlp",
            before=before,
            after=after,
        )
    return policy
