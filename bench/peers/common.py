"""What the peer systems share: an npm install cached in a scratch folder, a free port, a process
group started and stopped as one, and waiting for a webhook to answer."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bench.procs import spawn, stop, tail
from bench.systems.base import SystemUnavailable

PEERS_DIR = Path(__file__).resolve().parent
STAMP = ".bench-install.json"


def node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "not installed"
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.strip() or "?"


def installed_version(prefix: Path, package: str) -> str | None:
    manifest = prefix / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def npm_install(
    template: Path,
    prefix: Path,
    *,
    package: str,
    npm_args: Sequence[str] = (),
    timeout: float = 3600,
) -> str:
    """Install the package.json `template` into `prefix` (outside the repository) and return the
    installed version of `package`. The install is kept: when the stamp left by a finished install
    names the same template, the same npm arguments and a version that is still there, nothing runs."""
    manifest = template.read_text()
    key = hashlib.sha256((manifest + "\0" + " ".join(npm_args)).encode()).hexdigest()
    prefix.mkdir(parents=True, exist_ok=True)
    stamp = prefix / STAMP
    version = installed_version(prefix, package)
    with contextlib.suppress(OSError, ValueError):
        if version and json.loads(stamp.read_text()).get("key") == key:
            return version
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise SystemUnavailable(f"{package}: Node.js and npm are needed to install it, and are not on PATH")
    stamp.unlink(missing_ok=True)
    (prefix / "package.json").write_text(manifest)
    log = prefix / "npm-install.log"
    command = [npm, "install", "--no-audit", "--no-fund", "--loglevel=warn", *npm_args]
    started = time.monotonic()
    try:
        with log.open("w") as out:
            done = subprocess.run(
                command, cwd=prefix, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False
            )
    except subprocess.TimeoutExpired as exc:
        raise SystemUnavailable(
            f"{package}: `npm install` did not finish in {timeout:.0f} s (log: {log})"
        ) from exc
    version = installed_version(prefix, package)
    if done.returncode != 0 or version is None:
        raise SystemUnavailable(
            f"{package}: `npm {' '.join(command[1:])}` failed with exit code {done.returncode} "
            f"in {prefix} (log: {log}):\n{tail(log)}"
        )
    stamp.write_text(
        json.dumps({"key": key, "version": version, "seconds": round(time.monotonic() - started, 1)})
    )
    return version


def install_seconds(prefix: Path) -> float | None:
    """How long the cached install took, when this machine made it."""
    try:
        return float(json.loads((prefix / STAMP).read_text())["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def disk_usage(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def install_prefix(workdir: Path, install_dir: Path | None, folder: str, systems: tuple[str, ...]) -> Path:
    """Where a peer is installed: `install_dir` when given, else `$BENCH_PEERS_INSTALL_DIR/<folder>`,
    else `<folder>` in the scratch folder beside the systems' run folders (the harness gives each
    system `<scratch>/<system name>`), so the install is kept between runs and shared by variants."""
    if install_dir is not None:
        return install_dir
    shared = os.environ.get("BENCH_PEERS_INSTALL_DIR")
    if shared:
        return Path(shared) / folder
    return (workdir.parent if workdir.name in systems else workdir) / folder


def install_settings(prefix: Path | None) -> dict[str, str]:
    """The install's time and size for a peer's settings (nothing before the first start)."""
    if prefix is None:
        return {}
    found: dict[str, str] = {}
    seconds = install_seconds(prefix)
    if seconds is not None:
        found["install time"] = f"{seconds:.0f} s"
    found["install size"] = f"{disk_usage(prefix) / 1e6:.0f} MB"
    return found


def post_json(url: str, body: object, timeout: float = 5.0) -> tuple[int, str]:
    """POST `body` as JSON; the status and text of the answer (status 0: no answer at all)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode(errors="replace")
    except (OSError, urllib.error.URLError):
        return 0, ""


class ProcessGroup:
    """A server started in a session of its own, so that stopping it ends its children too."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None

    def start(self, command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path) -> None:
        self.stop()
        self.log = log
        self.proc = spawn(command, log=log, env=dict(env), cwd=cwd)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        return tail(self.log, lines) if self.log else ""

    def wait_until(self, ready: Callable[[], bool], *, timeout: float, what: str) -> None:
        """Poll `ready` until it holds; a clear error when the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.running():
                code = self.proc.returncode if self.proc else None
                raise SystemUnavailable(
                    f"{self.name} exited (code {code}) before {what} (log: {self.log}):\n{self.log_tail()}"
                )
            if ready():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise SystemUnavailable(
                    f"{self.name}: no {what} after {timeout:.0f} s (log: {self.log}):\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def wait_for_flows(
        self, webhook_url: Callable[[str], str], *, timeout: float, request_timeout: float
    ) -> None:
        """Up when the flows answer: noop-40 with 200 once finished, e2e with 202 at once. The e2e probe
        has total ≤ 100, so the filter stops it before the sink."""
        for flow, body, status in (
            ("noop-40", {"id": "probe", "total": 1}, 200),
            ("e2e", {"id": "probe", "total": 1, "sent_at": 0}, 202),
        ):
            url = webhook_url(flow)
            self.wait_until(
                lambda url=url, body=body, status=status: (
                    post_json(url, body, timeout=request_timeout)[0] == status
                ),
                timeout=timeout,
                what=f"answer {status} from the {flow} flow",
            )

    def stop(self, grace: float = 15.0) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            stop(proc, timeout=grace)


def run_cli(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path, timeout: float, what: str
) -> None:
    """A one-off command of a peer's CLI (import a workflow…), its output appended to `log`."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        try:
            done = subprocess.run(
                list(command),
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                start_new_session=True,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SystemUnavailable(f"{what}: did not finish in {timeout:.0f} s (log: {log})") from exc
    if done.returncode != 0:
        raise SystemUnavailable(f"{what}: exit code {done.returncode} (log: {log}):\n{tail(log)}")
