"""Structured logs: one JSON object per line, with the correlation id."""

from __future__ import annotations

import json
import logging

from hub import correlation
from hub.logging import JsonFormatter


def test_a_json_log_line_carries_the_correlation_id() -> None:
    record = logging.LogRecord(
        "switchboard.engine", logging.INFO, __file__, 1, "run %s succeeded", ("r1",), None
    )
    with correlation.bound("order-12345678"):
        correlation.CorrelationIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "run r1 succeeded"
    assert line["correlation_id"] == "order-12345678" and line["level"] == "INFO"
