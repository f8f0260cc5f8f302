"""`make bench`: Switchboard beside Node-RED and n8n on this machine, the same scenarios for each, one report.

For every system given (`--systems`, default every one available) the harness starts it (its own
processes; the peers installed into a scratch folder outside the repository), deploys the same flows and
measures, with the load generator (`bench/load.py`) and the sink (`bench/sink.py`) in processes of their
own:

  (a) ingest: accepted webhooks/s and p50/p95/p99 of the answer at 8 → 256 connections (closed loop);
  (b) end to end: webhook → filter → map → HTTP POST to the sink, p50/p95/p99 from the call to the
      sink's receipt, at a fixed 50 runs/s (open loop);
  (c) per-step overhead: flows of 1, 10 and 40 no-op steps answering when finished, one at a time; the
      least-squares slope of the median latency over the step count;
  (d) sustained runs/s of the e2e flow with 1 and 2 worker processes: load above capacity, then drained,
      checking nothing was lost (every accepted webhook has a sink receipt, and for Switchboard a
      succeeded run in the database).

The report goes to `bench/results/<date>.md` and `.json` with PNG plots beside them (`--out` elsewhere).
`--quick` is the smoke test's: a few seconds per scenario against the embedded Switchboard only.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.procs import spawn, stop  # noqa: E402
from bench.systems.base import NOOP_STEPS, System  # noqa: E402

PYTHON = sys.executable
SYSTEM_MODULES = ("bench.systems.switchboard", "bench.systems.nodered", "bench.systems.n8n")
DEFAULT_SYSTEMS = ("switchboard", "node-red", "n8n", "n8n-legacy")
STARTED = time.monotonic()


# --- plan -------------------------------------------------------------------------------------------


@dataclass
class Plan:
    seconds: float  # per load phase
    ingest_levels: list[int]
    e2e_rate: float
    e2e_seconds: float
    step_seconds: float
    runs_concurrency: int
    runs_seconds: float
    drain_timeout: float  # longest wait for a backlog to reach the sink
    quick: bool = False

    @classmethod
    def make(cls, seconds: float | None, quick: bool) -> Plan:
        if quick:
            # Short and light: the embedded worker drains what ingest accepted before the next phase.
            s = seconds or 1.0
            return cls(s, [2, 8], 20.0, s, s, 4, s, 20.0, quick=True)
        s = seconds or 10.0
        # Draining waits while receipts keep coming (see `wait_receipts`); the cap is for a stuck system.
        return cls(s, [8, 32, 64, 128, 256], 50.0, 2 * s, s, 64, s, 900.0)


# --- output -----------------------------------------------------------------------------------------


def say(text: str) -> None:
    elapsed = time.monotonic() - STARTED
    print(f"[bench {int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}] {text}", flush=True)


# --- systems ----------------------------------------------------------------------------------------


def discover() -> tuple[dict[str, Callable[[], System]], dict[str, str]]:
    """Every system the modules in bench/systems offer (name → factory), and the modules that failed."""
    found: dict[str, Callable[[], System]] = {}
    broken: dict[str, str] = {}
    for module_name in SYSTEM_MODULES:
        try:
            module = importlib.import_module(module_name)
        except Exception as error:
            broken[module_name] = f"{type(error).__name__}: {error}"
            continue
        offered = getattr(module, "SYSTEMS", None)
        if isinstance(offered, dict):
            found.update(offered)
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            name = getattr(cls, "name", None)
            if cls.__module__ == module.__name__ and isinstance(name, str) and name:
                found.setdefault(name, cls)
    return found, broken


# --- the sink ---------------------------------------------------------------------------------------


class Sink:
    """The sink process, and the receipts read from it so far (id → first arrival, wall-clock s)."""

    def __init__(self, workdir: Path) -> None:
        log = workdir / "sink.log"
        log.unlink(missing_ok=True)  # the scratch folder outlives a run: no "ready" line of the last one
        self.proc = spawn([PYTHON, str(ROOT / "bench" / "sink.py"), "--port", "0"], log=log, cwd=ROOT)
        deadline = time.monotonic() + 20
        port = 0
        while time.monotonic() < deadline and not port:
            for line in log.read_text().splitlines() if log.exists() else []:
                if line.startswith("ready "):
                    port = int(line.split()[1])
            if self.proc.poll() is not None:
                raise RuntimeError(f"the sink did not start: {log.read_text()}")
            time.sleep(0.05)
        if not port:
            raise RuntimeError("the sink did not start within 20 s")
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/sink"
        self.count = 0
        self.arrived: dict[Any, float] = {}
        self.duplicates = 0

    def fetch(self) -> int:
        """Read the new receipts; how many there were."""
        with urllib.request.urlopen(f"{self.base}/_receipts?after={self.count}", timeout=30) as answer:
            data = json.loads(answer.read())
        new = data["receipts"]
        for rid, _sent_at, arrived in new:
            if isinstance(rid, str) and rid.isdigit():
                rid = int(rid)  # a peer that posts the id as text
            elif isinstance(rid, float) and rid.is_integer():
                rid = int(rid)
            if rid in self.arrived:
                self.duplicates += 1
            else:
                self.arrived[rid] = arrived
        self.count += len(new)
        return len(new)

    def close(self) -> None:
        stop(self.proc)


# --- load ---------------------------------------------------------------------------------------------


class Ids:
    """Blocks of request ids, so every request of the whole run has its own."""

    next_block = 1

    @classmethod
    def take(cls) -> int:
        start = cls.next_block * 10_000_000
        cls.next_block += 1
        return start


def load(
    url: str, workdir: Path, *, seconds: float, concurrency: int = 0, rate: float = 0.0, total: float = 150.0
) -> dict[str, Any]:
    """One run of the load generator, in its own process; its summary."""
    handle, name = tempfile.mkstemp(prefix="load-", suffix=".json", dir=workdir)
    os.close(handle)
    out = Path(name)
    cmd = [
        PYTHON,
        str(ROOT / "bench" / "load.py"),
        "--url",
        url,
        "--seconds",
        str(seconds),
        "--total",
        str(total),
        "--id-start",
        str(Ids.take()),
        "--out",
        str(out),
    ]
    cmd += ["--rate", str(rate)] if rate else ["--concurrency", str(concurrency)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 180)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr[-1500:]}")
    summary: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return summary


def brief(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures of a load summary that go into the report."""
    lat = summary["latency_ms"]
    return {
        "accepted_per_s": summary["accepted_per_s"],
        "p50": lat["p50"],
        "p95": lat["p95"],
        "p99": lat["p99"],
        "sent": summary["sent"],
        "accepted": summary["accepted"],
        "failed": summary["failed"],
        "errors": {
            **summary["errors"],
            **{
                f"HTTP {k}": v
                for k, v in summary["statuses"].items()
                if k.isdigit() and int(k) not in (200, 201, 202)
            },
        },
    }


def percentile(values: list[float], q: float) -> float:
    from bench.load import percentile as nearest_rank

    return nearest_rank(sorted(values), q)


def wait_receipts(sink: Sink, system: System, ids: set[Any], timeout: float, idle: float = 20.0) -> set[Any]:
    """Until every id has reached the sink, nothing new came for `idle` s (or the system's backlog is
    empty and nothing came for 3 s), or `timeout`; the ids still missing."""
    deadline = time.monotonic() + timeout
    last_progress = time.monotonic()
    backlog = getattr(system, "backlog", None)
    missing = set(ids)
    while True:
        if sink.fetch():
            last_progress = time.monotonic()
        missing = {i for i in missing if i not in sink.arrived}
        now = time.monotonic()
        if not missing or now > deadline or now - last_progress > idle:
            return missing
        if backlog is not None and now - last_progress > 3:
            with contextlib.suppress(Exception):
                if backlog() == 0:
                    return missing
        time.sleep(0.25)


def settle(sink: Sink, system: System, timeout: float) -> None:
    """Let the backlog of the last phase drain before the next one measures."""
    backlog = getattr(system, "backlog", None)
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if sink.fetch():
            quiet_since = time.monotonic()
        if backlog is not None:
            with contextlib.suppress(Exception):
                if backlog() == 0:
                    return
        elif time.monotonic() - quiet_since > 2:
            return
        time.sleep(0.25)
    say(f"  (the backlog did not drain within {timeout:g} s; going on)")


# --- the scenarios ------------------------------------------------------------------------------------


@dataclass
class Measured:
    name: str
    measured: bool = False
    reason: str = ""
    version: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    ingest: dict[str, dict[str, Any]] = field(default_factory=dict)  # concurrency → figures
    e2e: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # workers → figures
    errors: list[str] = field(default_factory=list)


def scenario(result: Measured, label: str, fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception as error:
        result.errors.append(f"{label}: {type(error).__name__}: {error}")
        say(f"  {label} failed: {error}")


def measure_ingest(system: System, sink: Sink, workdir: Path, plan: Plan, result: Measured) -> None:
    url = system.webhook_url("e2e")
    for concurrency in plan.ingest_levels:
        summary = load(url, workdir, seconds=plan.seconds, concurrency=concurrency)
        figures = brief(summary)
        result.ingest[str(concurrency)] = figures
        say(
            f"  ingest c={concurrency}: {figures['accepted_per_s']:.0f}/s  p50 {figures['p50']:.1f} ms  "
            f"p99 {figures['p99']:.1f} ms  failed {figures['failed']}"
        )
    # No draining: the system is stopped next, and (d) starts afresh.


def measure_e2e(system: System, sink: Sink, workdir: Path, plan: Plan, result: Measured) -> None:
    summary = load(system.webhook_url("e2e"), workdir, seconds=plan.e2e_seconds, rate=plan.e2e_rate)
    sent = {rid: sent_at for rid, sent_at in summary["accepted_requests"]}
    missing = wait_receipts(sink, system, set(sent), timeout=plan.drain_timeout)
    latencies = [(sink.arrived[rid] - sent_at) * 1000 for rid, sent_at in sent.items() if rid in sink.arrived]
    result.e2e = {
        "rate": plan.e2e_rate,
        "seconds": plan.e2e_seconds,
        "sent": summary["sent"],
        "accepted": summary["accepted"],
        "failed": summary["failed"],
        "received": len(latencies),
        "lost": len(missing),
        "p50": round(percentile(latencies, 50), 2),
        "p95": round(percentile(latencies, 95), 2),
        "p99": round(percentile(latencies, 99), 2),
        "webhook_p50": summary["latency_ms"]["p50"],
        "webhook_p99": summary["latency_ms"]["p99"],
    }
    say(
        f"  e2e at {plan.e2e_rate:g}/s: p50 {result.e2e['p50']:.1f} ms  p95 {result.e2e['p95']:.1f} ms  "
        f"p99 {result.e2e['p99']:.1f} ms  lost {len(missing)} of {len(sent)}"
    )


def slope(xs: list[float], ys: list[float]) -> float:
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def measure_steps(system: System, workdir: Path, plan: Plan, result: Measured) -> None:
    latency: dict[str, dict[str, float]] = {}
    engine: dict[str, float] = {}
    run_seconds = getattr(system, "run_seconds", None)
    for flow in NOOP_STEPS:
        since = time.time()
        summary = load(system.webhook_url(flow), workdir, seconds=plan.step_seconds, concurrency=1)
        if summary["failed"]:
            result.errors.append(
                f"step overhead {flow}: {summary['failed']} failed {brief(summary)['errors']}"
            )
        latency[flow] = {k: summary["latency_ms"][k] for k in ("p50", "p95", "p99")}
        latency[flow]["count"] = summary["accepted"]
        if run_seconds is not None:
            with contextlib.suppress(Exception):
                durations = run_seconds(flow, since - 1)
                if durations:
                    engine[flow] = round(statistics.median(durations) * 1000, 3)
        say(
            f"  {flow}: p50 {latency[flow]['p50']:.1f} ms over {summary['accepted']} runs"
            + (f" (in the engine: {engine[flow]:.1f} ms)" if flow in engine else "")
        )
    xs = [float(NOOP_STEPS[f]) for f in latency if latency[f]["count"]]
    ys = [latency[f]["p50"] for f in latency if latency[f]["count"]]
    result.steps = {
        "latency_ms": latency,
        "ms_per_step": round(slope(xs, ys), 3) if len(xs) >= 2 else None,
    }
    if len(engine) >= 2:
        result.steps["engine_ms"] = engine
        result.steps["engine_ms_per_step"] = round(
            slope([float(NOOP_STEPS[f]) for f in engine], list(engine.values())), 3
        )
    say(f"  per-step overhead: {result.steps['ms_per_step']} ms/step")


def measure_runs(
    system: System, sink: Sink, workdir: Path, plan: Plan, result: Measured, workers: int
) -> None:
    counts = getattr(system, "run_status_counts", None)
    before: dict[str, int] = counts("e2e") if counts else {}
    summary = load(
        system.webhook_url("e2e"), workdir, seconds=plan.runs_seconds, concurrency=plan.runs_concurrency
    )
    load_end = time.time()
    sent = {rid: sent_at for rid, sent_at in summary["accepted_requests"]}
    missing = wait_receipts(sink, system, set(sent), timeout=plan.drain_timeout)
    arrivals = [sink.arrived[rid] for rid in sent if rid in sink.arrived]
    first = min(sent.values()) if sent else 0.0
    last = max(arrivals) if arrivals else first
    figures: dict[str, Any] = {
        "runs_per_s": round(len(arrivals) / (last - first), 1) if last > first else 0.0,
        "offered_per_s": summary["accepted_per_s"],
        "accepted": len(sent),
        "received": len(arrivals),
        "lost": len(missing),
        "failed_requests": summary["failed"],
        "drain_s": round(max(0.0, last - load_end), 2),
        # When the sink kept pace with the webhooks, the load was not above capacity.
        "saturated": last - load_end > 1.0,
    }
    if counts:
        # A run's POST reaches the sink just before the run writes its own success: wait for those
        # last writes (a run still unfinished after this long counts against "nothing lost").
        deadline = time.monotonic() + 30
        while True:
            after = counts("e2e")
            delta = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
            if not (delta.get("queued") or delta.get("running")) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        figures["runs_by_status"] = {k: v for k, v in delta.items() if v}
        figures["succeeded_runs"] = delta.get("succeeded", 0)
    figures["nothing_lost"] = not missing and (not counts or figures["succeeded_runs"] >= len(sent))
    result.runs[str(workers)] = figures
    say(
        f"  runs/s with {workers} worker(s): {figures['runs_per_s']:.0f}/s "
        f"(offered {figures['offered_per_s']:.0f}/s, drained in {figures['drain_s']:.1f} s), "
        f"{'nothing lost' if figures['nothing_lost'] else 'LOST ' + str(len(missing))}"
    )


def warm_up(system: System, sink: Sink, workdir: Path, plan: Plan) -> None:
    """A little of every flow first, so no measurement pays for first-use costs (imports, caches, JIT)."""
    if plan.quick:
        load(system.webhook_url("e2e"), workdir, seconds=0.3, concurrency=2)
    else:
        load(system.webhook_url("e2e"), workdir, seconds=2.0, concurrency=8)
        for flow in NOOP_STEPS:
            load(system.webhook_url(flow), workdir, seconds=0.5, concurrency=1)
    settle(sink, system, plan.drain_timeout)


def start(system: System, sink: Sink, workdir: Path, workers: int) -> None:
    say(f"starting {system.name} ({workers} worker process{'es' if workers > 1 else ''})…")
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    system.start(sink_url=sink.url, workdir=workdir, workers=workers)
    say(f"  {system.name} is up in {time.monotonic() - began:.1f} s")


def measure(name: str, factory: Callable[[], System], sink: Sink, scratch: Path, plan: Plan) -> Measured:
    """Every scenario against one system: (b), (c) and (a) on one start — latency first, while nothing
    is queued — then (d) on a fresh start for each worker count, so no backlog of (a) is counted."""
    result = Measured(name)
    system = factory()
    scales = bool(getattr(system, "scales_with_workers", False)) and not plan.quick
    workdir = scratch / name
    try:
        start(system, sink, workdir, 2 if scales else 1)
    except Exception as error:
        result.reason = f"{type(error).__name__}: {error}"[:3000]
        say(f"  {name} is not measured: {result.reason.splitlines()[0] if result.reason else ''}")
        with contextlib.suppress(Exception):
            system.stop()
        return result
    result.measured = True
    try:
        with contextlib.suppress(Exception):
            result.version = system.version()
        warm_up(system, sink, workdir, plan)
        scenario(result, "e2e", lambda: measure_e2e(system, sink, workdir, plan, result))
        scenario(result, "step overhead", lambda: measure_steps(system, workdir, plan, result))
        scenario(result, "ingest", lambda: measure_ingest(system, sink, workdir, plan, result))
        result.settings = system.settings()
    finally:
        system.stop()
    for workers in (2, 1) if scales else (1,):
        label = f"runs/s ({workers} worker{'s' if workers > 1 else ''})"
        fresh = factory()
        try:
            start(fresh, sink, workdir, workers)
            scenario(result, label, lambda: measure_runs(fresh, sink, workdir, plan, result, workers))  # noqa: B023
        except Exception as error:
            result.errors.append(f"{label}: could not start: {error}")
            say(f"  {label}: could not start: {error}")
        finally:
            fresh.stop()
    if scales:
        result.settings["scenario (d)"] = "a fresh start with 2, then with 1 worker process"
    elif "1" in result.runs:
        # One process does everything: the same figure stands for both columns.
        result.runs["2"] = {**result.runs["1"], "note": "single process: measured once"}
    return result


# --- the machine --------------------------------------------------------------------------------------


def _command_output(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return "not installed"


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    os_name = platform.platform()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))} (kernel {platform.release()})"
    from bench.systems.switchboard import _pg_version, _redis_version

    load1, load5, _ = os.getloadavg()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": os_name,
        "python": platform.python_version(),
        "node": _command_output(["node", "--version"]) if shutil.which("node") else "not installed",
        "postgresql": _pg_version(),
        "redis": _redis_version(),
        "load average at start": f"{load1:.2f} (1 min), {load5:.2f} (5 min)",
    }


# --- the report ---------------------------------------------------------------------------------------


def _load1(info: dict[str, str]) -> float:
    try:
        return float(info["load average at start"].split()[0])
    except (KeyError, ValueError, IndexError):
        return 0.0


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or not base:
        return None
    return round(value / base, 3)


def assemble(results: list[Measured], plan: Plan, info: dict[str, str], argv: list[str]) -> dict[str, Any]:
    measured = [r for r in results if r.measured]
    base = next((r for r in measured if r.name.startswith("switchboard")), None)
    base_name = base.name if base else None

    def with_ratio(values: dict[str, float | None]) -> dict[str, Any]:
        b = values.get(base_name) if base_name else None
        return {name: {"value": v, "ratio_to_switchboard": ratio(v, b)} for name, v in values.items()}

    ingest: dict[str, Any] = {"concurrency": {}, "best": {}}
    for level in plan.ingest_levels:
        row: dict[str, Any] = {}
        key = str(level)
        base_row = base.ingest.get(key) if base else None
        for r in measured:
            if key in r.ingest:
                fig = dict(r.ingest[key])
                fig["ratio_to_switchboard"] = {
                    k: ratio(fig[k], base_row[k] if base_row else None)
                    for k in ("accepted_per_s", "p50", "p95", "p99")
                }
                row[r.name] = fig
        ingest["concurrency"][key] = row
    for r in measured:
        if r.ingest:
            top_level, top = max(r.ingest.items(), key=lambda kv: kv[1]["accepted_per_s"])
            ingest["best"][r.name] = {
                "accepted_per_s": top["accepted_per_s"],
                "concurrency": int(top_level),
                "p99": top["p99"],
            }
    if base_name and base_name in ingest["best"]:
        b = ingest["best"][base_name]["accepted_per_s"]
        for fig in ingest["best"].values():
            fig["ratio_to_switchboard"] = ratio(fig["accepted_per_s"], b)

    e2e: dict[str, Any] = {"rate": plan.e2e_rate}
    for q in ("p50", "p95", "p99"):
        e2e[q] = with_ratio({r.name: r.e2e.get(q) for r in measured if r.e2e})
    e2e["details"] = {r.name: r.e2e for r in measured if r.e2e}

    step = with_ratio({r.name: r.steps.get("ms_per_step") for r in measured if r.steps})
    for r in measured:
        if r.steps:
            step[r.name]["latency_ms"] = r.steps["latency_ms"]
            if "engine_ms_per_step" in r.steps:
                step[r.name]["engine_ms_per_step"] = r.steps["engine_ms_per_step"]
                step[r.name]["engine_ms"] = r.steps["engine_ms"]

    runs: dict[str, Any] = {}
    for workers in ("1", "2"):
        runs[workers] = with_ratio(
            {r.name: r.runs[workers]["runs_per_s"] for r in measured if workers in r.runs}
        )
        for r in measured:
            if workers in r.runs:
                runs[workers][r.name].update({k: v for k, v in r.runs[workers].items() if k != "runs_per_s"})

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["bench/run.py", *argv]),
        "quick": plan.quick,
        "plan": asdict(plan),
        "machine": info,
        "load_at_start": _load1(info),
        "baseline": base_name,
        "systems": {
            r.name: {
                "measured": r.measured,
                "reason": r.reason,
                "version": r.version,
                "settings": r.settings,
                "errors": r.errors,
            }
            for r in results
        },
        "ingest": ingest,
        "e2e": e2e,
        "step_overhead_ms": step,
        "runs_per_s": runs,
        "targets": targets(results, base, ingest, e2e, step, runs),
    }


def targets(
    results: list[Measured],
    base: Measured | None,
    ingest: dict[str, Any],
    e2e: dict[str, Any],
    step: dict[str, Any],
    runs: dict[str, Any],
) -> list[dict[str, Any]]:
    """The issue's targets, each met, missed or not measured."""
    if base is None:
        return []
    name = base.name
    peers = [r.name for r in results if r.measured and not r.name.startswith("switchboard")]
    rows: list[dict[str, Any]] = []

    def row(target: str, figure: str, met: bool | None) -> None:
        rows.append({"target": target, "figure": figure, "met": met})

    within = [f["accepted_per_s"] for f in base.ingest.values() if f["p99"] <= 50]
    best = ingest["best"].get(name)
    figure = "not measured"
    if best:
        figure = f"best {best['accepted_per_s']:.0f}/s at {best['concurrency']} connections"
        figure += f" (p99 {best['p99']:.0f} ms)"
        figure += f"; with p99 ≤ 50 ms: {max(within):.0f}/s" if within else "; p99 > 50 ms at every level"
    row(
        "ingest ≥ 1,000 accepted webhooks/s with p99 ≤ 50 ms",
        figure,
        any(v >= 1000 for v in within) if best else None,
    )
    p50, p99 = base.e2e.get("p50"), base.e2e.get("p99")
    row(
        "end-to-end p50 ≤ 15 ms at 50 runs/s",
        f"{p50:.1f} ms" if p50 is not None else "not measured",
        p50 <= 15 if p50 is not None else None,
    )
    row(
        "end-to-end p99 ≤ 60 ms at 50 runs/s",
        f"{p99:.1f} ms" if p99 is not None else "not measured",
        p99 <= 60 if p99 is not None else None,
    )
    per_step = base.steps.get("ms_per_step")
    row(
        "per-step engine overhead ≤ 1 ms",
        f"{per_step:.2f} ms/step" if per_step is not None else "not measured",
        per_step <= 1 if per_step is not None else None,
    )
    two = base.runs.get("2", {}).get("runs_per_s")
    row(
        "≥ 500 runs/s sustained with two workers",
        f"{two:.0f} runs/s" if two is not None else "not measured",
        two >= 500 if two is not None else None,
    )
    lost = [w for w, f in base.runs.items() if not f.get("nothing_lost")]
    row(
        "nothing lost (every accepted webhook: a succeeded run and a sink receipt)",
        "nothing lost"
        if base.runs and not lost
        else (f"lost with {', '.join(lost)} worker(s)" if lost else "not measured"),
        (not lost) if base.runs else None,
    )
    if not peers:
        row("≥ 3x the faster peer on ingest; ahead of both on every other figure", "no peer measured", None)
        return rows
    peer_best = {p: ingest["best"][p]["accepted_per_s"] for p in peers if p in ingest["best"]}
    if best and peer_best:
        fastest = max(peer_best, key=lambda p: peer_best[p])
        factor = best["accepted_per_s"] / peer_best[fastest] if peer_best[fastest] else float("inf")
        row(f"≥ 3x the faster peer ({fastest}) on ingest", f"{factor:.2f}x", factor >= 3)
    checks = [
        ("end-to-end p50", e2e["p50"], False),
        ("end-to-end p99", e2e["p99"], False),
        ("per-step overhead", step, False),
        ("runs/s (1 worker)", runs["1"], True),
        ("runs/s (2 workers)", runs["2"], True),
    ]
    for label, values, higher_better in checks:
        ours = values.get(name, {}).get("value")
        theirs = {p: values[p]["value"] for p in peers if p in values and values[p]["value"] is not None}
        if ours is None or not theirs:
            row(f"ahead of every peer on {label}", "not measured", None)
            continue
        ahead = all((ours > v) if higher_better else (ours < v) for v in theirs.values())
        row(
            f"ahead of every peer on {label}",
            f"{ours:g} vs " + ", ".join(f"{p} {v:g}" for p, v in theirs.items()),
            ahead,
        )
    return rows


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _errors(errors: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in list(errors.items())[:3]).replace("|", "/")


def _x(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}x"


def markdown(report: dict[str, Any], plots: list[str]) -> str:
    systems = report["systems"]
    measured = [n for n, s in systems.items() if s["measured"]]
    base = report["baseline"]
    out: list[str] = [f"# Benchmark: Switchboard beside its peers — {report['date']}", ""]
    if report["quick"]:
        out += [
            "**Quick mode** (the smoke test's): a few seconds per scenario, low concurrency. These "
            "figures prove the harness works; they measure nothing worth comparing.",
            "",
        ]
    out += [
        f"Command: `{report['command']}`. Each load phase: {report['plan']['seconds']:g} s. "
        "The load generator (`bench/load.py`, asyncio on uvloop with raw HTTP/1.1 keep-alive connections) "
        "and the sink (`bench/sink.py`) run in processes of their own on the same machine, so every "
        "figure includes their share of the CPU. Ratios are *figure ÷ Switchboard's*: above 1 a peer is "
        "faster on throughput, below 1 it is faster on latency.",
        "",
    ]
    busy = report.get("load_at_start")
    if busy is not None and busy > 0.5 * float(report["machine"].get("cores") or 1):
        out += [
            f"⚠ **The machine was busy when this run started**: a 1-minute load average of {busy:.2f} on "
            f"{report['machine'].get('cores')} cores. If something else kept running, it shared the CPU "
            "and every figure here is lower than the machine gives when quiet.",
            "",
        ]
    out += ["## Machine", "", "| | |", "| --- | --- |"]
    out += [f"| {k} | {v} |" for k, v in report["machine"].items()]
    out += ["", "## Systems", ""]
    for name, s in systems.items():
        if s["measured"]:
            out += [f"### {name} {s['version']}", ""]
            out += [f"- **{k}**: {v}" for k, v in s["settings"].items()]
            out += [f"- ⚠ {e}" for e in s["errors"]]
        else:
            reason = (s["reason"] or "not available").strip().replace("\n", " ")[:600]
            out += [f"### {name}: not measured", "", f"Reason: {reason}"]
        out.append("")
    if report["targets"]:
        label = f"{base} (quick mode: not the target configuration)" if report["quick"] else base
        out += [
            "## Targets (issue 8)",
            "",
            f"Measured on: {label}.",
            "",
            "| target | figure | met |",
            "| --- | --- | --- |",
        ]
        for t in report["targets"]:
            met = "—" if t["met"] is None else ("met" if t["met"] else "**missed**")
            out.append(f"| {t['target']} | {t['figure']} | {met} |")
        out.append("")
    # (a)
    out += [
        "## (a) Webhook ingest",
        "",
        "Closed loop: N connections each sending the next webhook (the e2e flow, body `total: 150`) as "
        "soon as the last is answered. Accepted/s and the answer's latency in ms.",
        "",
    ]
    out += [
        "| connections | system | accepted/s | ratio to Switchboard | p50 | p95 | p99 | failed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for level, row in report["ingest"]["concurrency"].items():
        for n in measured:
            f = row.get(n)
            if not f:
                continue
            failed = str(f["failed"]) + (f" ({_errors(f['errors'])})" if f["failed"] else "")
            cells = [level, n, _fmt(f["accepted_per_s"], 0), _x(f["ratio_to_switchboard"]["accepted_per_s"])]
            cells += [_fmt(f["p50"]), _fmt(f["p95"]), _fmt(f["p99"]), failed]
            out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "| system | best accepted/s | at connections | p99 there (ms) | ratio to Switchboard |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n, f in report["ingest"]["best"].items():
        out.append(
            f"| {n} | {f['accepted_per_s']:,.0f} | {f['concurrency']} | {f['p99']:.1f} | "
            f"{_x(f.get('ratio_to_switchboard'))} |"
        )
    # (b)
    e2e = report["e2e"]
    out += [
        "",
        "## (b) End-to-end latency",
        "",
        f"Webhook → filter `total > 100` → map → HTTP POST to the sink, at a fixed {e2e['rate']:g} runs/s "
        "(open loop), from the webhook call to the sink's receipt (ms).",
        "",
        "| system | p50 | p95 | p99 | ratio (p50 / p99) | webhook answer p50 | received / accepted |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, d in e2e["details"].items():
        out.append(
            f"| {n} | {_fmt(d['p50'])} | {_fmt(d['p95'])} | {_fmt(d['p99'])} | "
            f"{_x(e2e['p50'][n]['ratio_to_switchboard'])} / {_x(e2e['p99'][n]['ratio_to_switchboard'])} | "
            f"{_fmt(d['webhook_p50'])} | {d['received']} / {d['accepted']} |"
        )
    # (c)
    out += [
        "",
        "## (c) Per-step overhead",
        "",
        "Webhook → N no-op steps, answered when the run has finished; one request at a time. Median "
        "latency (ms) per flow and the least-squares slope over the step count.",
        "",
        "| system | 1 step | 10 steps | 40 steps | ms per step | ratio | in the engine (ms/step) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, d in report["step_overhead_ms"].items():
        lat = d.get("latency_ms", {})
        out.append(
            f"| {n} | "
            + " | ".join(_fmt(lat.get(f, {}).get("p50")) for f in NOOP_STEPS)
            + f" | {_fmt(d['value'], 2)} | {_x(d['ratio_to_switchboard'])} | "
            f"{_fmt(d.get('engine_ms_per_step'), 2)} |"
        )
    if any("engine_ms_per_step" in d for d in report["step_overhead_ms"].values()):
        out += [
            "",
            'Switchboard answers a `respond: "result"` webhook when the engine signals the run\'s end '
            "(`flows/live.py`, through the channel layer); *in the engine* is the same slope from the runs' "
            "own `started_at` → `finished_at` (the run's rows are written after `finished_at` is taken, so "
            "the webhook's slope is the fuller figure).",
        ]
    # (d)
    out += [
        "",
        "## (d) Sustained runs per second",
        "",
        "The e2e flow under load above capacity (closed loop, "
        f"{report['plan']['runs_concurrency']} connections, {report['plan']['runs_seconds']:g} s), then "
        "drained: runs/s = receipts ÷ (last receipt - first call). Nothing lost = every accepted webhook "
        "reached the sink (and, for Switchboard, has a succeeded run in the database).",
        "",
        "| system | workers | runs/s | ratio | offered /s | drain (s) | saturated | nothing lost |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for workers, values in report["runs_per_s"].items():
        for n, d in values.items():
            lost = (
                "yes"
                if d.get("nothing_lost")
                else f"**no**: {d.get('lost')} missing, runs {d.get('runs_by_status', '')}"
            )
            note = f" ({d['note']})" if d.get("note") else ""
            cells = [
                n,
                f"{workers}{note}",
                _fmt(d["value"], 0),
                _x(d["ratio_to_switchboard"]),
                _fmt(d.get("offered_per_s"), 0),
                _fmt(d.get("drain_s")),
                "yes" if d.get("saturated") else "no",
                lost,
            ]
            out.append("| " + " | ".join(cells) + " |")
    if plots:
        out += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots]
    out.append("")
    return "\n".join(out)


def plot(report: dict[str, Any], out_dir: Path, stem: str) -> list[str]:
    """PNG plots beside the report; their file names (none when matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import ScalarFormatter
    except ImportError:
        say("matplotlib is not installed: no plots (`pip install -e '.[bench]'`)")
        return []
    names: list[str] = []
    levels = [int(c) for c in report["ingest"]["concurrency"]]
    systems = [n for n, s in report["systems"].items() if s["measured"]]
    if levels and systems:
        fig, (ax_lat, ax_rate) = plt.subplots(1, 2, figsize=(12, 4.5))
        for n in systems:
            xs = [c for c in levels if n in report["ingest"]["concurrency"][str(c)]]
            rows = [report["ingest"]["concurrency"][str(c)][n] for c in xs]
            if not xs:
                continue
            line = ax_lat.plot(xs, [r["p50"] for r in rows], marker="o", label=f"{n} p50")[0]
            ax_lat.plot(
                xs,
                [r["p99"] for r in rows],
                marker="x",
                linestyle="--",
                color=line.get_color(),
                label=f"{n} p99",
            )
            ax_rate.plot(xs, [r["accepted_per_s"] for r in rows], marker="o", label=n)
        for ax in (ax_lat, ax_rate):
            ax.set_xscale("log", base=2)
            ax.set_xticks(levels, [str(c) for c in levels])
            ax.set_xlabel("concurrent connections")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
        ax_lat.set_yscale("log")
        ax_lat.yaxis.set_major_formatter(ScalarFormatter())
        ax_lat.set_ylabel("webhook answer latency (ms)")
        ax_lat.set_title("Ingest: latency against load")
        ax_rate.set_ylabel("accepted webhooks/s")
        ax_rate.set_title("Ingest: throughput against load")
        fig.tight_layout()
        name = f"{stem}-ingest.png"
        fig.savefig(out_dir / name, dpi=110)
        plt.close(fig)
        names.append(name)
    steps = report["step_overhead_ms"]
    if steps:
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for n, d in steps.items():
            lat = d.get("latency_ms", {})
            xs = [NOOP_STEPS[f] for f in NOOP_STEPS if f in lat and lat[f].get("count")]
            if xs:
                ax.plot(
                    xs,
                    [lat[f]["p50"] for f in NOOP_STEPS if f in lat and lat[f].get("count")],
                    marker="o",
                    label=f"{n} ({_fmt(d['value'], 2)} ms/step)",
                )
        ax.set_xlabel("no-op steps in the flow")
        ax.set_ylabel("median latency, webhook → result (ms)")
        ax.set_title("Per-step overhead")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        name = f"{stem}-steps.png"
        fig.savefig(out_dir / name, dpi=110)
        plt.close(fig)
        names.append(name)
    return names


# --- main -----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--systems",
        help=f"comma-separated, of {', '.join(DEFAULT_SYSTEMS)}, switchboard-embedded "
        "(default: all available; with --quick: switchboard-embedded)",
    )
    parser.add_argument("--seconds", type=float, help="length of each load phase (default 10; --quick 1)")
    parser.add_argument(
        "--quick", action="store_true", help="a few seconds, embedded Switchboard, low concurrency"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where the report goes")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="scratch folder, one subfolder per system, where the peers "
        "are installed and kept for the next run (default: $BENCH_WORKDIR or "
        "~/.cache/switchboard-bench; with --quick a temporary folder, removed after)",
    )
    args = parser.parse_args(argv)
    plan = Plan.make(args.seconds, args.quick)
    offered, broken = discover()
    wanted = (
        args.systems.split(",")
        if args.systems
        else ["switchboard-embedded"]
        if args.quick
        else list(DEFAULT_SYSTEMS)
    )
    temporary = args.workdir is None and plan.quick
    scratch = (
        Path(tempfile.mkdtemp(prefix="switchboard-bench-"))
        if temporary
        else args.workdir
        or Path(os.environ.get("BENCH_WORKDIR") or Path.home() / ".cache" / "switchboard-bench")
    )
    scratch.mkdir(parents=True, exist_ok=True)
    say(f"systems: {', '.join(wanted)}; scratch folder {scratch}; {plan.seconds:g} s per load phase")
    info = machine()
    say(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']}; load {info['load average at start']}")
    sink = Sink(scratch)
    results: list[Measured] = []
    try:
        for name in (n.strip() for n in wanted if n.strip()):
            factory = offered.get(name)
            if factory is None:
                why = "; ".join(f"{m}: {e}" for m, e in broken.items()) or "no module offers it"
                results.append(Measured(name, reason=f"not available: {why}"))
                say(f"{name} is not available ({why})")
                continue
            results.append(measure(name, factory, sink, scratch, plan))
    finally:
        sink.close()
    report = assemble(results, plan, info, argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = datetime.now(UTC).strftime("%Y-%m-%d")
    plots = plot(report, args.out, stem)
    report["plots"] = plots
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(markdown(report, plots))
    if temporary:
        shutil.rmtree(scratch, ignore_errors=True)
    say(f"report: {args.out / (stem + '.md')} and .json" + (f", plots: {', '.join(plots)}" if plots else ""))
    for t in report["targets"]:
        verdict = "met   " if t["met"] else "MISSED" if t["met"] is False else "—     "
        say(f"  {verdict} {t['target']}: {t['figure']}")
    failed = [r for r in results if r.measured and r.errors]
    return 1 if not any(r.measured for r in results) or (plan.quick and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
