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
        cache.add(key, 0, timeout=window + 5)
        count = cache.incr(key)
    except Exception:
        # The cache (Redis) is down: let the request through rather than refuse everything; the
        # event is still stored and its run sent once the broker is back.
        log.warning("rate limit %s not checked: the cache does not answer", bucket, exc_info=True)
        return None
    if count > limit:
        return max(start + window - now, 1.0)
    return None


class PerTokenThrottle(BaseThrottle):
    """The REST API's limit: API_RATE_LIMIT_PER_MINUTE requests per token (or per signed-in person)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        limit = settings.API_RATE_LIMIT_PER_MINUTE
        if not limit:
            return True
        token = str(getattr(request.auth, "digest", ""))[:24]  # unique per token, unlike a reused pk
        user = getattr(request.user, "pk", None)
        who = f"token:{token}" if token else f"user:{user}" if user else f"ip:{self.get_ident(request)}"
        self._wait = hit(f"api:{who}", limit)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
