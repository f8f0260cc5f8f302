"""Reads of the nodes app: connections, and their secrets for the node that uses them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, QuerySet

from hub import crypto
from hub.problems import NotFound, ValidationProblem
from identity.models import Team
from nodes import registry
from nodes.connectors.nodetypes import provider
from nodes.models import Connection, Connector, ConnectorVersion, DlpPolicy, TeamPolicy
from nodes.policies import DlpRules, Policies, TeamRules, Violation


def connection_get(connection_id: Any) -> Connection:
    try:
        return Connection.objects.get(pk=connection_id)
    except (Connection.DoesNotExist, ValueError) as error:
        raise NotFound(f"No connection has the id {connection_id}.") from error


def connection_secret(connection_id: Any, kind: str) -> str | None:
    """The decrypted secret of a connection of `kind`, or None when there is no such connection."""
    connection = Connection.objects.filter(pk=connection_id, kind=kind).first()
    return crypto.decrypt(connection.secret_encrypted) if connection is not None else None


# --- policies on node use ---------------------------------------------------------------------------


def team_policy_get(team: Team) -> TeamPolicy:
    """The team's policy; an unsaved empty one (no limits) when none was ever set."""
    return TeamPolicy.objects.filter(team=team).select_related("updated_by").first() or TeamPolicy(team=team)


def dlp_policy_get() -> DlpPolicy:
    """The instance's DLP policy; an unsaved empty one (nothing classified) when none was ever set."""
    return DlpPolicy.objects.filter(pk=1).select_related("updated_by").first() or DlpPolicy(pk=1)


def _dlp_rules(policy: DlpPolicy | None) -> DlpRules:
    return DlpRules(dict(policy.classification), policy.default_group) if policy is not None else DlpRules()


def policies_for_team(team_id: int) -> Policies:
    """The rules a team's flows are held to, read fresh (a policy may have changed since the last run)."""
    team = Team.objects.select_related("node_policy").filter(pk=team_id).first()
    name = team.name if team is not None else str(team_id)
    row: TeamPolicy | None = getattr(team, "node_policy", None)  # a team that never had one: no limits
    rules = (
        TeamRules(name, tuple(row.allowed_node_types), tuple(row.allowed_hosts), tuple(row.require_sensitive))
        if row is not None
        else TeamRules(name)
    )
    return Policies(team=rules, dlp=_dlp_rules(DlpPolicy.objects.filter(pk=1).first()))


def policy_violations(*, team_id: int, document: Any) -> list[Violation]:
    """Every policy rule a flow document breaks for a flow of that team."""
    return policies_for_team(team_id).document_violations(document)


def dlp_effective_groups(policy: DlpPolicy) -> dict[str, str]:
    """Every installed node type → the DLP group `policy` puts it in (or `exempt`), for the settings page."""
    rules = _dlp_rules(policy)
    return {t.type: rules.group_of(t.type) for t in registry.registry.all()}


def policy_check(*, team_id: int, document: Any, detail: str | None = None) -> None:
    """Refuse a flow document that breaks its team's policies: a 400 listing every violation, each
    naming its node and the rule in plain words."""
    found = policy_violations(team_id=team_id, document=document)
    if found:
        raise ValidationProblem([violation.as_error() for violation in found], detail=detail)


# --- connectors ------------------------------------------------------------------------------------


def connector_list() -> QuerySet[Connector]:
    """Every connector with `latest` (its newest version number) and `version_count`."""
    return Connector.objects.select_related("team", "created_by").annotate(
        latest=Max("versions__number"), version_count=Count("versions")
    )


def connector_get(connector_id: Any) -> Connector:
    try:
        return connector_list().get(pk=connector_id)
    except (Connector.DoesNotExist, ValueError) as error:
        raise NotFound(f"No connector has the id {connector_id}.") from error


def connector_versions(connector: Connector) -> QuerySet[ConnectorVersion]:
    """Its versions, newest first, without the (possibly large) documents themselves."""
    return connector.versions.defer("spec").order_by("-number")


def connector_latest_version(connector: Connector) -> ConnectorVersion | None:
    return connector_versions(connector).first()


def connector_counts(connector: Connector) -> tuple[int, int]:
    """(operations, skipped) of its latest version; the operations counted from the compiled node types,
    which are kept in memory, rather than by reading the version's (possibly large) operation list."""
    row = connector.versions.order_by("-number").values_list("pk", "created_at", "skipped").first()
    if row is None:
        return 0, 0
    pk, created_at, skipped = row
    return provider.compiled_count(pk, created_at), len(skipped)
