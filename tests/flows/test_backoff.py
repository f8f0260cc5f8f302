"""The retry back-off schedule, as properties that hold for every policy and attempt."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from flows.retry import backoff_seconds
from nodes.registry import RetryPolicy

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 25),
    base_seconds=st.floats(0, 3600, allow_nan=False),
    max_seconds=st.floats(0, 86400, allow_nan=False),
)


@given(
    policies, st.integers(1, 60), st.one_of(st.none(), st.floats(0, 100_000, allow_nan=False)), st.integers()
)
def test_a_delay_is_never_negative_never_over_the_cap_and_honours_retry_after(
    policy: RetryPolicy, attempt: int, retry_after: float | None, seed: int
) -> None:
    delay = backoff_seconds(policy, attempt, retry_after, rng=random.Random(seed))
    assert 0 <= delay <= policy.max_seconds
    # full jitter: never more than the exponential ceiling, unless the server asked to wait longer
    ceiling = min(policy.max_seconds, policy.base_seconds * 2 ** (attempt - 1))
    assert delay <= max(ceiling, min(retry_after or 0, policy.max_seconds)) + 1e-9
    if retry_after is not None:
        assert delay >= min(retry_after, policy.max_seconds) - 1e-9


@given(st.integers(1, 20))
def test_jitter_spreads_retries_over_the_whole_window(attempt: int) -> None:
    policy = RetryPolicy(max_attempts=25, base_seconds=0.001, max_seconds=86400)
    rng = random.Random(attempt)
    delays = [backoff_seconds(policy, attempt, rng=rng) for _ in range(400)]
    ceiling = 0.001 * 2 ** (attempt - 1)
    # spread over [0, ceiling]: some in the lower and some in the upper quarter
    assert min(delays) < ceiling / 4 and max(delays) > 3 * ceiling / 4
