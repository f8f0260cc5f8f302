"""Inbound webhooks (CONTRACT §4), by real HTTP requests against a live server — through both doors:
Django's view (a WSGI live server) and the lean ASGI path `hub/asgi.py` serves (uvicorn)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from django.core.asgi import get_asgi_application

from flows import services
from flows.models import Flow, Run, RunStatus, TriggerEvent
from flows.webhooks import asgi_app
from tests.support.flows import chain, node
from tests.support.processes import free_port
from tests.support.runs import wait_for_run


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """uvicorn in a thread, serving the lean webhook path in front of Django, as `hub/asgi.py` does."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(asgi_app(get_asgi_application()), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(params=["django", "asgi"])
def live_flow(request: Any, worker: None, alice: Any) -> Callable[..., tuple[Flow, str]]:
    """A flow made live (self-approved: alice is alone) and its webhook URL on a live server."""
    base = (
        request.getfixturevalue("live_server").url
        if request.param == "django"
        else request.getfixturevalue("asgi_server")
    )

    def make(document: dict[str, Any]) -> tuple[Flow, str]:
        flow = services.flow_create(user=alice, name="Hooked", graph=document)
        version = services.version_submit(flow=flow, user=alice)
        services.version_approve(version=version, user=alice)
        return flow, f"{base}/hooks/{flow.webhook_key}"

    return make


def echo_flow(**webhook_config: Any) -> dict[str, Any]:
    return chain(
        node("hook", "trigger.webhook", **webhook_config),
        node(
            "shape",
            "transform.map",
            fields={"total": {"var": "trigger.body.total"}, "source": "{{ trigger.query.source }}"},
        ),
    )


def test_an_event_is_stored_queued_and_answered_202(live_flow: Any) -> None:
    _flow, url = live_flow(echo_flow())
    response = httpx.post(
        url + "?source=shop", json={"total": 150}, headers={"X-Correlation-ID": "order-12345"}
    )
    assert response.status_code == 202
    body = response.json()
    assert body["correlation_id"] == "order-12345" == response.headers["X-Correlation-ID"]
    run = wait_for_run(body["run_id"])
    assert run.status == RunStatus.SUCCEEDED and run.correlation_id == "order-12345"
    assert run.output == {"total": 150, "source": "shop"}
    payload = run.event.payload
    assert payload["method"] == "POST" and payload["query"] == {"source": "shop"}
    assert payload["headers"]["content-type"] == "application/json"


def test_without_a_correlation_id_one_is_made_once_for_the_run_and_the_answer(live_flow: Any) -> None:
    _flow, url = live_flow(echo_flow())
    response = httpx.post(url, json={"total": 1})
    assert response.status_code == 202
    made = response.headers["X-Correlation-ID"]
    assert (
        made
        == response.json()["correlation_id"]
        == Run.objects.get(pk=response.json()["run_id"]).correlation_id
    )


def test_form_and_text_bodies_are_accepted(live_flow: Any) -> None:
    _flow, url = live_flow(echo_flow())
    form = httpx.post(url, data={"total": "3", "tag": ["a", "b"]})
    text = httpx.post(url, content=b"hello", headers={"Content-Type": "text/plain"})
    assert form.status_code == text.status_code == 202
    assert Run.objects.get(pk=form.json()["run_id"]).event.payload["body"] == {
        "total": "3",
        "tag": ["a", "b"],
    }
    assert Run.objects.get(pk=text.json()["run_id"]).event.payload["body"] == "hello"


def test_secrets_in_headers_are_not_stored(live_flow: Any) -> None:
    _flow, url = live_flow(echo_flow())
    response = httpx.post(url, json={}, headers={"Authorization": "Bearer very-secret"})
    event = Run.objects.get(pk=response.json()["run_id"]).event
    assert "very-secret" not in json.dumps(event.payload)


def test_a_repeated_idempotency_key_returns_the_first_run(live_flow: Any) -> None:
    flow, url = live_flow(echo_flow())
    first = httpx.post(url, json={"total": 1}, headers={"Idempotency-Key": "evt-1"})
    again = httpx.post(url, json={"total": 1}, headers={"Idempotency-Key": '"evt-1"'})
    by_webhook_id = httpx.post(url, json={"total": 1}, headers={"webhook-id": "evt-1"})
    changed = httpx.post(url, json={"total": 2}, headers={"Idempotency-Key": "evt-1"})
    assert first.status_code == 202
    assert again.status_code == by_webhook_id.status_code == 200
    assert again.json()["run_id"] == by_webhook_id.json()["run_id"] == first.json()["run_id"]
    assert changed.status_code == 422 and changed.headers["Content-Type"] == "application/problem+json"
    assert TriggerEvent.objects.filter(flow=flow).count() == 1


@pytest.mark.parametrize(
    ("send", "status"),
    [
        ({"content": b"\x00\x01", "headers": {"Content-Type": "application/octet-stream"}}, 415),
        ({"content": b"{broken", "headers": {"Content-Type": "application/json"}}, 400),
        ({"content": b"x" * (1024 * 1024 + 1), "headers": {"Content-Type": "text/plain"}}, 413),
    ],
)
def test_bodies_that_cannot_be_taken_are_refused(live_flow: Any, send: dict[str, Any], status: int) -> None:
    flow, url = live_flow(echo_flow())
    response = httpx.post(url, **send)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["X-Correlation-ID"]
    assert not TriggerEvent.objects.filter(flow=flow).exists()


def test_unknown_paused_and_non_webhook_keys_are_404(live_flow: Any, alice: Any) -> None:
    flow, url = live_flow(echo_flow())
    base = url.rsplit("/", 1)[0]
    assert httpx.post(base + "/no-such-key", json={}).status_code == 404
    services.flow_set_paused(flow=flow, user=alice, paused=True)
    assert httpx.post(url, json={}).status_code == 404
    services.flow_set_paused(flow=flow, user=alice, paused=False)
    assert httpx.post(url, json={}).status_code == 202
    assert httpx.get(url).status_code == 405
    _manual, manual_url = live_flow(chain(node("start", "trigger.manual")))
    assert httpx.post(manual_url, json={}).status_code == 404


def test_respond_result_answers_with_the_output(live_flow: Any) -> None:
    _flow, url = live_flow(echo_flow(respond="result"))
    response = httpx.post(url + "?source=api", json={"total": 9}, timeout=30)
    assert response.status_code == 200
    assert response.json() == {"total": 9, "source": "api"}
    assert Run.objects.get(pk=response.headers["X-Run-ID"]).status == RunStatus.SUCCEEDED


def test_respond_result_times_out_with_504_and_the_run_id(live_flow: Any) -> None:
    document = chain(
        node("hook", "trigger.webhook", respond="result", timeout_seconds=1),
        node("slow", "transform.delay", seconds=3),
    )
    _flow, url = live_flow(document)
    response = httpx.post(url, json={}, timeout=30)
    assert response.status_code == 504
    run = wait_for_run(response.json()["run_id"], timeout=15)
    assert run.status == RunStatus.SUCCEEDED


def test_the_webhook_url_is_shown_once_the_flow_is_live(live_flow: Any, api: Any) -> None:
    flow, _url = live_flow(echo_flow())
    shown = api.get(f"/api/v1/flows/{flow.pk}").json()["webhook_url"]
    assert shown.endswith(f"/hooks/{flow.webhook_key}")


def test_a_trigger_may_set_a_smaller_body_limit(live_flow: Any) -> None:
    _flow, url = live_flow(echo_flow(max_body_bytes=16))
    assert httpx.post(url, json={"total": 1}).status_code == 202
    too_big = httpx.post(url, json={"total": 1, "padding": "x" * 20})
    assert too_big.status_code == 413 and "16 bytes" in too_big.json()["detail"]
