"""Correlation ids: taken from `X-Correlation-ID` when well formed, else generated; on every log line."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

HEADER = "X-Correlation-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")


def new_id() -> str:
    return uuid.uuid4().hex


def accept(candidate: str | None) -> str:
    """The caller's id when it is well formed, else a fresh one."""
    if candidate and _WELL_FORMED.match(candidate):
        return candidate
    return new_id()


def current() -> str:
    return _current.get()


@contextmanager
def bound(correlation_id: str) -> Iterator[None]:
    """Every log line inside carries this id."""
    token = _current.set(correlation_id)
    try:
        yield
    finally:
        _current.reset(token)


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = _current.get()
        return True


class CorrelationIdMiddleware:
    """Binds the request's correlation id and echoes it on every response."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[..., Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        correlation_id = accept(request.headers.get(HEADER))
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        with bound(correlation_id):
            response: HttpResponse = self.get_response(request)
        response[HEADER] = correlation_id
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        correlation_id = accept(request.headers.get(HEADER))
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        with bound(correlation_id):
            response: HttpResponse = await self.get_response(request)
        response[HEADER] = correlation_id
        return response


def current_or_new() -> str:
    """The bound id, or a fresh one outside a request (scheduler ticks, replays from the shell)."""
    value = _current.get()
    return value if value != "-" else new_id()
