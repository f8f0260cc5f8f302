"""The benchmark's smoke test: `bench/run.py --quick` against the embedded default produces a report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The plots need matplotlib, from the `bench` extra that `make test` installs.
pytest.importorskip("matplotlib", reason="matplotlib is missing: pip install -e '.[bench]'")


@pytest.mark.timeout(120)
def test_quick_bench_writes_a_report_with_figures(tmp_path: Path) -> None:
    # given the embedded Switchboard (no PostgreSQL or Redis named in the environment)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "BROKER_URL"}}

    # when the quick benchmark runs, writing its report to a scratch folder
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--out", str(tmp_path / "results")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )

    # then it succeeds and writes the report, its raw numbers and the plots
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    results = tmp_path / "results"
    [report_md] = results.glob("*.md")
    [report_json] = results.glob("*.json")
    assert sorted(p.name for p in results.glob("*.png")) == [
        report_md.stem + "-ingest.png",
        report_md.stem + "-steps.png",
    ]
    report = json.loads(report_json.read_text())
    name = "switchboard-embedded"
    system = report["systems"][name]
    assert system["measured"], system["reason"]
    assert system["errors"] == []
    # with figures above zero and no failure in any scenario
    for level, row in report["ingest"]["concurrency"].items():
        figures = row[name]
        assert figures["accepted_per_s"] > 0, level
        assert figures["p50"] > 0 and figures["p99"] >= figures["p50"], level
        assert figures["failed"] == 0, (level, figures["errors"])
    e2e = report["e2e"]["details"][name]
    assert e2e["p50"] > 0 and e2e["p99"] >= e2e["p50"]
    assert e2e["failed"] == 0 and e2e["lost"] == 0 and e2e["received"] == e2e["accepted"] > 0
    steps = report["step_overhead_ms"][name]
    assert steps["value"] is not None
    assert all(flow["p50"] > 0 and flow["count"] > 0 for flow in steps["latency_ms"].values())
    runs = report["runs_per_s"]["1"][name]
    assert runs["value"] > 0
    assert runs["nothing_lost"] and runs["lost"] == 0 and runs["succeeded_runs"] == runs["accepted"]
    text = report_md.read_text()
    assert "## (a) Webhook ingest" in text and "## Targets (issue 8)" in text
