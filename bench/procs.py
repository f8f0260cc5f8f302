"""Processes for the benchmark: start one in its own process group with its output in a log, wait for it
to answer, stop it with everything it forked. Shared by every system (Switchboard and the peers)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any


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


def spawn(
    cmd: Sequence[str], *, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[Any]:
    """Start `cmd` leading its own process group, its output appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """SIGTERM the process group `spawn` made, then SIGKILL what is left of it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def tail(log: Path, lines: int = 30) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_http(
    url: str,
    procs: Sequence[subprocess.Popen[Any]] = (),
    *,
    timeout: float = 60.0,
    what: str = "the server",
    logs: Sequence[Path] = (),
) -> None:
    """Until a GET of `url` answers below 500; RuntimeError (with the logs' tails) when one of `procs`
    exits first or at `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{what} exited early (code {proc.returncode}):\n" + "\n".join(tail(log) for log in logs)
                )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{what} did not answer {url} within {timeout:g} s:\n" + "\n".join(tail(log) for log in logs)
    )
