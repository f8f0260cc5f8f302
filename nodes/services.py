"""Writes of the nodes app: connections (credentials), the policies on node use, the rows of the
built-in data tables, and imported connectors."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from hub import audit, correlation, crypto
from hub.problems import Conflict, ErrorItem, ValidationProblem
from identity.models import Team
from nodes import connection_kinds, credentials
from nodes.connectors import fetch, nodetypes, openapi
from nodes.models import Connection, Connector, ConnectorVersion, DataTable, DlpPolicy, TableRow, TeamPolicy
from nodes.registry import NodeError

OAUTH_STATE_SALT = "switchboard.connection-oauth-state"
OAUTH_STATE_MAX_AGE = timedelta(minutes=10)


def _checked_settings(kind: str, raw: Any) -> dict[str, Any]:
    stored, problems = connection_kinds.settings_problems(kind, raw)
    if problems:
        raise ValidationProblem(problems)
    return stored


@transaction.atomic
def connection_create(
    *,
    user: Any,
    name: str,
    kind: str,
    secret: str | None = None,
    settings: dict[str, Any] | None = None,
    team: Team | None = None,
    personal: bool = False,
) -> tuple[Connection, str | None]:
    """Store a connection, its secret encrypted. A webhook_secret given none gets one made (a Standard
    Webhooks `whsec_…`), returned this once so it can be given to the receiver. Who may create which
    scope is the API's to check (`nodes.api`)."""
    stored = _checked_settings(kind, settings)
    if (problem := connection_kinds.secret_problem(kind, secret)) is not None:
        raise ValidationProblem([problem])
    made = None
    if not secret and kind == Connection.Kind.WEBHOOK_SECRET:
        secret = made = crypto.new_webhook_secret()
    connection = Connection.objects.create(
        name=name,
        kind=kind,
        settings=stored,
        owner=user,
        team=team,
        personal=personal,
        secret_encrypted=crypto.encrypt(secret) if secret else "",
        fingerprint=crypto.fingerprint(secret) if secret else "",
    )
    audit.record(
        actor=user,
        action="connection.created",
        target_type="connection",
        target_id=connection.pk,
        name=name,
        kind=kind,
        team=team.name if team else None,
        personal=personal,
        settings=stored,
        fingerprint=connection.fingerprint,
    )
    return connection, made


@transaction.atomic
def connection_update(
    *,
    user: Any,
    connection: Connection,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    secret: str | None = None,
) -> Connection:
    """Rename, replace the settings, replace the secret. New credentials drop the OAuth2 tokens got
    with the old ones (they may belong to another client or account)."""
    connection = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("team", "owner")
        .get(pk=connection.pk)
    )
    before = {
        "name": connection.name,
        "settings": dict(connection.settings),
        "fingerprint": connection.fingerprint,
    }
    if name is not None:
        connection.name = name
    if settings is not None:
        connection.settings = _checked_settings(connection.kind, settings)
    if secret is not None:
        if (problem := connection_kinds.secret_problem(connection.kind, secret)) is not None:
            raise ValidationProblem([problem])
        connection.secret_encrypted = crypto.encrypt(secret) if secret else ""
        connection.fingerprint = crypto.fingerprint(secret) if secret else ""
    credentials_changed = (
        before["settings"] != connection.settings or before["fingerprint"] != connection.fingerprint
    )
    if credentials_changed and connection.kind == Connection.Kind.OAUTH2:
        connection.token_encrypted, connection.token_expires_at = "", None
    connection.save()
    after = {
        "name": connection.name,
        "settings": dict(connection.settings),
        "fingerprint": connection.fingerprint,
    }
    if before != after:
        audit.record(
            actor=user,
            action="connection.updated",
            target_type="connection",
            target_id=connection.pk,
            before=before,
            after=after,
        )
    return connection


@transaction.atomic
def connection_delete(*, user: Any, connection: Connection) -> None:
    audit.record(
        actor=user,
        action="connection.deleted",
        target_type="connection",
        target_id=connection.pk,
        name=connection.name,
        kind=connection.kind,
    )
    connection.delete()


def connection_test(*, connection: Connection) -> dict[str, Any]:
    """Try a connection: an oauth2 one gets a token; then, when `base_url` is set, it is called (GET)
    with the credentials. `{ok, message, status}`; nothing secret is in the message."""
    from nodes.context import NodeContext
    from nodes.outbound import send
    from nodes.registry import NodeError

    options = connection.settings or {}
    status: int | None = None
    messages = []
    try:
        if connection.kind == Connection.Kind.OAUTH2:
            credentials.access_token(connection)
            messages.append("An access token was obtained.")
        else:
            credentials.secret_of(connection)
        base_url = options.get("base_url")
        if base_url and connection.kind in credentials.REQUEST_KINDS:
            # The test is as the connection's own scope would run it, so the scope check passes.
            ctx = NodeContext(
                data={},
                node_id="connection-test",
                run_id=f"connection-test-{connection.pk}",
                correlation_id=correlation.current() or "-",
                team_id=connection.team_id,
                flow_owner_id=connection.owner_id,
            )
            reply = send(
                ctx, method="GET", url=base_url, follow_redirects=True, connection=str(connection.pk)
            )
            status = reply.status
            messages.append(f"GET {base_url} answered {reply.status} {reply.reason}".rstrip() + ".")
        elif not messages:
            messages.append("The secret is stored and readable. Set base_url to try it against the service.")
    except credentials.CredentialError as error:
        return {"ok": False, "message": error.message, "status": None}
    except NodeError as error:
        output = error.output if isinstance(error.output, dict) else {}
        found = output.get("status")
        return {"ok": False, "message": error.message, "status": found if isinstance(found, int) else None}
    return {"ok": True, "message": " ".join(messages), "status": status}


def _pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


@transaction.atomic
def connection_authorize_start(*, user: Any, connection: Connection, base_url: str) -> str:
    """Start an OAuth2 authorization-code grant: the URL to send the browser to. The state names the
    connection and a nonce (signed); the nonce and the PKCE verifier stay on the connection, encrypted,
    until the provider sends the browser back to the callback."""
    options = connection.settings or {}
    if connection.kind != Connection.Kind.OAUTH2 or options.get("grant") != "authorization_code":
        raise ValidationProblem(
            [
                ErrorItem(
                    field="settings.grant",
                    message="Only an oauth2 connection with the authorization_code grant is authorized "
                    "in the browser; a client_credentials one gets its tokens by itself.",
                )
            ]
        )
    nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    callback = credentials.redirect_uri(base_url)
    pending = {
        "nonce": nonce,
        "verifier": verifier,
        "user": user.pk,
        "redirect_uri": callback,
        "expires": (timezone.now() + OAUTH_STATE_MAX_AGE).isoformat(),
    }
    Connection.objects.filter(pk=connection.pk).update(
        oauth_pending_encrypted=crypto.encrypt(json.dumps(pending))
    )
    state = signing.dumps({"c": str(connection.pk), "n": nonce}, salt=OAUTH_STATE_SALT)
    query = {
        "response_type": "code",
        "client_id": str(options.get("client_id", "")),
        "redirect_uri": callback,
        "state": state,
        "code_challenge": _pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if options.get("scopes"):
        query["scope"] = " ".join(options["scopes"])
    if options.get("audience"):
        query["audience"] = str(options["audience"])
    parts = urlsplit(str(options["authorize_url"]))
    merged = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *query.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, merged, parts.fragment))


class AuthorizationFailed(Exception):
    """The callback of an authorization could not complete; the message is safe to show."""


def connection_authorize_complete(*, state: str, code: str, user: Any) -> Connection:
    """The provider's callback: check the state against the pending authorization, exchange the code
    (with the PKCE verifier) and store the tokens. Each state is good once, for ten minutes."""
    try:
        signed = signing.loads(state, salt=OAUTH_STATE_SALT, max_age=OAUTH_STATE_MAX_AGE)
    except signing.SignatureExpired:
        raise AuthorizationFailed("The authorization took too long; start it again.") from None
    except signing.BadSignature:
        raise AuthorizationFailed("The authorization's state is not one this server made.") from None
    with transaction.atomic():
        row = Connection.objects.select_for_update().filter(pk=signed.get("c")).first()
        if row is None:
            raise AuthorizationFailed("The connection no longer exists.")
        try:
            pending = (
                json.loads(crypto.decrypt(row.oauth_pending_encrypted))
                if row.oauth_pending_encrypted
                else None
            )
        except (crypto.SecretUnreadable, ValueError):
            pending = None
        if not pending or not secrets.compare_digest(str(pending.get("nonce")), str(signed.get("n"))):
            raise AuthorizationFailed(
                "This authorization was already used or replaced by a newer one; start it again."
            )
        started_by = pending.get("user")
        if getattr(user, "is_authenticated", False) and user.pk != started_by:
            raise AuthorizationFailed("The authorization was started by someone else.")
        # Used once, whatever happens next.
        Connection.objects.filter(pk=row.pk).update(oauth_pending_encrypted="")
        row.oauth_pending_encrypted = ""
        failure = None
        try:
            credentials.exchange_code(
                row, code=code, redirect_uri=str(pending["redirect_uri"]), verifier=str(pending["verifier"])
            )
        except credentials.CredentialError as error:
            failure = error.message  # raised below, so that the state stays used up
        else:
            audit.record(
                actor=get_user_model().objects.filter(pk=started_by).first(),
                action="connection.authorized",
                target_type="connection",
                target_id=row.pk,
                name=row.name,
                expires_at=row.token_expires_at,
            )
    if failure is not None:
        raise AuthorizationFailed(failure)
    return row


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


# --- data tables (`action.table`) -------------------------------------------------------------------

MAX_ROW_BYTES = 64 * 1024  # of a row's data, as compact JSON
MAX_TABLE_ROWS = 100_000


@dataclass(frozen=True)
class RowWritten:
    """What a write did: `changed` is whether a row was made (insert, upsert) or removed (delete)."""

    changed: bool
    data: Any


def _row_data_checked(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise NodeError(f"data: a row holds a JSON object, not {type(data).__name__}.")
    try:
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise NodeError(f"data: the row cannot be stored as JSON: {error}") from None
    if _holds_nul(data):  # PostgreSQL's jsonb cannot store one; refused on SQLite too, alike
        raise NodeError("data: the row holds a NUL character (\\u0000), which a table cannot store.")
    size = len(encoded.encode())
    if size > MAX_ROW_BYTES:
        raise NodeError(f"data: the row is {size} bytes of JSON; a row holds {MAX_ROW_BYTES} at most.")
    return data


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _table_for_write(team_id: int, name: str) -> DataTable:
    """The team's table `name`, made now if it is the first write; get_or_create survives two runs
    making it at once (the unique (team, name) lets one win and the other read it)."""
    table, _ = DataTable.objects.get_or_create(team_id=team_id, name=name)
    return table


def _new_row(table: DataTable, key: str, data: dict[str, Any], written_by: str) -> TableRow | None:
    """Add a row, or None when another transaction added that key first. The table is locked while
    it is counted, so that two writers cannot both take the last free row."""
    DataTable.objects.select_for_update().filter(pk=table.pk).first()
    if TableRow.objects.filter(table=table).count() >= MAX_TABLE_ROWS:
        raise NodeError(
            f"The table {table.name!r} is full: it holds {MAX_TABLE_ROWS} rows, the most a table holds. "
            "Delete rows it no longer needs."
        )
    try:
        with transaction.atomic():  # a savepoint: the unique key refusing it leaves our transaction usable
            return TableRow.objects.create(table=table, key=key, data=data, written_by=written_by)
    except IntegrityError:
        return None


@transaction.atomic
def table_row_insert(
    *, team_id: int, table: str, key: str, data: Any, skip_existing: bool, written_by: str
) -> RowWritten:
    """Add a row under a key not yet taken. A taken key fails (NodeError), or with `skip_existing`
    writes nothing and reports `changed=False` with the row found: the dedup case. The step that
    wrote the row (a retry or a replay of it, same `written_by`) finds it as its own insert."""
    data = _row_data_checked(data)
    found = _table_for_write(team_id, table)
    for _ in range(2):  # a second round only when another writer took the key between our two looks
        existing = TableRow.objects.filter(table=found, key=key).first()
        if existing is not None:
            if written_by and existing.written_by == written_by:
                return RowWritten(True, existing.data)
            if skip_existing:
                return RowWritten(False, existing.data)
            raise NodeError(
                f"The table {table!r} already holds the key {key!r}. "
                "Set on_conflict to skip to pass over keys already there, or use upsert."
            )
        if _new_row(found, key, data, written_by) is not None:
            return RowWritten(True, data)
    raise NodeError(f"The key {key!r} of table {table!r} kept changing; try again.", retryable=True)


@transaction.atomic
def table_row_upsert(
    *, team_id: int, table: str, key: str, data: Any, mode: Literal["merge", "replace"], written_by: str
) -> RowWritten:
    """Write the row under `key`: made when absent, else its data merged with `data` (top-level keys
    of `data` win) or replaced by it. The row is locked while it is read and written, so two runs
    upserting one key at once both land, one after the other."""
    data = _row_data_checked(data)
    found = _table_for_write(team_id, table)
    for _ in range(2):
        row = TableRow.objects.select_for_update().filter(table=found, key=key).first()
        if row is not None:
            row.data = _row_data_checked({**row.data, **data} if mode == "merge" else data)
            row.written_by = written_by
            row.save(update_fields=["data", "written_by", "updated_at"])
            return RowWritten(False, row.data)
        if _new_row(found, key, data, written_by) is not None:
            return RowWritten(True, data)
    raise NodeError(f"The key {key!r} of table {table!r} kept changing; try again.", retryable=True)


@transaction.atomic
def table_row_delete(*, team_id: int, table: str, key: str) -> bool:
    """Remove the row under `key`; False when there was none (nor a table)."""
    deleted, _ = TableRow.objects.filter(table__team_id=team_id, table__name=table, key=key).delete()
    return deleted > 0


@transaction.atomic
def table_delete(*, user: Any, table: DataTable) -> None:
    """Remove a table and all its rows, recorded in the audit log with how many rows went."""
    audit.record(
        actor=user,
        action="table.deleted",
        target_type="data_table",
        target_id=table.pk,
        name=table.name,
        team={"id": table.team_id, "name": table.team.name},
        rows=TableRow.objects.filter(table=table).count(),
    )
    table.delete()


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
