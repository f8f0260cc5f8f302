"""The permission matrix, enforced on every API view.

Each view names what each of its methods needs as a scope (`flows:read`, `versions:approve`, …; see
`identity.models.Scope`): `required_scopes = {"GET": "flows:read", "POST": "flows:write"}`. A method
the view does not name is refused, so a new endpoint is closed until someone decides who may use it.
`SIGNED_IN` means any signed-in person. The person's roles must allow the scope (`ROLE_SCOPES`), and a
bearer token's own scopes must too.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from identity.models import ApiToken, Scope
from identity.selectors import request_may, user_roles_keep

SIGNED_IN = "signed-in"


def request_token(request: Request) -> ApiToken | None:
    """The bearer token a request came with; None for a browser session."""
    return request.auth if isinstance(request.auth, ApiToken) else None


def required_scope(view: Any, method: str) -> str | None:
    scopes: dict[str, str] = getattr(view, "required_scopes", {})
    if method == "HEAD":
        method = "GET"
    return scopes.get(method) if method != "OPTIONS" else SIGNED_IN


class ScopedPermission(BasePermission):
    message = "You do not have permission to do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user: Any = request.user
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        scope = required_scope(view, request.method or "GET")
        if scope is None:
            return False
        token = request_token(request)
        # Every API request passes here first: its person's roles are worked out once for all of it.
        user_roles_keep(user)
        if scope == SIGNED_IN:
            # A provisioning token is for /scim/v2/ only.
            return token is None or token.scopes != [Scope.SCIM.value]
        if request_may(user, token, scope):
            return True
        by = "your roles or this token" if token else "your roles"
        self.message = f"This needs the `{scope}` permission, which {by} do not give."
        return False
