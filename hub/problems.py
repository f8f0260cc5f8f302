"""RFC 9457 problem documents: the one shape every error of the API and the webhooks takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from hub import correlation

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://switchboard.dev/problems/"


@dataclass(frozen=True)
class ErrorItem:
    """One problem in a request: which node (if any), which field path (if any), and what is wrong."""

    message: str
    field: str | None = None
    node: str | None = None


class Problem(Exception):
    """Raise from a service or view; the API answers with the matching problem document."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        slug: str | None = None,
        errors: Iterable[ErrorItem] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status or self.status
        self.title = title or self.title
        self.slug = slug or self.slug
        self.errors = list(errors)
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def document(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "correlation_id": correlation.current(),
        }
        if self.errors:
            body["errors"] = [asdict(e) for e in self.errors]
        body.update(self.extra)
        return body


class ValidationProblem(Problem):
    status = 400
    title = "Invalid request"
    slug = "validation"

    def __init__(self, errors: Iterable[ErrorItem], detail: str | None = None) -> None:
        items = list(errors)
        super().__init__(detail or _summary(items), errors=items)


class NotFound(Problem):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(Problem):
    status = 409
    title = "Conflict"
    slug = "conflict"


class Forbidden(Problem):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


def _summary(items: list[ErrorItem]) -> str:
    if len(items) == 1:
        return items[0].message
    return f"{len(items)} problems were found; each is listed in `errors`."


def _flatten_drf(detail: Any, path: str = "") -> list[ErrorItem]:
    """DRF's nested error dicts become a flat list of field paths."""
    if isinstance(detail, Mapping):
        items: list[ErrorItem] = []
        for key, value in detail.items():
            sub = path if key == "non_field_errors" else (f"{path}.{key}" if path else str(key))
            items.extend(_flatten_drf(value, sub))
        return items
    if isinstance(detail, list):
        if all(not isinstance(v, (Mapping, list)) for v in detail):
            return [ErrorItem(message=str(v), field=path or None) for v in detail]
        items = []
        for index, value in enumerate(detail):
            items.extend(_flatten_drf(value, f"{path}[{index}]"))
        return items
    return [ErrorItem(message=str(detail), field=path or None)]


_DRF_SLUGS = {
    400: ("Invalid request", "validation"),
    401: ("Not authenticated", "not-authenticated"),
    403: ("Forbidden", "forbidden"),
    404: ("Not found", "not-found"),
    405: ("Method not allowed", "method-not-allowed"),
    406: ("Not acceptable", "not-acceptable"),
    415: ("Unsupported media type", "unsupported-media-type"),
    429: ("Too many requests", "rate-limited"),
}


def to_problem(exc: Exception) -> Problem | None:
    """Map any exception the API may see onto a Problem; None for a bug (a 500)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, Http404):
        return NotFound("The resource does not exist.")
    if isinstance(exc, DjangoPermissionDenied):
        return Forbidden(str(exc) or "You may not do this.")
    if isinstance(exc, drf.APIException):
        status = exc.status_code
        title, slug = _DRF_SLUGS.get(status, ("Error", "error"))
        headers: dict[str, str] = {}
        wait = getattr(exc, "wait", None)  # set on Throttled
        if wait is not None:
            headers["Retry-After"] = str(int(wait) + 1)
        if isinstance(exc, drf.ValidationError):
            return ValidationProblem(_flatten_drf(exc.detail))
        if isinstance(exc, drf.ParseError):
            return Problem(
                f"The body could not be read: {exc.detail}", slug="malformed-body", title="Malformed body"
            )
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return Problem(str(detail), status=status, title=title, slug=slug, headers=headers)
    return None


def response(problem: Problem) -> JsonResponse:
    """A problem as a plain Django response (outside DRF: webhooks, health, handlers)."""
    resp = JsonResponse(problem.document(), status=problem.status, content_type=CONTENT_TYPE)
    for key, value in problem.headers.items():
        resp[key] = value
    return resp


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's hook: every handled error leaves as application/problem+json."""
    problem = to_problem(exc)
    if problem is None:
        return None
    resp = Response(problem.document(), status=problem.status, content_type=CONTENT_TYPE)
    for key, value in problem.headers.items():
        resp[key] = value
    if problem.status == 401:
        resp["WWW-Authenticate"] = 'Bearer realm="api"'
    return resp


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return response(NotFound(f"Nothing is at {request.path}."))


def handler500(request: HttpRequest) -> JsonResponse:
    return response(
        Problem(
            "An unexpected error occurred; it has been logged with the correlation id.",
            status=500,
            title="Internal error",
            slug="internal",
        )
    )
