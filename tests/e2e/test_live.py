"""Live updates: a browser watching a run over the websocket sees every step change as it happens."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.conftest import browser_session, person
from tests.support.flows import chain, node
from tests.support.processes import Stack

pytestmark = pytest.mark.e2e


async def _watch(url: str, cookie: str, origin: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    headers = {"Cookie": f"sessionid={cookie}", "Origin": origin}
    async with websockets.connect(url, additional_headers=headers) as socket:
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=20))
            seen.append(message)
            if message["type"] == "run" and message["run"]["status"] in {"succeeded", "failed"}:
                return seen


def test_the_run_socket_pushes_each_step_as_it_happens(stack: Stack) -> None:
    # given a signed-in person and a test run that waits a second in the middle
    api = person(stack, "watcher")
    cookie = browser_session(stack, "watcher")
    document = chain(
        node("start", "trigger.manual"),
        node("pause", "transform.delay", seconds=1),
        node("shape", "transform.map", fields={"n": {"var": "trigger.n"}}),
    )
    flow = api.post("/flows", json={"name": "Watched", "graph": document}).json()
    run = api.post(f"/flows/{flow['id']}/test", json={"payload": {"n": 5}}).json()
    # when the browser opens the run's socket
    socket_url = stack.url.replace("http://", "ws://") + f"/ws/runs/{run['id']}/"
    seen = asyncio.run(_watch(socket_url, cookie, stack.url))
    # then it gets the run as it stands (the delay has begun), then each later step change in order,
    # and last the finished run; `shape` is pure, so it is stored (and shown) once, finished, with the
    # run's next write
    assert seen[0]["type"] == "run" and seen[0]["run"]["id"] == run["id"]
    assert seen[0]["run"]["status"] in {"queued", "running", "waiting"}
    changes = [(m["step"]["node"], m["step"]["status"]) for m in seen if m["type"] == "step"]
    assert changes.index(("pause", "succeeded")) < changes.index(("shape", "succeeded"))
    assert ("shape", "running") not in changes
    assert seen[-1]["run"]["status"] == "succeeded"
    assert seen[-1]["run"]["steps"][-1]["output"] == {"n": 5}


def test_the_run_socket_refuses_strangers(stack: Stack) -> None:
    api = person(stack, "owner")
    flow = api.post("/flows", json={"name": "Private", "graph": chain(node("s", "trigger.manual"))}).json()
    run = api.post(f"/flows/{flow['id']}/test", json={"payload": {}}).json()
    url = stack.url.replace("http://", "ws://") + f"/ws/runs/{run['id']}/"

    async def connect(headers: dict[str, str]) -> None:
        async with websockets.connect(url, additional_headers=headers) as socket:
            await socket.recv()

    # without a session, and with a session but from another site's page, the handshake is refused
    with pytest.raises(websockets.exceptions.InvalidStatus, match="403"):
        asyncio.run(connect({"Origin": stack.url}))
    cookie = browser_session(stack, "owner")
    with pytest.raises(websockets.exceptions.InvalidStatus, match="403"):
        asyncio.run(connect({"Origin": "https://evil.example", "Cookie": f"sessionid={cookie}"}))
    assert httpx.get(stack.url + "/healthz").status_code == 200
