"""Starting the real Switchboard processes (web, workers) for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), 1).close()
        return True
    except OSError:
        return False


@dataclass
class Stack:
    """A running Switchboard: its base URL, environment, and the logs of its processes."""

    url: str
    env: dict[str, str]
    backend: str = "embedded"
    logs: list[Path] = field(default_factory=list)
    processes: list[subprocess.Popen[Any]] = field(default_factory=list)
    # The same processes by name: "web", "worker-0", "worker-1", …, "scheduler".
    named: dict[str, subprocess.Popen[Any]] = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        """Run `manage.py …` against this stack's database; its standard output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def log_tails(self, lines: int = 40) -> str:
        return "\n".join(
            f"--- {log.name} ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
            for log in self.logs
            if log.exists()
        )


def _spawn(stack: Stack, name: str, cmd: list[str], tmp: Path) -> subprocess.Popen[Any]:
    log_path = tmp / f"{name}.log"
    stack.logs.append(log_path)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=stack.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    stack.processes.append(proc)
    stack.named[name] = proc
    return proc


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # Whatever it forked (the worker processes of a rundramatiq) goes with it: it led its own group.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_up(stack: Stack, timeout: float = 60.0) -> None:
    """Until the web process answers /healthz (readiness is for the test to check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in stack.processes:
            if proc.poll() is not None:
                raise RuntimeError(f"a process exited early ({proc.args}):\n{stack.log_tails()}")
        try:
            if httpx.get(stack.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"Switchboard did not come up:\n{stack.log_tails()}")


@contextmanager
def switchboard(tmp: Path, env: dict[str, str], workers: int, scheduler: bool = False) -> Iterator[Stack]:
    """Migrate, then serve with uvicorn on a free port, plus `workers` rundramatiq processes, and with
    `scheduler` a `manage.py runscheduler` (schedule triggers and the sweeper that re-sends lost runs).

    Each process leads its own process group (its id is the group's), so a test can signal a
    `rundramatiq` together with the worker processes it forks."""
    port = free_port()
    base_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "BROKER_URL", "DRAMATIQ_NAMESPACE"}
    }
    stack = Stack(
        url=f"http://127.0.0.1:{port}",
        env={
            **base_env,
            "SWITCHBOARD_VAR": str(tmp / "var"),
            "PYTHONUNBUFFERED": "1",
            "EGRESS_ALLOW": "127.0.0.1",
            "SWEEP_INTERVAL_SECONDS": "1",
            **env,
        },
    )
    stack.manage("migrate", "--noinput")
    with ExitStack() as cleanup:
        _spawn(
            stack,
            "web",
            [
                str(VENV_BIN / "uvicorn"),
                "hub.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            tmp,
        )
        for index in range(workers):
            _spawn(
                stack,
                f"worker-{index}",
                [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "2"],
                tmp,
            )
        if scheduler:
            _spawn(stack, "scheduler", [sys.executable, "manage.py", "runscheduler"], tmp)
        for proc in stack.processes:
            cleanup.callback(_stop, proc)
        wait_up(stack)
        yield stack
