"""Switchboard under the benchmark, in processes of its own, as a user would run it.

`switchboard`: production-like — PostgreSQL (a scratch database, dropped at stop) and Redis (a namespace
of its own, deleted at stop) on this machine, several web processes (uvicorn, or gunicorn with uvicorn
workers when it is installed and proves faster), `workers` Dramatiq worker processes and the scheduler.
`switchboard-embedded`: the `make run` default — SQLite, the worker inside the one web process.

The flows are created as a user would: a person, an API token (`manage.py apitoken`), then the REST API
(create, submit a version, approve it: a one-person instance approves its own).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import httpx

from bench.procs import free_port, spawn, stop, tail, wait_http
from bench.systems.base import NOOP_STEPS, SystemUnavailable

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
UNFINISHED = ("queued", "running", "waiting")


def flow_graphs(sink_url: str) -> dict[str, dict[str, Any]]:
    """The benchmark's flows as Switchboard documents (see `bench.systems.base.System.start`)."""
    e2e = {
        "schema": "switchboard.flow/v1",
        "nodes": [
            {"id": "order", "type": "trigger.webhook", "config": {"respond": "accepted"}},
            {
                "id": "big",
                "type": "transform.filter",
                "config": {"condition": {">": [{"var": "trigger.body.total"}, 100]}},
            },
            {
                "id": "shape",
                "type": "transform.map",
                "config": {
                    "fields": {
                        "id": {"var": "trigger.body.id"},
                        "sent_at": {"var": "trigger.body.sent_at"},
                        "email": "{{ trigger.body.customer.email }}",
                        "total": {"*": [{"var": "trigger.body.total"}, 1.21]},
                    }
                },
            },
            {
                "id": "post",
                "type": "action.http",
                "config": {"method": "POST", "url": sink_url, "json": {"var": "steps.shape"}},
            },
        ],
        "edges": [
            {"source": "order", "target": "big"},
            {"source": "big", "target": "shape"},
            {"source": "shape", "target": "post"},
        ],
    }
    graphs = {"e2e": e2e}
    for name, steps in NOOP_STEPS.items():
        nodes: list[dict[str, Any]] = [
            {"id": "hook", "type": "trigger.webhook", "config": {"respond": "result", "timeout_seconds": 60}}
        ]
        edges = []
        for index in range(1, steps + 1):
            # A filter whose condition always holds: a step that passes its input on and does nothing.
            nodes.append({"id": f"noop{index}", "type": "transform.filter", "config": {"condition": True}})
            edges.append({"source": nodes[-2]["id"], "target": f"noop{index}"})
        graphs[name] = {"schema": "switchboard.flow/v1", "nodes": nodes, "edges": edges}
    return graphs


class _Switchboard(ABC):
    """What both variants share; each reads its own database for the "nothing lost" check."""

    name: str = "switchboard"
    scales_with_workers: bool = False

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen[Any]] = {}
        self.logs: list[Path] = []
        self.workdir = Path(".")
        self.env: dict[str, str] = {}
        self.base_url = ""
        self.hooks: dict[str, str] = {}
        self.flow_ids: dict[str, str] = {}
        self.workers = 1

    # --- the System interface ---------------------------------------------------------------------

    def version(self) -> str:
        try:
            from importlib.metadata import version

            return version("switchboard")
        except Exception:
            text = (ROOT / "pyproject.toml").read_text()
            return text.split('version = "', 1)[1].split('"', 1)[0]

    def webhook_url(self, flow: str) -> str:
        return self.hooks[flow]

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop(proc)
        self.procs.clear()

    # --- shared steps -------------------------------------------------------------------------------

    def _fresh(self, workdir: Path) -> None:
        """A new var/ in `workdir`: every start begins with an empty instance (the logs are appended to)."""
        shutil.rmtree(workdir / "var", ignore_errors=True)
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        self.logs = []

    def _env(self, workdir: Path, extra: dict[str, str]) -> dict[str, str]:
        keep = {
            k: v
            for k, v in os.environ.items()
            if k
            not in {"DATABASE_URL", "REDIS_URL", "BROKER_URL", "DRAMATIQ_NAMESPACE", "DJANGO_SETTINGS_MODULE"}
        }
        return {
            **keep,
            "SWITCHBOARD_VAR": str(workdir / "var"),
            "PYTHONUNBUFFERED": "1",
            "EGRESS_ALLOW": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            # The default limits (100 webhooks/s per trigger) would be what is measured, not the engine.
            "WEBHOOK_RATE_LIMIT_PER_MINUTE": "0",
            "API_RATE_LIMIT_PER_MINUTE": "0",
            **extra,
        }

    def _manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise SystemUnavailable(
                f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        return done.stdout

    def _spawn(self, name: str, cmd: list[str]) -> subprocess.Popen[Any]:
        log = self.workdir / "logs" / f"{name}.log"
        self.logs.append(log)
        proc = spawn(cmd, log=log, env=self.env, cwd=ROOT)
        self.procs[name] = proc
        return proc

    def _wait_web(self) -> None:
        try:
            wait_http(
                self.base_url + "/healthz",
                list(self.procs.values()),
                what="Switchboard",
                logs=self.logs,
                timeout=90,
            )
        except RuntimeError as error:
            raise SystemUnavailable(str(error)) from error

    def _setup_database(self) -> str:
        """Migrate, then a person and a token for the API; the token."""
        self._manage("migrate", "--noinput")
        env_password = {**self.env, "DJANGO_SUPERUSER_PASSWORD": "bench-password-not-secret"}
        subprocess.run(
            [
                PYTHON,
                "manage.py",
                "createsuperuser",
                "--noinput",
                "--username",
                "bench",
                "--email",
                "bench@example.com",
            ],
            cwd=ROOT,
            env=env_password,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return self._manage("apitoken", "bench", "--name", "bench").strip().splitlines()[-1].strip()

    def _create_flows(self, token: str, sink_url: str) -> None:
        api = httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        with api:
            for name, graph in flow_graphs(sink_url).items():
                created = api.post("/api/v1/flows", json={"name": f"bench {name}", "graph": graph})
                if created.status_code != 201:
                    raise SystemUnavailable(
                        f"creating flow {name}: {created.status_code} {created.text[:500]}"
                    )
                flow_id = created.json()["id"]
                submitted = api.post(f"/api/v1/flows/{flow_id}/versions", json={"note": "benchmark"})
                if submitted.status_code not in (200, 201):
                    raise SystemUnavailable(
                        f"submitting {name}: {submitted.status_code} {submitted.text[:500]}"
                    )
                number = submitted.json().get("number", 1)
                approved = api.post(
                    f"/api/v1/flows/{flow_id}/versions/{number}/approve", json={"comment": "benchmark"}
                )
                if approved.status_code not in (200, 201):
                    raise SystemUnavailable(f"approving {name}: {approved.status_code} {approved.text[:500]}")
                flow = api.get(f"/api/v1/flows/{flow_id}").json()
                if not flow.get("webhook_url"):
                    raise SystemUnavailable(f"flow {name} is not live: {json.dumps(flow)[:500]}")
                self.flow_ids[name] = str(flow_id)
                self.hooks[name] = flow["webhook_url"]

    def _uvicorn(self, port: int, workers: int) -> list[str]:
        return [
            str(VENV_BIN / "uvicorn"),
            "hub.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ]

    def log_tails(self) -> str:
        return "\n".join(f"--- {log.name}\n{tail(log)}" for log in self.logs)

    # --- the database, for "nothing lost" ----------------------------------------------------------

    @abstractmethod
    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]: ...

    def backlog(self) -> int:
        """Runs accepted and not finished yet (queued, running or waiting)."""
        rows = self._query("SELECT count(*) FROM flows_run WHERE status IN ({p}, {p}, {p})", UNFINISHED)
        return int(rows[0][0])

    def run_status_counts(self, flow: str) -> dict[str, int]:
        """How many runs of `flow` there are, by status."""
        rows = self._query(
            "SELECT status, count(*) FROM flows_run WHERE flow_id = {p} GROUP BY status",
            (self.flow_ids[flow],),
        )
        return {str(status): int(count) for status, count in rows}

    @abstractmethod
    def run_seconds(self, flow: str, since: float) -> list[float]:
        """Durations (started → finished, in the engine) of the succeeded runs of `flow` created after
        `since` (wall-clock seconds)."""


class Switchboard(_Switchboard):
    """Production-like: PostgreSQL + Redis, separate web, worker and scheduler processes."""

    name = "switchboard"
    scales_with_workers = True
    # The web server chosen by the first start's probe, kept for the next starts of this harness run.
    chosen_server: ClassVar[str | None] = None

    def __init__(self, server: str | None = None, web_workers: int | None = None, threads: int = 8) -> None:
        super().__init__()
        self.server = server or os.environ.get("BENCH_SWITCHBOARD_SERVER", "auto")
        self.web_workers = web_workers or int(os.environ.get("BENCH_WEB_WORKERS", "2"))
        self.threads = threads
        self.database = ""
        self.namespace = ""
        self.probe: dict[str, float] = {}
        self.port = 0

    def settings(self) -> dict[str, str]:
        chosen = self.chosen_server or self.server
        probe = ", ".join(f"{k} {v:.0f}/s" for k, v in self.probe.items())
        return {
            "mode": "production-like: separate web, worker and scheduler processes",
            "database": f"{_pg_version()}, a scratch database",
            "broker": f"{_redis_version()}, Dramatiq's RedisBroker with a doorbell for idle workers "
            "(`hub/broker.py`)",
            "web server": (
                f"{chosen}, {self.web_workers} processes"
                + (f" (picked by a 3 s probe at 32 connections: {probe})" if probe else "")
            ),
            "workers": (
                f"{self.workers} worker process{'es' if self.workers > 1 else ''}: "
                f"`rundramatiq --processes {self.workers} --threads {self.threads}`, at niceness 10 "
                "(WORKER_NICENESS, the default: the web tier answers first)"
            ),
            "scheduler": "`manage.py runscheduler` (sweeper)",
            "rate limits": "off (WEBHOOK_RATE_LIMIT_PER_MINUTE=0, API_RATE_LIMIT_PER_MINUTE=0)",
            "log level": "WARNING",
        }

    def start(self, *, sink_url: str, workdir: Path, workers: int = 1) -> None:
        try:
            import psycopg
            import redis
        except ImportError as error:
            raise SystemUnavailable(f"psycopg or redis is not installed: {error}") from error
        self.workdir, self.workers = workdir, workers
        self._fresh(workdir)
        tag = f"{os.getpid()}_{int(time.time() * 1000) % 10**8}"
        self.database = f"switchboard_bench_{tag}"
        self.namespace = f"switchboard-bench-{tag}"
        try:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()
        except Exception as error:
            self.database = ""
            raise SystemUnavailable(f"PostgreSQL or Redis is not reachable: {error}") from error
        self.env = self._env(
            workdir,
            {
                "DATABASE_URL": PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.database,
                "REDIS_URL": REDIS_URL,
                "DRAMATIQ_NAMESPACE": self.namespace,
                "SECRET_KEY": "bench-" + "x" * 50,
            },
        )
        token = self._setup_database()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._spawn("worker", self._rundramatiq())
        self._spawn("scheduler", [PYTHON, "manage.py", "runscheduler"])
        server = self.chosen_server or ("uvicorn" if self.server == "auto" else self.server)
        self._start_web(server)
        self._create_flows(token, sink_url)
        if self.chosen_server is None:
            if self.server == "auto" and _gunicorn_worker() is not None:
                server = self._pick_server()
            type(self).chosen_server = server

    def _rundramatiq(self) -> list[str]:
        return [
            PYTHON,
            "manage.py",
            "rundramatiq",
            "--processes",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]

    def _start_web(self, server: str) -> None:
        if server == "gunicorn":
            worker_class = _gunicorn_worker()
            if worker_class is None:
                raise SystemUnavailable("gunicorn (with a uvicorn worker class) is not installed")
            cmd = [
                str(VENV_BIN / "gunicorn"),
                "hub.asgi:application",
                "--worker-class",
                worker_class,
                "--workers",
                str(self.web_workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "4096",
                "--log-level",
                "warning",
                "--keep-alive",
                "30",
            ]
        else:
            cmd = self._uvicorn(self.port, self.web_workers)
        self._spawn("web", cmd)
        self._wait_web()

    def _pick_server(self) -> str:
        """Three seconds at 32 connections against each server (bodies the filter stops, so the workers
        have little to do); the faster one stays."""
        for server in ("uvicorn", "gunicorn"):
            if server == "gunicorn":
                stop(self.procs.pop("web"))
                self._start_web("gunicorn")
            self.probe[server] = _probe(self.hooks["e2e"], self.workdir / f"probe-{server}.json")
        best = max(self.probe, key=lambda k: self.probe[k])
        if best != "gunicorn":
            stop(self.procs.pop("web"))
            self._start_web(best)
        _wait_until(lambda: self.backlog() == 0, 60)
        return best

    def stop(self) -> None:
        super().stop()
        if self.database:
            with contextlib.suppress(Exception):
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database = ""
        if self.namespace:
            with contextlib.suppress(Exception):
                import redis

                client = redis.Redis.from_url(REDIS_URL)
                keys = list(client.scan_iter(match=f"{self.namespace}*", count=1000))
                for start in range(0, len(keys), 500):
                    client.delete(*keys[start : start + 500])
            self.namespace = ""

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=5) as conn:
            return list(conn.execute(sql.replace("{p}", "%s"), params).fetchall())  # type: ignore[arg-type]

    def run_seconds(self, flow: str, since: float) -> list[float]:
        rows = self._query(
            "SELECT EXTRACT(EPOCH FROM finished_at - started_at) FROM flows_run WHERE flow_id = {p} "
            "AND status = 'succeeded' AND created_at >= to_timestamp({p})",
            (self.flow_ids[flow], since),
        )
        return [float(r[0]) for r in rows if r[0] is not None]


class SwitchboardEmbedded(_Switchboard):
    """The embedded default (`make run`): SQLite, the Dramatiq worker inside the one web process."""

    name = "switchboard-embedded"

    def settings(self) -> dict[str, str]:
        import sqlite3 as sqlite

        return {
            "mode": "embedded (`make run`): one process, in-process Dramatiq worker and scheduler",
            "database": f"SQLite {sqlite.sqlite_version} (WAL)",
            "broker": "in-process (Dramatiq StubBroker)",
            "web server": "uvicorn, 1 process",
            "workers": f"{os.environ.get('EMBEDDED_WORKER_THREADS', '4')} worker threads in the web process",
            "rate limits": "off (WEBHOOK_RATE_LIMIT_PER_MINUTE=0, API_RATE_LIMIT_PER_MINUTE=0)",
            "log level": "WARNING",
        }

    def start(self, *, sink_url: str, workdir: Path, workers: int = 1) -> None:
        self.workdir, self.workers = workdir, workers
        self._fresh(workdir)
        self.env = self._env(workdir, {})
        token = self._setup_database()
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self._spawn("web", self._uvicorn(port, 1))
        self._wait_web()
        self._create_flows(token, sink_url)

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        path = self.workdir / "var" / "db.sqlite3"
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)) as conn:
            return conn.execute(sql.replace("{p}", "?"), params).fetchall()

    def run_seconds(self, flow: str, since: float) -> list[float]:
        rows = self._query(
            "SELECT (julianday(finished_at) - julianday(started_at)) * 86400.0 FROM flows_run "
            "WHERE flow_id = {p} AND status = 'succeeded' AND created_at >= datetime({p}, 'unixepoch')",
            (self.flow_ids[flow].replace("-", ""), since),
        )
        return [float(r[0]) for r in rows if r[0] is not None]

    def run_status_counts(self, flow: str) -> dict[str, int]:
        rows = self._query(
            "SELECT status, count(*) FROM flows_run WHERE flow_id = {p} GROUP BY status",
            (self.flow_ids[flow].replace("-", ""),),
        )
        return {str(status): int(count) for status, count in rows}


def _gunicorn_worker() -> str | None:
    """The uvicorn worker class for gunicorn, when gunicorn is installed."""
    import importlib.util

    if importlib.util.find_spec("gunicorn") is None or not (VENV_BIN / "gunicorn").exists():
        return None
    if importlib.util.find_spec("uvicorn_worker") is not None:
        return "uvicorn_worker.UvicornWorker"
    return "uvicorn.workers.UvicornWorker"


def _probe(url: str, out: Path) -> float:
    done = subprocess.run(
        [
            PYTHON,
            str(ROOT / "bench" / "load.py"),
            "--url",
            url,
            "--concurrency",
            "32",
            "--seconds",
            "3",
            "--total",
            "50",
            "--id-start",
            "900000000",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        return 0.0
    return float(json.loads(out.read_text())["accepted_per_s"])


def _wait_until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return True
        time.sleep(0.5)
    return False


def _pg_version() -> str:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0]}" if row else "PostgreSQL"
    except Exception:
        return "PostgreSQL"


def _redis_version() -> str:
    try:
        import redis

        info: Any = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).info("server")
        return f"Redis {info.get('redis_version', '?')}"
    except Exception:
        return "Redis"


SYSTEMS = {"switchboard": Switchboard, "switchboard-embedded": SwitchboardEmbedded}
