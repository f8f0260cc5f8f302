"""Writes of the nodes app: connections (credentials)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hub import audit, crypto
from nodes.models import Connection


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
