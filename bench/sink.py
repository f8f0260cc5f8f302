"""The benchmark's HTTP sink: a lean asyncio HTTP/1.1 server, in its own process, that answers 200 at once
and records for every request its arrival time and the `id` (and `sent_at`) of its JSON body.

`python bench/sink.py --port P` prints `ready <port>` when it listens. `GET /_receipts?after=N` answers
`{"count": total, "receipts": [[id, sent_at, arrived_at], ...]}` with the receipts after the first N (times
are wall-clock seconds, `time.time()`, comparable with the load generator's on the same machine);
`GET /_count` answers `{"count": total}`. Any other request is a receipt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from typing import Any, cast

import httptools

Receipt = tuple[Any, Any, float]
RECEIPTS: list[Receipt] = []

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def _ids(body: bytes) -> tuple[Any, Any]:
    """`id` and `sent_at` of a JSON body: at its top level, else in an object one level down (a peer
    that wraps what it posts)."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return None, None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict):
        return None, None
    if "id" in data:
        return data.get("id"), data.get("sent_at")
    for value in data.values():
        if isinstance(value, dict) and "id" in value:
            return value.get("id"), value.get("sent_at")
    return None, None


def _answer(status: str, payload: Any) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


class SinkProtocol(asyncio.Protocol):
    """One keep-alive connection; httptools parses (content-length or chunked bodies)."""

    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []
        self.arrived = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have the same methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                self.transport.close()

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.arrived = time.time()
        self.url = b""
        self.body = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        assert self.transport is not None
        if self.url.startswith(b"/_receipts"):
            after = 0
            if b"after=" in self.url:
                after = int(self.url.split(b"after=", 1)[1].split(b"&", 1)[0] or 0)
            self.transport.write(_answer("200 OK", {"count": len(RECEIPTS), "receipts": RECEIPTS[after:]}))
        elif self.url.startswith(b"/_count"):
            self.transport.write(_answer("200 OK", {"count": len(RECEIPTS)}))
        else:
            rid, sent_at = _ids(b"".join(self.body))
            RECEIPTS.append((rid, sent_at, self.arrived))
            self.transport.write(OK)
        if not self.parser.should_keep_alive():
            self.transport.close()


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(SinkProtocol, host, port, backlog=4096, reuse_address=True)
    bound = server.sockets[0].getsockname()[1]
    print(f"ready {bound}", flush=True)
    stop: asyncio.Future[None] = loop.create_future()

    def finish() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, finish)
    async with server:
        await stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(args.host, args.port))
    else:
        uvloop.run(serve(args.host, args.port))
    sys.exit(0)


if __name__ == "__main__":
    main()
