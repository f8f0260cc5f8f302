"""n8n as a peer: `n8n@1.123.81` installed with npm into the scratch folder, SQLite, regular mode
(one process, its defaults), the workflows imported with its CLI and activated before `n8n start`.

Two systems share the install: "n8n" with its default expression engine and "n8n-legacy" with
`N8N_EXPRESSION_ENGINE=legacy`."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import urllib.request
from pathlib import Path
from typing import Any

from bench.peers.common import (
    PEERS_DIR,
    ProcessGroup,
    install_prefix,
    install_settings,
    installed_version,
    node_version,
    npm_install,
    run_cli,
)
from bench.procs import free_port
from bench.systems.base import FLOWS, NOOP_STEPS, SystemUnavailable

TEMPLATES = PEERS_DIR / "n8n"
N8N_VERSION = "1.123.81"
# `npm install` alone fails: peers of the LangChain packages n8n bundles conflict.
NPM_ARGS = ("--legacy-peer-deps",)

# Nothing may reach outside this machine: no telemetry, version checks, templates, banners,
# personalisation survey, community-package lookups or licence renewal.
OFFLINE_ENV = {
    "N8N_DIAGNOSTICS_ENABLED": "false",
    "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
    "N8N_TEMPLATES_ENABLED": "false",
    "N8N_PERSONALIZATION_ENABLED": "false",
    "N8N_HIRING_BANNER_ENABLED": "false",
    "N8N_DYNAMIC_BANNERS_ENABLED": "false",
    "N8N_COMMUNITY_PACKAGES_ENABLED": "false",
    "N8N_LICENSE_AUTO_RENEW_ENABLED": "false",
    "N8N_AI_ENABLED": "false",
}

# What the benchmark keeps at n8n's defaults, stated in the report.
DEFAULTS_KEPT = {
    "database": "SQLite (n8n's defaults: DB_TYPE=sqlite, DB_SQLITE_POOL_SIZE=0, i.e. one connection, "
    "no WAL), a fresh database for each start",
    "mode": "regular (EXECUTIONS_MODE=regular: webhooks and executions in the one main process)",
    "execution data": "saved for every successful and failed run (EXECUTIONS_DATA_SAVE_ON_SUCCESS=all, "
    "SAVE_ON_ERROR=all), not per node while running (SAVE_ON_PROGRESS=false); pruning on "
    "(14 days, 10,000 executions)",
}


def _node(
    name: str, kind: str, version: float, x: int, parameters: dict[str, Any], uid: str
) -> dict[str, Any]:
    return {
        "id": uid,
        "name": name,
        "type": kind,
        "typeVersion": version,
        "position": [x, 0],
        "parameters": parameters,
    }


def e2e_workflow(sink_url: str) -> dict[str, Any]:
    workflow: dict[str, Any] = json.loads((TEMPLATES / "e2e.json").read_text())
    for node in workflow["nodes"]:
        if node["parameters"].get("url") == "__SINK_URL__":
            node["parameters"]["url"] = sink_url
    return workflow


def noop_workflow(flow: str, steps: int) -> dict[str, Any]:
    """Webhook (answer when the last node finishes) → `steps` No Operation nodes."""
    digits = f"{steps:05d}"
    webhook = _node(
        "Webhook",
        "n8n-nodes-base.webhook",
        2,
        0,
        {"httpMethod": "POST", "path": flow, "responseMode": "lastNode", "options": {}},
        f"5c1d0f2e-6a7b-4c8d-9e0f-1a2b3c{digits}0",
    )
    webhook["webhookId"] = f"7e2f1a3b-8c9d-4e0f-a1b2-c3d4e5{digits}0"
    nodes = [webhook]
    names = ["Webhook"]
    for i in range(1, steps + 1):
        name = f"No Operation {i}"
        nodes.append(
            _node(name, "n8n-nodes-base.noOp", 1, 220 * i, {}, f"5c1d0f2e-6a7b-4c8d-9e0f-{digits}{i:07d}")
        )
        names.append(name)
    connections = {
        source: {"main": [[{"node": target, "type": "main", "index": 0}]]}
        for source, target in itertools.pairwise(names)
    }
    return {
        "id": f"sbBenchNoop{digits}",
        "name": f"bench {flow}",
        "active": False,
        "nodes": nodes,
        "connections": connections,
        "settings": {"executionOrder": "v1"},
        "staticData": None,
        "pinData": {},
        "tags": [],
    }


def workflows(sink_url: str) -> list[dict[str, Any]]:
    return [e2e_workflow(sink_url), *(noop_workflow(flow, steps) for flow, steps in NOOP_STEPS.items())]


class N8n:
    """n8n@1.123.81; `legacy=True` runs it with `N8N_EXPRESSION_ENGINE=legacy` (name "n8n-legacy")."""

    # Regular mode is one process whatever `workers` says (queue mode would need Redis and workers).
    scales_with_workers = False

    def __init__(self, *, legacy: bool = False, install_dir: Path | None = None) -> None:
        self.legacy = legacy
        self.name = "n8n-legacy" if legacy else "n8n"
        # Where n8n is installed (both variants share it): `install_dir` when given, else see
        # `_install_prefix`.
        self._install_dir = install_dir
        self._prefix: Path | None = None
        self._port = 0
        self._process = ProcessGroup(self.name)

    def _install_prefix(self, workdir: Path) -> Path:
        return install_prefix(workdir, self._install_dir, f"n8n-{N8N_VERSION}-install", ("n8n", "n8n-legacy"))

    def version(self) -> str:
        if self._prefix is not None:
            found = installed_version(self._prefix, "n8n")
            if found:
                return found
        return f"{N8N_VERSION} (not installed)"

    def settings(self) -> dict[str, str]:
        settings = {
            "install": f"npm install --legacy-peer-deps n8n@{N8N_VERSION} with overrides xlsx 0.18.5, "
            "isolated-vm 5.0.4, @langchain/langgraph-checkpoint 1.0.0",
            "expression engine": (
                "legacy (N8N_EXPRESSION_ENGINE=legacy: expressions in the main V8 context, no isolation)"
                if self.legacy
                else "vm, n8n's default (expressions in a V8 isolate through isolated-vm, a pool of 1)"
            ),
            **DEFAULTS_KEPT,
            "workers": "1 process (regular mode has no workers; queue mode needs Redis and is not measured)",
            "nodes": "Webhook, If, Edit Fields (Set), HTTP Request; N No Operation nodes",
            "webhook answer": "e2e: immediately (202); noop-N: when the last node finishes",
            "offline": "diagnostics, version notifications, templates, personalisation, community "
            "packages and licence renewal off",
            "task runners": "off (n8n's default; only Code nodes use them, and these flows have none)",
            "logging": "N8N_LOG_LEVEL=warn",
            "node": node_version(),
        }
        return {**settings, **install_settings(self._prefix)}

    def _env(self, user_folder: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("N8N_", "DB_", "EXECUTIONS_"))}
        env.pop("NODE_OPTIONS", None)
        env.pop("WEBHOOK_URL", None)
        env.update(OFFLINE_ENV)
        env.update(
            {
                "N8N_USER_FOLDER": str(user_folder),
                "DB_TYPE": "sqlite",
                "EXECUTIONS_MODE": "regular",
                "N8N_HOST": "127.0.0.1",
                "N8N_LISTEN_ADDRESS": "127.0.0.1",
                "N8N_PORT": str(self._port),
                "N8N_PROTOCOL": "http",
                "WEBHOOK_URL": f"http://127.0.0.1:{self._port}/",
                # The task runner's broker listens on a port of its own; two n8n must not collide.
                "N8N_RUNNERS_BROKER_PORT": str(free_port()),
                "N8N_LOG_LEVEL": "warn",
                "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "true",
                "NODE_ENV": "production",
            }
        )
        if self.legacy:
            env["N8N_EXPRESSION_ENGINE"] = "legacy"
        return env

    def start(self, *, sink_url: str, workdir: Path, workers: int = 1) -> None:
        workdir = Path(workdir).resolve()
        self._prefix = self._install_prefix(workdir)
        npm_install(TEMPLATES / "package.json", self._prefix, package="n8n", npm_args=NPM_ARGS)
        cli = self._prefix / "node_modules" / "n8n" / "bin" / "n8n"
        if not cli.exists():
            raise SystemUnavailable(f"{self.name}: {cli} is missing after the install")

        run_dir = workdir / f"{self.name}-run"
        # A fresh database each start: executions of an earlier run would slow this one down.
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        self._port = free_port()
        env = self._env(run_dir)
        log = run_dir / "n8n.log"
        flows_file = run_dir / "workflows.json"
        deployed = workflows(sink_url)
        flows_file.write_text(json.dumps(deployed, indent=2))
        node = shutil.which("node") or "node"

        run_cli(
            [node, str(cli), "import:workflow", f"--input={flows_file}"],
            cwd=run_dir,
            env=env,
            log=log,
            timeout=300,
            what=f"{self.name}: n8n import:workflow",
        )
        # One call per workflow: `--all` only touches workflows that are active already.
        for workflow in deployed:
            run_cli(
                [node, str(cli), "update:workflow", f"--id={workflow['id']}", "--active=true"],
                cwd=run_dir,
                env=env,
                log=log,
                timeout=300,
                what=f"{self.name}: n8n update:workflow --id={workflow['id']} --active=true",
            )

        self._process.start([node, str(cli), "start"], cwd=run_dir, env=env, log=log)
        health = f"http://127.0.0.1:{self._port}/healthz"
        self._process.wait_until(lambda: _get_ok(health), timeout=180, what="answer on /healthz")
        # Webhooks are registered as the active workflows are loaded, just after the server is up.
        self._process.wait_for_flows(self.webhook_url, timeout=120, request_timeout=10)

    def webhook_url(self, flow: str) -> str:
        if flow not in FLOWS:
            raise KeyError(flow)
        return f"http://127.0.0.1:{self._port}/webhook/{flow}"

    def stop(self) -> None:
        self._process.stop()


def _get_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except OSError:
        return False


SYSTEMS = {"n8n": lambda: N8n(legacy=False), "n8n-legacy": lambda: N8n(legacy=True)}
