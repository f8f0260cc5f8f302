"""A real OpenID provider for tests: `tests/support/oidc_provider/server.mjs` (the certified `oidc-provider`
package) on a spare loopback port, with the people it knows in a JSON file the test can rewrite."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import free_port, start, stop, wait_answering

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"


@dataclass
class OpenIdProvider:
    issuer: str
    client_id: str
    client_secret: str
    users_file: Path
    log: Path

    def set_users(self, users: list[dict[str, Any]]) -> None:
        """Replace the people the provider knows; it reads the file on every look-up."""
        tmp = self.users_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(users))
        tmp.replace(self.users_file)

    def discovery(self) -> dict[str, Any]:
        return dict(httpx.get(self.issuer + "/.well-known/openid-configuration", timeout=5).json())

    def log_tail(self, lines: int = 40) -> str:
        return (
            "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""
        )


@contextmanager
def openid_provider(
    tmp: Path,
    *,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    users: list[dict[str, Any]],
    port: int | None = None,
    client_id: str = "switchboard",
    client_secret: str = "switchboard-test-secret",
) -> Iterator[OpenIdProvider]:
    """Start the provider (issuer `http://127.0.0.1:<port>`) and wait until its discovery answers."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed for the test OpenID provider.")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(
            "The test OpenID provider is not installed: `make test` installs it, or "
            "`cd tests/support/oidc_provider && npm install`."
        )
    port = port or free_port()
    provider = OpenIdProvider(
        issuer=f"http://127.0.0.1:{port}",
        client_id=client_id,
        client_secret=client_secret,
        users_file=tmp / "oidc-users.json",
        log=tmp / "oidc-provider.log",
    )
    provider.set_users(users)
    env = {
        **os.environ,
        "OP_PORT": str(port),
        "OP_CLIENT_ID": client_id,
        "OP_CLIENT_SECRET": client_secret,
        "OP_REDIRECT_URIS": ",".join(redirect_uris),
        "OP_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        "OP_USERS_FILE": str(provider.users_file),
    }
    proc = start([node, "server.mjs"], log_path=provider.log, env=env, cwd=PROVIDER_DIR)
    try:
        wait_answering(
            provider.issuer + "/.well-known/openid-configuration",
            [proc],
            what="the test OpenID provider",
            log_tails=provider.log_tail,
            timeout=30,
        )
        yield provider
    finally:
        stop(proc, timeout=10)
