"""Bad input gets a clear 4xx, never a 500: schemathesis fuzzes every operation of our own OpenAPI
document against a live server, with real flow, version and run ids to reach past the 404s."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flows import services
from tests.conftest import client_for
from tests.support.flows import chain, node

pytestmark = pytest.mark.e2e


def test_no_operation_answers_with_a_server_error(
    worker: None, alice: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 0  # thousands of requests a minute: fuzz, not the limiter
    # given a flow with a version and a run, so that ids in paths resolve
    flow = services.flow_create(
        user=alice,
        name="Fuzzed",
        graph=chain(node("s", "trigger.manual"), node("m", "transform.map", fields={"a": 1})),
    )
    services.version_submit(flow=flow, user=alice)
    run = services.run_test(flow=flow, user=alice, payload={})
    token = client_for(alice)._credentials["HTTP_AUTHORIZATION"]
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[parameters]\nflow_id = "{flow.pk}"\nrun_id = "{run.pk}"\nnumber = 1\n')
    # when every operation is fuzzed
    cli = Path(sys.executable).parent / "schemathesis"
    done = subprocess.run(
        [
            str(cli),
            "--config-file",
            str(config),
            "run",
            f"{live_server.url}/api/schema/",
            "-H",
            f"Authorization: {token}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "10",
            "--workers",
            "2",
            "--phases",
            "coverage,fuzzing",
            "--seed",
            "20261121",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # then no answer was a 5xx
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "passed" in done.stdout
