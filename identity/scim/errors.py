"""The SCIM errors the endpoints answer with (RFC 7644 §3.12), as django-scim2 exceptions so its views
turn them into error documents; each names its `scimType` once, here."""

from __future__ import annotations

from typing import Any

from django_scim import exceptions


class ScimError(exceptions.SCIMException):  # type: ignore[misc]
    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = super().to_dict()
        document["status"] = str(self.status)  # a JSON string, RFC 7644 §3.12
        return document


class BadRequest(ScimError):
    status = 400


class InvalidFilter(BadRequest):
    scim_type = "invalidFilter"


class InvalidPath(BadRequest):
    scim_type = "invalidPath"


class InvalidSyntax(BadRequest):
    scim_type = "invalidSyntax"


class InvalidValue(BadRequest):
    scim_type = "invalidValue"


class NoTarget(BadRequest):
    scim_type = "noTarget"


class Mutability(BadRequest):
    scim_type = "mutability"


class Unauthorized(ScimError):
    status = 401


class NotFound(ScimError):
    status = 404


class MethodNotAllowed(ScimError):
    status = 405


class Conflict(ScimError):
    status = 409


class Uniqueness(Conflict):
    scim_type = "uniqueness"


class TooManyRequests(ScimError):
    status = 429


class NotSupported(ScimError):
    status = 501


def as_scim_error(exc: Exception) -> ScimError:
    """Any django-scim2 exception in Switchboard's shape (its own use an integer `status`)."""
    if isinstance(exc, ScimError):
        return exc
    if isinstance(exc, exceptions.SCIMException):
        return ScimError(exc.detail, status=exc.status, scim_type=exc.scim_type)
    return ScimError("The request could not be completed; it has been logged.", status=500)
