"""The outbound network guard (CONTRACT §1): actions reach public addresses only, unless EGRESS_ALLOW says so.

`check_url` refuses a URL before anything is sent; `transport()` re-checks at connect time and connects to
the vetted address itself, so a DNS answer that changes between the check and the request cannot slip by.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx
from django.conf import settings


class EgressRefused(Exception):
    """An outbound call refused before it was made (an internal address, a bad URL), or a name that
    did not resolve (`retryable`: it may resolve later)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}
# Checked in this order so that the label is the most specific one (127.0.0.1 is also "private").
_REFUSED_KINDS = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Cloud instance metadata services hand out the server's own cloud credentials: the prize of an SSRF.
# They are refused even for an allowed host name or a wider CIDR; only the address itself allows one.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, …
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)
METADATA = "cloud metadata"


@dataclass(frozen=True)
class AllowList:
    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            entry = entry.strip().strip("[]")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(_normal_host(entry))
        return cls(frozenset(hosts), tuple(networks))

    def names_address(self, ip: IPAddress) -> bool:
        """Whether a one-address entry names `ip` (or the IPv4 address inside it) itself."""
        candidates = [ip, embedded] if (embedded := _embedded_ipv4(ip)) else [ip]
        return any(
            network.num_addresses == 1 and candidate in network
            for candidate in candidates
            for network in self.networks
        )

    def allows_address(self, ip: IPAddress) -> bool:
        candidates = [ip, embedded] if (embedded := _embedded_ipv4(ip)) else [ip]
        return any(candidate in network for candidate in candidates for network in self.networks)


def check_url(url: str) -> None:
    """Refuse (EgressRefused) a URL that is not http(s) or whose host is not a public address."""
    parsed = parse_url(url)
    vetted_addresses(parsed.raw_host.decode("ascii"), parsed.port or DEFAULT_PORTS[parsed.scheme])


def parse_url(url: str) -> httpx.URL:
    """The URL as httpx will send it: checking a different parse than the one sent would be a loophole."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise EgressRefused(f"{url!r} is not a valid URL: {error}") from None
    if parsed.scheme not in DEFAULT_PORTS:
        raise EgressRefused(f"{url!r} is refused: only http and https URLs may be called.")
    if not parsed.host:
        raise EgressRefused(f"{url!r} is not a valid URL: it has no host.")
    return parsed


def vetted_addresses(host: str, port: int) -> list[IPAddress]:
    """The addresses of `host`, all of them allowed; EgressRefused naming the first refused one otherwise."""
    allow = AllowList.parse(settings.EGRESS_ALLOW)
    addresses = _resolve(host, port)
    for ip in addresses:
        if refused_kind(ip) == METADATA and not allow.names_address(ip):
            which = "it" if _normal_host(host) == str(ip) else shown_address(ip)
            raise EgressRefused(
                f"Refused to connect to {host}: {which} is not a public address ({METADATA}): a cloud "
                "metadata service hands out this server's own credentials. To allow it anyway, add the "
                "address itself to EGRESS_ALLOW (a host name or a wider CIDR does not)."
            )
    if _normal_host(host) in allow.hosts:
        return addresses
    for ip in addresses:
        kind = refused_kind(ip)
        if kind and not allow.allows_address(ip):
            which = "it" if _normal_host(host) == str(ip) else shown_address(ip)
            raise EgressRefused(
                f"Refused to connect to {host}: {which} is not a public address ({kind}). "
                "To allow it, add the host name, or a CIDR that contains the address, to EGRESS_ALLOW."
            )
    return addresses


def shown_address(ip: IPAddress) -> str:
    """An address as people write it: IPv4-mapped ones with their IPv4 part (::ffff:127.0.0.1)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def refused_kind(ip: IPAddress) -> str | None:
    """Why an address is not public ("loopback", "private", …), or None for a public address."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None and (kind := refused_kind(embedded)):
        return kind
    if ip in METADATA_ADDRESSES:
        return METADATA
    for attribute, kind in _REFUSED_KINDS:
        if getattr(ip, attribute):
            return kind
    # Shared address space (100.64/10) and the like are neither private nor global.
    return None if ip.is_global else "non-public"


def transport() -> httpx.HTTPTransport:
    """An httpx transport that connects only to vetted addresses, and never through a proxy from the env."""
    # A proxy would resolve and connect on its own, out of the guard's sight: none is taken from the env.
    guarded = httpx.HTTPTransport(verify=_ssl_context(), trust_env=False)
    # httpx does not take a network backend; the pool it would build differs from this one only in it.
    guarded._pool = httpcore.ConnectionPool(ssl_context=_ssl_context(), network_backend=_GuardedBackend())
    return guarded


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds; one context serves every request and thread.
    # SSL_CERT_FILE / SSL_CERT_DIR are honoured: they are the operator's, as a private CA may need.
    return httpx.create_ssl_context()


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception | None = None
        for ip in vetted_addresses(host, port):
            try:
                return self._inner.connect_tcp(str(ip), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as failed:
                error = failed
        raise error or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise EgressRefused("Unix sockets are not reachable from flows.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        # Name lookups fail for passing reasons too (EAI_AGAIN), so trying later may help.
        raise EgressRefused(f"Could not resolve {host}: {error}", retryable=True) from None
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv6 one (mapped, 6to4, NAT64): where a connection to it really leads."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def shown_url(url: str) -> str:
    """The URL for messages and logs, without its query or credentials, which may hold secrets."""
    try:
        parsed = httpx.URL(url)
        return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{parsed.path}"
    except (httpx.InvalidURL, UnicodeError):
        return "(an invalid URL)"


def shown_origin(url: str) -> str:
    """Only the scheme and host of a URL whose path is itself a secret (a Slack or Teams incoming
    webhook): `https://hooks.slack.com/…`. Credentials, port, path and query all stay out."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError):
        return "(an invalid URL)"
    if not parsed.scheme or not host:
        return "(an invalid URL)"
    return f"{parsed.scheme}://{'[' + host + ']' if ':' in host else host}/…"


def retryable_status(status: int) -> bool:
    """Whether the same request may well succeed later: 408, 425, 429 and every 5xx."""
    return status in (408, 425, 429) or status >= 500


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now: either delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is anywhere in the chain of causes (httpx wraps the SSL error we look for)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, kind):
            return True
        cause = cause.__cause__ or cause.__context__
    return False
