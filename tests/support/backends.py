"""What crash drills need around a stack: a scratch PostgreSQL database, a private redis-server the test
may stop and start (never the machine's own), and finding which process holds a TCP connection."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from django.conf import settings

from tests.support import processes

REDIS_SERVER = shutil.which("redis-server")


@contextmanager
def postgres_database(prefix: str = "switchboard_e2e") -> Iterator[tuple[str, str]]:
    """A new, empty database on the PostgreSQL the tests use: (its URL, its name); dropped afterwards."""
    db = settings.DATABASES["default"]
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"]
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_dsn = f"host={host} port={port} user={user} dbname=postgres"
    if db.get("PASSWORD"):
        admin_dsn += f" password={db['PASSWORD']}"
    auth = user + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{auth}@{host}:{port}/{name}", name
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RedisServer:
    """`with RedisServer(tmp) as redis:` a redis-server of our own on a spare port, keeping nothing on
    disk (`--save "" --appendonly no`): stopping it loses every key, as a crashed Redis without
    persistence does. `stop()` and `start()` again reuse the same port."""

    def __init__(self, tmp: Path) -> None:
        if REDIS_SERVER is None:
            raise RuntimeError("redis-server is not installed")
        self.port = processes.free_port()
        self.dir = tmp / f"redis-{self.port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log = tmp / f"redis-{self.port}.log"
        self.proc: subprocess.Popen[Any] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self, timeout: float = 15.0) -> None:
        assert REDIS_SERVER is not None and (self.proc is None or self.proc.poll() is not None)
        self.proc = processes.start(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            log_path=self.log,
        )
        deadline = time.monotonic() + timeout
        while not self.ping():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on {self.port}:\n{self.log.read_text()}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def process_group_holding(local_port: int, remote_port: int, groups: Iterable[int]) -> int | None:
    """Which of `groups` (process group ids) has a process holding the IPv4/IPv6 TCP connection from
    127.0.0.1:`local_port` to `remote_port` — read from /proc (Linux); None when none does."""
    inode = _socket_inode(local_port, remote_port)
    if inode is None:
        return None
    wanted, link = set(groups), f"socket:[{inode}]"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError, ValueError, IndexError):
            # /proc/<pid>/stat is "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
            group = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2])
            if group in wanted and any(os.readlink(fd) == link for fd in (entry / "fd").iterdir()):
                return group
    return None


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if int(local.rsplit(":", 1)[1], 16) == local_port and (
                    int(remote.rsplit(":", 1)[1], 16) == remote_port
                ):
                    return inode
    return None
