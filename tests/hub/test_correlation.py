"""Correlation ids: echoed on every response, generated when missing or malformed, on every log line."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from hub import correlation


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("order-2024-000123", True),
        (None, False),
        ("bad id with spaces", False),
        ("x" * 200, False),
        ("short", False),
    ],
)
@pytest.mark.django_db
def test_every_response_carries_a_well_formed_correlation_id(
    client: Any, sent: str | None, kept: bool
) -> None:
    headers = {"HTTP_X_CORRELATION_ID": sent} if sent else {}
    for path in ["/healthz", "/api/v1/flows", "/hooks/unknown-key", "/api/v1/nowhere"]:
        response = client.get(path, **headers)
        echoed = response["X-Correlation-ID"]
        assert (echoed == sent) is kept, (path, echoed)
        assert correlation.accept(echoed) == echoed


def test_log_lines_carry_the_bound_id(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("switchboard.test")
    logger.addFilter(correlation.CorrelationIdFilter())
    with caplog.at_level(logging.INFO), correlation.bound("run-abc-12345"):
        logger.info("inside")
    logger.info("outside")
    assert [getattr(r, "correlation_id", None) for r in caplog.records] == ["run-abc-12345", "-"]
