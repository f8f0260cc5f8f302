"""Writes of the identity app: tokens and role grants."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction

from identity.models import ApiToken, Role, RoleGrant

TOKEN_PREFIX = "sb_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def apitoken_create(*, user: Any, name: str = "", expires_at: datetime | None = None) -> str:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, prefix=token[:10], digest=token_digest(token), expires_at=expires_at
    )
    return token


def role_grant(*, user: Any, role: Role | str) -> None:
    RoleGrant.objects.get_or_create(user=user, role=Role(role))


def role_revoke(*, user: Any, role: Role | str) -> None:
    RoleGrant.objects.filter(user=user, role=Role(role)).delete()
