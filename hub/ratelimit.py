"""Fixed-window rate limits shared by every process through Django's cache (Redis in production)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

log = logging.getLogger(__name__)


def hit(bucket: str, limit: int, window: int = 60) -> float | None:
    """Count one request in `bucket`'s current window: None while within `limit`, else the seconds
    until the window ends (what `Retry-After` says)."""
    now = time.time()
    start = int(now // window) * window
    key = f"ratelimit:{bucket}:{start}"
    try:
        count = _count(key, timeout=window + 5)
    except Exception:
        # The cache (Redis) is down: let the request through rather than refuse everything; the
        # event is still stored and its run sent once the broker is back.
        log.warning("rate limit %s not checked: the cache does not answer", bucket, exc_info=True)
        return None
    if count > limit:
        return max(start + window - now, 1.0)
    return None


def _count(key: str, timeout: int) -> int:
    """Add one to the window's counter. Incrementing first saves a cache call on every request but the
    window's first, which creates the counter."""
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet
        if cache.add(key, 1, timeout=timeout):
            return 1
        return cache.incr(key)  # another process created it first


def api_hit(who: str) -> float | None:
    """Count one API request by `who` (`token:<digest prefix>`, `user:<id>`, `ip:<address>`) against
    API_RATE_LIMIT_PER_MINUTE: None while within it (or with no limit), else seconds to wait. The REST
    API and SCIM share it, so a token's requests count once whichever door they come through."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    return hit(f"api:{who}", limit) if limit else None


def token_caller(digest: str) -> str:
    return f"token:{digest[:24]}"  # unique per token, unlike a reused pk


class PerTokenThrottle(BaseThrottle):
    """The REST API's limit: API_RATE_LIMIT_PER_MINUTE requests per token (or per signed-in person)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        digest = str(getattr(request.auth, "digest", ""))
        user = getattr(request.user, "pk", None)
        who = token_caller(digest) if digest else f"user:{user}" if user else f"ip:{self.get_ident(request)}"
        self._wait = api_hit(who)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
