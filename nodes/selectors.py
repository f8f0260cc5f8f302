"""Reads of the nodes app: connections, and their secrets for the node that uses them."""

from __future__ import annotations

from typing import Any

from hub import crypto
from hub.problems import NotFound
from nodes.models import Connection


def connection_get(connection_id: Any) -> Connection:
    try:
        return Connection.objects.get(pk=connection_id)
    except (Connection.DoesNotExist, ValueError) as error:
        raise NotFound(f"No connection has the id {connection_id}.") from error


def connection_secret(connection_id: Any, kind: str) -> str | None:
    """The decrypted secret of a connection of `kind`, or None when there is no such connection."""
    connection = Connection.objects.filter(pk=connection_id, kind=kind).first()
    return crypto.decrypt(connection.secret_encrypted) if connection is not None else None
