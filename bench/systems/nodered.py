"""Node-RED as a peer: `node-red@4` installed with npm into the scratch folder, one process, the
flows written as its flows.json (only its own nodes: http in, switch, change, http request,
http response), the editor off."""

from __future__ import annotations

import json
import os
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
)
from bench.procs import free_port
from bench.systems.base import FLOWS, NOOP_STEPS, SystemUnavailable

TEMPLATES = PEERS_DIR / "node-red"

SETTINGS_JS = """\
// Written by the Switchboard benchmark (bench/systems/nodered.py) for each run.
module.exports = {{
    uiHost: "127.0.0.1",
    uiPort: {port},
    flowFile: "flows.json",
    flowFilePretty: true,
    credentialSecret: false,
    httpAdminRoot: "/admin",
    httpNodeRoot: "/",
    disableEditor: true,
    apiMaxLength: "5mb",
    logging: {{ console: {{ level: "warn", metrics: false, audit: false }} }},
    diagnostics: {{ enabled: false, ui: false }},
    runtimeState: {{ enabled: false, ui: false }},
    telemetry: {{ enabled: false, updateNotification: false }},
    externalModules: {{
        autoInstall: false,
        palette: {{ allowInstall: false, allowUpdate: false, allowUpload: false }},
        modules: {{ allowInstall: false }}
    }},
    functionExternalModules: false,
    editorTheme: {{ projects: {{ enabled: false }}, tours: false, palette: {{}} }},
    contextStorage: {{ default: {{ module: "memory" }} }},
}};
"""


def e2e_flow(sink_url: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = json.loads((TEMPLATES / "e2e.json").read_text())
    for node in nodes:
        if node.get("url") == "__SINK_URL__":
            node["url"] = sink_url
    return nodes


def noop_flow(flow: str, steps: int) -> list[dict[str, Any]]:
    """http in → `steps` change nodes without rules (each passes the message on as it is) →
    http response, which answers once the last step has run."""
    tab = f"bench_tab_{flow}"
    ids = [f"{flow}_in", *(f"{flow}_step{i}" for i in range(1, steps + 1)), f"{flow}_out"]
    nodes: list[dict[str, Any]] = [
        {"id": tab, "type": "tab", "label": flow, "disabled": False, "info": ""},
        {
            "id": ids[0],
            "type": "http in",
            "z": tab,
            "name": "webhook",
            "url": f"/{flow}",
            "method": "post",
            "upload": False,
            "swaggerDoc": "",
            "x": 100,
            "y": 60,
            "wires": [[ids[1]]],
        },
    ]
    for i in range(1, steps + 1):
        nodes.append(
            {
                "id": ids[i],
                "type": "change",
                "z": tab,
                "name": f"no-op {i}",
                "rules": [],
                "action": "",
                "property": "",
                "from": "",
                "to": "",
                "reg": False,
                "x": 100 + 40 * i,
                "y": 120,
                "wires": [[ids[i + 1]]],
            }
        )
    nodes.append(
        {
            "id": ids[-1],
            "type": "http response",
            "z": tab,
            "name": "result",
            "statusCode": "200",
            "headers": {},
            "x": 180 + 40 * steps,
            "y": 60,
            "wires": [],
        }
    )
    return nodes


class NodeRed:
    name = "node-red"
    # One process whatever `workers` says: scenario (d) is not measured again with two.
    scales_with_workers = False

    def __init__(self, install_dir: Path | None = None) -> None:
        # Where node-red is installed: `install_dir` when given, else see `_install_prefix`.
        self._install_dir = install_dir
        self._prefix: Path | None = None
        self._port = 0
        self._process = ProcessGroup(self.name)

    def _install_prefix(self, workdir: Path) -> Path:
        return install_prefix(workdir, self._install_dir, "node-red-install", ("node-red",))

    def version(self) -> str:
        if self._prefix is not None:
            found = installed_version(self._prefix, "node-red")
            if found:
                return found
        return "4.x (not installed)"

    def settings(self) -> dict[str, str]:
        settings = {
            "install": "npm install node-red@^4 (5.x needs Node 22)",
            "mode": "one Node.js process, flows from flows.json, editor disabled",
            "database": "none (Node-RED keeps no run history: messages live in memory only)",
            "workers": "1 process (Node-RED has no worker processes)",
            "nodes": "http in, switch, change (JSONata for total * 1.21), http request, http response; "
            "no-op steps: change nodes without rules (no function node anywhere)",
            "webhook answer": "e2e: http response 202 at once, the rest of the flow after it; noop-N: "
            "http response after the last step",
            "http request": "persistent connections off (the node's default)",
            "logging": "console, level warn",
            "node": node_version(),
        }
        return {**settings, **install_settings(self._prefix)}

    def start(self, *, sink_url: str, workdir: Path, workers: int = 1) -> None:
        workdir = Path(workdir).resolve()
        self._prefix = self._install_prefix(workdir)
        npm_install(TEMPLATES / "package.json", self._prefix, package="node-red")
        red_js = self._prefix / "node_modules" / "node-red" / "red.js"
        if not red_js.exists():
            raise SystemUnavailable(f"node-red: {red_js} is missing after the install")

        user_dir = workdir / "node-red-run"
        user_dir.mkdir(parents=True, exist_ok=True)
        for stale in (".flows.json.backup", "flows_cred.json", ".config.runtime.json"):
            (user_dir / stale).unlink(missing_ok=True)
        self._port = free_port()
        (user_dir / "settings.js").write_text(SETTINGS_JS.format(port=self._port))
        flows: list[dict[str, Any]] = e2e_flow(sink_url)
        for flow, steps in NOOP_STEPS.items():
            flows += noop_flow(flow, steps)
        (user_dir / "flows.json").write_text(json.dumps(flows, indent=2))

        env = dict(os.environ)
        env["NODE_ENV"] = "production"
        env.pop("NODE_OPTIONS", None)
        log = user_dir / "node-red.log"
        log.write_text("")
        self._process.start(
            ["node", str(red_js), "--settings", str(user_dir / "settings.js"), "--userDir", str(user_dir)],
            cwd=user_dir,
            env=env,
            log=log,
        )
        self._process.wait_for_flows(self.webhook_url, timeout=90, request_timeout=2)

    def webhook_url(self, flow: str) -> str:
        if flow not in FLOWS:
            raise KeyError(flow)
        return f"http://127.0.0.1:{self._port}/{flow}"

    def stop(self) -> None:
        self._process.stop()


SYSTEMS = {"node-red": NodeRed}
