"""How long a failed step waits before its next attempt: capped exponential backoff with full jitter."""

from __future__ import annotations

import random

from hub import backoff
from nodes.registry import RetryPolicy

# Actions talk to other systems, which fail transiently; transforms are pure and gain nothing by a retry.
ACTION_DEFAULT = RetryPolicy(max_attempts=3, base_seconds=2.0, max_seconds=300.0)
NO_RETRY = RetryPolicy(max_attempts=1)


def policy_for(category: str, configured: RetryPolicy | None) -> RetryPolicy:
    if configured is not None:
        return configured
    return ACTION_DEFAULT if category == "action" else NO_RETRY


def backoff_seconds(
    policy: RetryPolicy, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
) -> float:
    """Delay before attempt `attempt + 1` under a node's retry policy (see `hub.backoff`)."""
    return backoff.backoff_seconds(
        attempt=attempt,
        base_seconds=policy.base_seconds,
        max_seconds=policy.max_seconds,
        retry_after=retry_after,
        rng=rng,
    )
