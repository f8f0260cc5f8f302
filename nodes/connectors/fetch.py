"""Fetching an OpenAPI document from a URL for an import: through the egress guard, size-capped."""

from __future__ import annotations

from urllib.parse import urljoin

import httpx
from django.conf import settings

from hub import egress

MAX_SPEC_BYTES = 25 * 1024 * 1024  # GitHub's whole API is 13 MB; a larger "document" is not one
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 30.0


class FetchFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(getattr(settings, "CONNECTOR_SPEC_MAX_BYTES", MAX_SPEC_BYTES))


def too_large() -> str:
    limit = max_bytes()
    shown = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return f"The document is larger than {shown}, the most an import reads."


def fetch(url: str) -> tuple[bytes, str]:
    """The document's bytes and the URL it finally came from (relative server URLs resolve against it).

    Every address on the way, redirects included, passes the egress guard: an import must not become a
    way to read the hub's own network.
    """
    limit = max_bytes()
    current = url.strip()
    with httpx.Client(
        transport=egress.transport(), timeout=TIMEOUT_SECONDS, follow_redirects=False
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                egress.check_url(current)
                with client.stream(
                    "GET", current, headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.5"}
                ) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        status = f"{response.status_code} {response.reason_phrase}"
                        raise FetchFailed(f"{egress.shown_url(current)} answered {status}.")
                    raw = bytearray()
                    for chunk in response.iter_bytes():
                        raw += chunk
                        if len(raw) > limit:
                            raise FetchFailed(too_large())
                    return bytes(raw), current
            except egress.EgressRefused as refused:
                raise FetchFailed(refused.message) from None
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                raise FetchFailed(f"{egress.shown_url(current)} could not be fetched: {error}") from None
    raise FetchFailed(f"{egress.shown_url(url)} redirected more than {MAX_REDIRECTS} times.")
