"""Capped exponential backoff with full jitter: the one formula for every retry (failed steps through
`flows.retry`, event deliveries)."""

from __future__ import annotations

import random


def backoff_seconds(
    *,
    attempt: int,
    base_seconds: float,
    max_seconds: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Delay before attempt `attempt + 1`: uniform in [0, min(max, base * 2^(attempt-1))] ("full jitter").

    A server's Retry-After is a floor (never retry earlier than asked), still capped by max_seconds.
    """
    ceiling = min(max_seconds, base_seconds * (2 ** max(attempt - 1, 0)))
    delay = (rng or random).uniform(0, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, max_seconds)
