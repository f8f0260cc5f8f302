"""Writes of the nodes app: connections (credentials), the policies on node use, imported connectors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from hub import audit, crypto
from hub.problems import Conflict, ErrorItem, ValidationProblem
from identity.models import Team
from nodes.connectors import fetch, nodetypes, openapi
from nodes.models import Connection, Connector, ConnectorVersion, DlpPolicy, TeamPolicy


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


# --- connectors imported from OpenAPI documents -----------------------------------------------------

CONNECTOR_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# What still uses a connector, asked before it is deleted: each hook takes the node-type prefix
# (`connector.<name>.`) and returns what uses it ("flow 'Orders' (draft)"). The flows app adds its
# hook in its AppConfig.ready: nodes may not import flows.
CONNECTOR_USAGE_HOOKS: list[Callable[[str], list[str]]] = []


def connector_name_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not CONNECTOR_NAME.match(name):
        return (
            "A connector name is 1 to 63 of a-z, 0-9 and _, starting with a letter (it becomes part of "
            "node type names: connector.<name>.<operation>)."
        )
    return None


def connector_import(
    *,
    user: Any,
    name: str,
    spec: str | Mapping[str, Any] | None = None,
    url: str | None = None,
    team: Team | None = None,
) -> ConnectorVersion:
    """Import an OpenAPI 3.x or Swagger 2.0 document as a connector: a new one, or the next version of
    the connector of that name. Operations that cannot be mapped are skipped with a reason; a document
    that is not OpenAPI at all is refused (a 400 naming `spec` or `url`)."""
    if (problem := connector_name_problem(name)) is not None:
        raise ValidationProblem([ErrorItem(field="name", message=problem)])
    where = "url" if url is not None else "spec"
    base_url = None
    try:
        if url is not None:
            raw, base_url = fetch.fetch(url)
            document = openapi.load(raw)
        else:
            if spec is None:
                raise ValidationProblem(
                    [ErrorItem(field="spec", message="Give the document as `spec` or `url`.")]
                )
            if isinstance(spec, str) and len(spec.encode()) > fetch.max_bytes():
                raise openapi.SpecError(fetch.too_large())
            document = openapi.load(spec)
        result = openapi.read(document, base_url=base_url)
    except (openapi.SpecError, fetch.FetchFailed) as error:
        raise ValidationProblem([ErrorItem(field=where, message=error.message)]) from None
    return _connector_store(user=user, name=name, team=team, document=document, result=result, url=url)


@transaction.atomic
def _connector_store(
    *,
    user: Any,
    name: str,
    team: Team | None,
    document: dict[str, Any],
    result: openapi.ImportResult,
    url: str | None,
) -> ConnectorVersion:
    connector = Connector.objects.select_for_update().filter(name=name).first()
    if connector is None:
        connector = Connector.objects.create(name=name, title=result.title, team=team, created_by=user)
    elif result.title and connector.title != result.title:
        connector.title = result.title
        connector.save(update_fields=["title"])
    number = (connector.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    for operation in result.operations:
        operation["config_schema"] = openapi.config_schema(operation, connector=name, number=number)
    version = ConnectorVersion.objects.create(
        connector=connector,
        number=number,
        spec=document,
        source_url=url or "",
        operations=result.operations,
        auth=result.auth,
        skipped=result.skipped,
        created_by=user,
    )
    audit.record(
        actor=user,
        action="connector.imported",
        target_type="connector",
        target_id=connector.pk,
        name=name,
        version=number,
        operations=len(result.operations),
        skipped=len(result.skipped),
        source_url=url or None,
    )
    return version


def connector_node_types(version: ConnectorVersion) -> list[str]:
    return [nodetypes.type_name(version.connector.name, op["operation_id"]) for op in version.operations]


@transaction.atomic
def connector_delete(*, user: Any, connector: Connector) -> None:
    """Remove a connector and all its versions, unless a flow's draft or a pending or live version still
    uses one of its operations (409: those flows would fail at their next run)."""
    prefix = f"{nodetypes.PREFIX}{connector.name}."
    users = [found for hook in CONNECTOR_USAGE_HOOKS for found in hook(prefix)]
    if users:
        shown = ", ".join(users[:8]) + (f" and {len(users) - 8} more" if len(users) > 8 else "")
        raise Conflict(
            f"Connector {connector.name} is still used by {shown}: remove those nodes first.",
            extra={"used_by": users},
        )
    audit.record(
        actor=user,
        action="connector.deleted",
        target_type="connector",
        target_id=connector.pk,
        name=connector.name,
        versions=connector.versions.count(),
    )
    connector.delete()
