"""Real Dramatiq workers for tests: a worker thread on the in-process broker, or worker processes on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dramatiq
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """A URL for the database the tests are using right now (the test database)."""
    db = settings.DATABASES["default"]
    if settings.IS_SQLITE:
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PYTHONUNBUFFERED": "1",
        "EGRESS_ALLOW": "127.0.0.1",
        **extra,
    }
    return env


@contextmanager
def embedded_worker() -> Iterator[dramatiq.Worker]:
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=4, worker_timeout=50)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        connection.close()


@contextmanager
def worker_processes(count: int = 1, log_path: Path | None = None) -> Iterator[list[subprocess.Popen[Any]]]:
    """`manage.py rundramatiq` processes against the test database and the Redis in REDIS_URL."""
    broker = dramatiq.get_broker()
    broker.flush_all()
    log = open(log_path or os.devnull, "ab")
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "4"],
            cwd=ROOT,
            env=process_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(count)
    ]
    time.sleep(0.5)
    try:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"a worker process exited at start (code {proc.returncode})")
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
