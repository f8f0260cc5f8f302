"""Profiles behind the benchmark's figures, reproducible: where a run's time goes in the engine, and where
a webhook's goes in the web process.

    .venv/bin/python bench/profile.py engine [--flow e2e] [--runs 200]
    .venv/bin/python bench/profile.py ingest [--seconds 8] [--concurrency 32]

`engine`: in a scratch PostgreSQL database (dropped afterwards), makes the benchmark's flow live, queues
`--runs` runs and executes them in this process, one after another, as a worker thread would (the HTTP
step posts to a local sink). It prints the time per run, the SQL statements of one run, and a
pyinstrument tree of the rest.

`ingest`: starts the production-like Switchboard of `make bench` with its workers paused, loads its
webhook with `bench/load.py`, records the web processes with py-spy, and prints accepted/s and the
functions holding the web processes' time. Pausing the workers shows what the web tier alone can
take; the benchmark's figure is lower, as the workers share the two cores.

Both need the `bench` extra and the profilers (`pip install pyinstrument py-spy`), PostgreSQL and
Redis as `make bench` does.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.procs import free_port, spawn, stop  # noqa: E402

PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


# --- engine ------------------------------------------------------------------------------------------


def engine(flow: str, runs: int) -> None:
    """In a child process with the scratch database's settings (Django reads them once)."""
    import psycopg

    database = f"switchboard_profile_{os.getpid()}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-profile-"))
    sink = spawn([PYTHON, str(ROOT / "bench" / "sink.py"), "--port", str(port)], log=workdir / "sink.log")
    env = {
        **os.environ,
        "DATABASE_URL": PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database,
        "REDIS_URL": REDIS_URL,
        "DRAMATIQ_NAMESPACE": database,
        "EGRESS_ALLOW": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "SWITCHBOARD_VAR": str(workdir / "var"),
        "DJANGO_SETTINGS_MODULE": "hub.settings",
    }
    try:
        subprocess.run(
            [PYTHON, __file__, "engine-inner", "--flow", flow, "--runs", str(runs), "--sink", str(port)],
            env=env,
            cwd=ROOT,
            check=True,
        )
    finally:
        stop(sink)
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def engine_inner(flow: str, runs: int, sink_port: int) -> None:
    import django

    django.setup()
    import pyinstrument
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.systems.switchboard import flow_graphs
    from flows import engine as flow_engine
    from flows import services
    from flows.models import Run, TriggerEvent

    call_command("migrate", verbosity=0)
    person = get_user_model().objects.create_superuser("profile", "profile@example.com", None)
    made = services.flow_create(
        user=person, name="profile", graph=flow_graphs(f"http://127.0.0.1:{sink_port}/sink")[flow]
    )
    version = services.version_submit(flow=made, user=person)
    services.version_approve(version=version, user=person)
    version.refresh_from_db()
    body = {"id": 1, "sent_at": 1.0, "total": 150, "customer": {"email": "c1@example.com"}}
    payload = {"body": body, "headers": {}, "query": {}, "method": "POST"}

    def queued() -> str:
        run, _ = services.run_start(
            flow=made, version=version, kind=TriggerEvent.Kind.WEBHOOK, payload=payload
        )
        return str(run.id)

    ids = [queued() for _ in range(runs + 21)]
    for run_id in ids[:20]:  # warm: connections, compiled graph, imports
        flow_engine.run_execute(run_id)
    with CaptureQueriesContext(connection) as one:
        flow_engine.run_execute(ids[20])
    profiler = pyinstrument.Profiler(interval=0.0005)
    began = time.perf_counter()
    with profiler:
        for run_id in ids[21:]:
            flow_engine.run_execute(run_id)
    took = time.perf_counter() - began
    succeeded = Run.objects.filter(pk__in=ids, status="succeeded").count()
    print(f"flow {flow}: {runs} runs, {took / runs * 1000:.2f} ms per run under the profiler")
    print(f"succeeded: {succeeded} of {len(ids)}")
    print(f"\nSQL statements of one run ({len(one.captured_queries)}):")
    for query in one.captured_queries:
        print("   ", query["sql"][:110])
    print()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


# --- ingest ------------------------------------------------------------------------------------------


def ingest(seconds: float, concurrency: int) -> None:
    from bench.systems.switchboard import Switchboard

    workdir = Path(tempfile.mkdtemp(prefix="switchboard-profile-"))
    sink_port = free_port()
    sink = spawn(
        [PYTHON, str(ROOT / "bench" / "sink.py"), "--port", str(sink_port)], log=workdir / "sink.log"
    )
    system = Switchboard(server="uvicorn")
    try:
        system.start(sink_url=f"http://127.0.0.1:{sink_port}/sink", workdir=workdir, workers=2)
        workers = _children(system.procs["worker"].pid)
        web = _children(system.procs["web"].pid)
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        spies = [
            subprocess.Popen(
                [
                    _py_spy(),
                    "record",
                    "-p",
                    str(pid),
                    "-d",
                    str(int(seconds) + 1),
                    "-r",
                    "250",
                    "-f",
                    "raw",
                    "-o",
                    str(workdir / f"web-{pid}.txt"),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for pid in web
        ]
        time.sleep(0.5)
        out = workdir / "load.json"
        subprocess.run(
            [
                PYTHON,
                str(ROOT / "bench" / "load.py"),
                "--url",
                system.webhook_url("e2e"),
                "--concurrency",
                str(concurrency),
                "--seconds",
                str(seconds),
                "--out",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for spy in spies:
            spy.wait(timeout=60)
        summary = json.loads(out.read_text())
        print(
            f"ingest with the workers paused, {concurrency} connections: {summary['accepted_per_s']}/s, "
            f"latency {summary['latency_ms']}"
        )
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
        _print_stacks(sorted(workdir.glob("web-*.txt")))
    finally:
        system.stop()
        stop(sink)


def _py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else "py-spy"


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found] or [pid]


def _print_stacks(paths: list[Path], top: int = 30) -> None:
    """py-spy's raw stacks as the share of samples each function appears in (inclusive)."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            samples = int(count)
            total += samples
            for frame in set(stack.split(";")):
                inclusive[frame] += samples
    print(f"\nweb processes, share of samples per function (inclusive, {total} samples):")
    for frame, samples in inclusive.most_common(200):
        if any(
            part in frame
            for part in (
                "flows/",
                "hub/",
                "psycopg/connection",
                "dramatiq/actor",
                "redis/connection",
                "django/db/models/query.py",
            )
        ):
            print(f"  {100 * samples / total:5.1f}%  {frame[:140]}")
            top -= 1
            if not top:
                break


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("engine", "engine-inner"):
        one = sub.add_parser(name)
        one.add_argument("--flow", default="e2e", choices=["e2e", "noop-1", "noop-10", "noop-40"])
        one.add_argument("--runs", type=int, default=200)
        one.add_argument("--sink", type=int, default=0, help=argparse.SUPPRESS)
    load = sub.add_parser("ingest")
    load.add_argument("--seconds", type=float, default=8)
    load.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    if args.what == "engine":
        engine(args.flow, args.runs)
    elif args.what == "engine-inner":
        engine_inner(args.flow, args.runs, args.sink)
    else:
        ingest(args.seconds, args.concurrency)


if __name__ == "__main__":
    main()
