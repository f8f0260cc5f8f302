"""End to end: the real web process and real workers, a flow approved by a second person, a webhook
delivered, and a local HTTP sink that receives what the flow sends."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest
from django.conf import settings

from tests.e2e.conftest import person
from tests.support.processes import Stack, descendants, niceness, threads_niceness
from tests.support.sink import HttpSink

pytestmark = pytest.mark.e2e


def _finished(client: httpx.Client, run_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/runs/{run_id}").json()
        if run["status"] in {"succeeded", "failed", "cancelled"}:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish: {run}")


def test_a_webhook_flow_runs_on_workers_after_a_second_person_approves(stack: Stack) -> None:
    alice, bob = person(stack, "alice"), person(stack, "bob")
    assert httpx.get(stack.url + "/readyz").status_code == 200
    assert httpx.get(stack.url + "/api/docs/").status_code == 200
    with HttpSink() as sink:
        # given a flow webhook → filter → map → HTTP, built by alice through the API
        document = {
            "schema": "switchboard.flow/v1",
            "name": "Big orders to the CRM",
            "nodes": [
                {"id": "order", "type": "trigger.webhook", "config": {}},
                {
                    "id": "big",
                    "type": "transform.filter",
                    "config": {"condition": {">": [{"var": "trigger.body.total"}, 100]}},
                },
                {
                    "id": "shape",
                    "type": "transform.map",
                    "config": {
                        "fields": {
                            "email": "{{ trigger.body.customer.email }}",
                            "total": {"*": [{"var": "trigger.body.total"}, 2]},
                        }
                    },
                },
                {
                    "id": "crm",
                    "type": "action.http",
                    "config": {"method": "POST", "url": sink.url("/leads"), "json": {"var": "steps.shape"}},
                },
            ],
            "edges": [
                {"source": "order", "target": "big"},
                {"source": "big", "target": "shape"},
                {"source": "shape", "target": "crm"},
            ],
        }
        flow = alice.post("/flows", json={"name": document["name"], "graph": document}).json()
        assert alice.post(f"/flows/{flow['id']}/versions", json={"note": "first cut"}).status_code == 201
        # when alice tries to approve her own version she is refused; bob approves it
        assert alice.post(f"/flows/{flow['id']}/versions/1/approve", json={}).status_code == 403
        assert bob.post(f"/flows/{flow['id']}/versions/1/approve", json={"comment": "ok"}).status_code == 200
        hook = alice.get(f"/flows/{flow['id']}").json()["webhook_url"]
        assert hook.startswith(stack.url + "/hooks/")

        small = httpx.post(hook, json={"total": 50, "customer": {"email": "s@example.com"}})
        big = httpx.post(
            hook,
            json={"total": 150, "customer": {"email": "b@example.com"}},
            headers={"X-Correlation-ID": "e2e-correlation-1"},
        )
        assert small.status_code == big.status_code == 202

        # then the big order reaches the sink, once, and every step can be read through the API
        big_run = _finished(alice, big.json()["run_id"])
        small_run = _finished(alice, small.json()["run_id"])
        assert big_run["status"] == "succeeded", (big_run, stack.log_tails())
        assert [s["status"] for s in big_run["steps"]] == ["succeeded"] * 4
        assert [s["status"] for s in small_run["steps"]] == ["succeeded", "succeeded", "skipped", "skipped"]
        assert big_run["steps"][3]["output"]["status"] == 200
        assert len(sink.requests) == 1
        received = sink.requests[0]
        assert received.method == "POST" and received.path == "/leads"
        assert received.json() == {"email": "b@example.com", "total": 300}
        assert received.headers["x-correlation-id"] == "e2e-correlation-1"
        assert received.headers["idempotency-key"] == f"{big_run['id']}:crm"
        assert big_run["version"] == 1 and big_run["correlation_id"] == "e2e-correlation-1"

    # and the worker processes give way to the web process: each lowered its CPU priority as it booted
    # (a rundramatiq forks them), while the web process, with the embedded worker if any, did not
    baseline = niceness(os.getpid())  # what every process of the stack started with
    web = threads_niceness(stack.named["web"].pid)
    assert web == dict.fromkeys(web, baseline)
    workers = [proc for name, proc in stack.named.items() if name.startswith("worker-")]
    assert len(workers) == (0 if stack.backend == "embedded" else 1)
    lowered = min(baseline + settings.WORKER_NICENESS, 19)
    for rundramatiq in workers:
        forked = descendants(rundramatiq.pid)
        assert forked, f"rundramatiq {rundramatiq.pid} has no worker process\n{stack.log_tails()}"
        assert {pid: niceness(pid) for pid in forked} == dict.fromkeys(forked, lowered), stack.log_tails()
        assert niceness(rundramatiq.pid) == baseline  # the parent only watches its workers
