"""Liveness and readiness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import free_port, switchboard


@pytest.mark.django_db
def test_healthz_and_readyz_answer_when_all_is_up(client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": True, "broker": True}}


@pytest.mark.e2e
def test_readyz_is_503_while_the_broker_does_not_answer(tmp_path: Path) -> None:
    # given a web process whose Redis is a port where nothing listens
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with switchboard(tmp_path, {"REDIS_URL": dead}, workers=0) as stack:
        # then it is alive but not ready, and says which check failed
        assert httpx.get(stack.url + "/healthz").status_code == 200
        ready = httpx.get(stack.url + "/readyz", timeout=10)
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": True, "broker": False}
