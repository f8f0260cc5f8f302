"""Starting the real Switchboard processes (web, workers) for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone meanwhile
        return None
    # The command name (in parentheses) may hold spaces; the fields after it are plain.
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def descendants(pid: int) -> list[int]:
    """The processes `pid` forked, and theirs, as /proc shows them now (Linux)."""
    parents = {
        int(entry.name): _parent_of(int(entry.name))
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
    }
    found: list[int] = []
    generation = [pid]
    while generation:
        generation = [child for child, parent in parents.items() if parent in generation]
        found.extend(generation)
    return found


def niceness(pid: int) -> int:
    """The CPU niceness of process `pid`, or of thread `pid` (Linux keeps one per thread; a thread
    starts with its creator's)."""
    return os.getpriority(os.PRIO_PROCESS, pid)


def threads_niceness(pid: int) -> dict[int, int]:
    """The niceness of each of process `pid`'s threads by thread id (Linux), its own thread's first."""
    found: dict[int, int] = {}
    for tid in sorted(
        (int(task.name) for task in Path(f"/proc/{pid}/task").iterdir()), key=lambda t: t != pid
    ):
        with suppress(ProcessLookupError):  # a thread that ended meanwhile
            found[tid] = niceness(tid)
    return found


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


def start(
    cmd: list[str], *, log_path: Path, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.Popen[Any]:
    """Start `cmd` with its output appended to `log_path`, leading its own process group (see `stop`)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """Terminate a process `start`ed, then kill its group."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # Whatever it forked (the worker processes of a rundramatiq) goes with it: it led its own group.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_answering(
    url: str,
    processes: list[subprocess.Popen[Any]],
    *,
    what: str,
    log_tails: Callable[[], str],
    timeout: float = 60.0,
) -> None:
    """Until `url` answers 200; RuntimeError with the logs when one of `processes` exits first, or at
    `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in processes:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited early ({proc.args!r}):\n{log_tails()}")
        with suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up:\n{log_tails()}")


def _spawn(stack: Stack, name: str, cmd: list[str], tmp: Path) -> subprocess.Popen[Any]:
    log_path = tmp / f"{name}.log"
    stack.logs.append(log_path)
    proc = start(cmd, log_path=log_path, env=stack.env)
    stack.processes.append(proc)
    stack.named[name] = proc
    return proc


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
            cleanup.callback(stop, proc)
        # Until the web process answers /healthz (readiness is for the test to check).
        wait_answering(stack.url + "/healthz", stack.processes, what="Switchboard", log_tails=stack.log_tails)
        yield stack
