"""Correlation ids: taken from `X-Correlation-ID` when well formed, else generated; on every log line.
The same middleware keeps the client's IP address for the request, which the audit log records.

The client IP is `REMOTE_ADDR`, unless that is one of `TRUSTED_PROXIES` (addresses or networks, e.g.
`10.0.0.0/8`): then `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first
address that is not one is the client. Reading from the right matters: the left-most hop is whatever
the client chose to send. (uvicorn's `--forwarded-allow-ips` does the same before Django sees the
request; either is enough.)
"""

from __future__ import annotations

import contextvars
import functools
import ipaddress
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "X-Correlation-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")
_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


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
def bound(correlation_id: str, client_ip: str | None = None) -> Iterator[None]:
    """Every log line inside carries this id (and every audit entry this IP, when given)."""
    token = _current.set(correlation_id)
    ip_token = _client_ip.set(client_ip) if client_ip is not None else None
    try:
        yield
    finally:
        _current.reset(token)
        if ip_token is not None:
            _client_ip.reset(ip_token)


def client_ip() -> str:
    """The IP address of the request being served; empty outside a request."""
    return _client_ip.get()


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """TRUSTED_PROXIES parsed once, not on every request (malformed entries are skipped)."""
    networks = []
    for proxy in proxies:
        with suppress(ValueError):
            networks.append(ipaddress.ip_network(proxy, strict=False))
    return tuple(networks)


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def request_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the nearest untrusted
    X-Forwarded-For hop (see the module docstring)."""
    return client_address(
        str(request.META.get("REMOTE_ADDR") or ""), str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    )


def client_address(remote_addr: str, forwarded_for: str) -> str:
    """`request_ip` from the peer's address and the `X-Forwarded-For` header's value."""
    remote = _parse(remote_addr)
    if remote is None:
        return ""
    if _trusted(remote):
        hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _parse(hop)
            if address is None:
                break  # a malformed hop: trust nothing further left
            if not _trusted(address):
                return str(address)
    return str(remote)


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
        with bound(correlation_id, request_ip(request)):
            response: HttpResponse = self.get_response(request)
        response[HEADER] = correlation_id
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        correlation_id = accept(request.headers.get(HEADER))
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        with bound(correlation_id, request_ip(request)):
            response: HttpResponse = await self.get_response(request)
        response[HEADER] = correlation_id
        return response


def current_or_new() -> str:
    """The bound id, or a fresh one outside a request (scheduler ticks, replays from the shell)."""
    value = _current.get()
    return value if value != "-" else new_id()
