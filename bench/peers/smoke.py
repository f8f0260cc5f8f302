"""Check a peer by hand: install it (cached), start it against a local sink, call each flow once.

    python -m bench.peers.smoke node-red n8n n8n-legacy [--workdir ~/.cache/switchboard-bench]

e2e with total > 100 must reach the sink with `id`, `sent_at` and the two set fields; e2e with
total ≤ 100 must not; each noop-N must answer 200 once its steps have run."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.peers.common import post_json
from bench.systems.base import NOOP_STEPS, SystemUnavailable
from bench.systems.n8n import N8n
from bench.systems.nodered import NodeRed


class Sink(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.received: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sink"


class SinkHandler(BaseHTTPRequestHandler):
    server: Sink

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            self.server.received.append(json.loads(body))
        except ValueError:
            self.server.received.append({"unparsed": body.decode(errors="replace")})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _body(rid: int, total: float) -> dict[str, Any]:
    """The load generator's body shape (bench/load.py)."""
    return {"id": rid, "sent_at": 1.5, "total": total, "customer": {"email": f"c{rid}@example.com"}}


def check(system: Any, workdir: Path) -> bool:
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    ok = True
    started = time.monotonic()
    try:
        # `<workdir>/<system name>`, as the harness does: the installs then live in `<workdir>`.
        system.start(sink_url=sink.url, workdir=workdir / system.name)
        print(f"{system.name} {system.version()}: up in {time.monotonic() - started:.1f} s")
        for key, value in system.settings().items():
            print(f"    {key}: {value}")
        t0 = time.monotonic()
        status, text = post_json(system.webhook_url("e2e"), _body(1, 150))
        print(f"  e2e total=150 → {status} {text[:80]!r} in {1000 * (time.monotonic() - t0):.0f} ms")
        ok &= status in (200, 202)
        status, _ = post_json(system.webhook_url("e2e"), _body(2, 50))
        ok &= status in (200, 202)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(r.get("id") == 1 for r in sink.received):
            time.sleep(0.05)
        time.sleep(0.5)
        print(f"  sink received: {sink.received}")
        big = [r for r in sink.received if r.get("id") == 1]
        ok &= len(big) == 1 and big[0].get("sent_at") == 1.5 and big[0].get("email") == "c1@example.com"
        ok &= not any(r.get("id") == 2 for r in sink.received)
        for flow in NOOP_STEPS:
            t0 = time.monotonic()
            status, text = post_json(system.webhook_url(flow), _body(3, 1))
            print(f"  {flow} → {status} {text[:60]!r} in {1000 * (time.monotonic() - t0):.0f} ms")
            ok &= status == 200
    except SystemUnavailable as exc:
        print(f"{system.name}: not available: {exc}")
        ok = False
    finally:
        system.stop()
        sink.shutdown()
    print(f"{system.name}: {'OK' if ok else 'FAILED'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("systems", nargs="+", choices=["node-red", "n8n", "n8n-legacy"])
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "switchboard-bench")
    args = parser.parse_args()
    makers = {"node-red": NodeRed, "n8n": N8n, "n8n-legacy": lambda: N8n(legacy=True)}
    results = [check(makers[name](), args.workdir) for name in args.systems]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
