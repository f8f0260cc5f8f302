"""Reads of the nodes app: connections as people may see them, the policies on node use, and the
built-in data tables."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce

from hub.problems import NotFound, ValidationProblem
from identity import selectors as identity_selectors
from identity.models import ApiToken, Team
from nodes import registry
from nodes.connectors.nodetypes import provider
from nodes.models import Connection, Connector, ConnectorVersion, DataTable, DlpPolicy, TableRow, TeamPolicy
from nodes.policies import DlpRules, Policies, TeamRules, Violation


def connection_get(connection_id: Any) -> Connection:
    try:
        return Connection.objects.select_related("team", "owner").get(pk=connection_id)
    except (Connection.DoesNotExist, ValueError, DjangoValidationError) as error:
        raise NotFound(f"No connection has the id {connection_id}.") from error


def connections_visible(*, user: Any, token: ApiToken | None) -> QuerySet[Connection]:
    """The connections a request may see: as flows may use them. Their teams', instance-wide ones and
    the person's own personal ones; every one for an admin."""
    found = Connection.objects.select_related("team", "owner")
    if identity_selectors.request_is_admin(user, token):
        return found
    return found.filter(
        Q(team_id__in=identity_selectors.user_team_ids(user))
        | Q(personal=True, owner_id=user.pk)
        | Q(team__isnull=True, personal=False)
    )


def connection_visible_get(connection_id: Any, *, user: Any, token: ApiToken | None) -> Connection:
    """A connection the request may see; 404 otherwise (as if it did not exist)."""
    try:
        return connections_visible(user=user, token=token).get(pk=connection_id)
    except (Connection.DoesNotExist, ValueError, DjangoValidationError) as error:
        raise NotFound(f"No connection has the id {connection_id}.") from error


def connection_may_change(connection: Connection, *, user: Any, token: ApiToken | None) -> bool:
    """Admins, the owner, and (for a team's connection) the team's members may change or remove it;
    the view has already asked for `flows:write`."""
    if identity_selectors.request_is_admin(user, token) or connection.owner_id == user.pk:
        return True
    return connection.team_id is not None and connection.team_id in identity_selectors.user_team_ids(user)


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


# --- data tables ------------------------------------------------------------------------------------


def table_row_get(*, team_id: int, table: str, key: str) -> TableRow | None:
    """The row under `key` in the team's table `table`; None when either is not there."""
    return TableRow.objects.filter(table__team_id=team_id, table__name=table, key=key).first()


def tables_visible(*, user: Any, token: ApiToken | None) -> QuerySet[DataTable]:
    """The data tables a request may see: its person's teams' tables, every table for an admin
    request; each with its row count and when a row last changed."""
    tables = DataTable.objects.select_related("team").annotate(
        row_count=Count("rows"), rows_updated_at=Coalesce(Max("rows__updated_at"), F("created_at"))
    )
    if identity_selectors.request_is_admin(user, token):
        return tables
    return tables.filter(team_id__in=identity_selectors.user_team_ids(user))


def table_visible_get(table_id: Any, *, user: Any, token: ApiToken | None) -> DataTable:
    """One table the request may see; 404 for another team's table, as for none."""
    try:
        pk = uuid.UUID(str(table_id))
    except ValueError:
        pk = None
    found = tables_visible(user=user, token=token).filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"No data table has the id {table_id}.")
    return found


def table_rows(table: DataTable, *, key: str | None = None) -> QuerySet[TableRow]:
    """A table's rows, or only the one under `key`."""
    rows = TableRow.objects.filter(table=table)
    if key is not None and "\x00" in key:
        return rows.none()  # no key holds one (action.table refuses them); PostgreSQL would raise
    return rows.filter(key=key) if key is not None else rows


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
