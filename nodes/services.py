"""Writes of the nodes app: connections (credentials), the policies on node use, and the rows of the
built-in data tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from django.db import IntegrityError, transaction

from hub import audit, crypto
from identity.models import Team
from nodes.models import Connection, DataTable, DlpPolicy, TableRow, TeamPolicy
from nodes.registry import NodeError


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
