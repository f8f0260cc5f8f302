"""Outbound `action.webhook`: signed with the connection's secret, retried like every action, a 410
fails the step with a clear message — and the secret is nowhere in stored data or logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.management import call_command
from standardwebhooks import Webhook

from flows.models import RunStatus
from nodes.models import Connection
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.sink import HttpSink


@pytest.fixture
def signing(api: Any) -> tuple[str, str]:
    """A webhook_secret connection made through the API: its id and the secret shown once."""
    made = api.post("/api/v1/connections", {"name": "Partner", "kind": "webhook_secret"}, format="json")
    assert made.status_code == 201
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert "secret" not in api.get(f"/api/v1/connections/{body['id']}").json()
    return body["id"], body["secret"]


def deliver(sink: HttpSink, connection_id: str, **extra: Any) -> dict[str, Any]:
    return chain(
        node("start", "trigger.manual"),
        node(
            "notify",
            "action.webhook",
            url=sink.url("/events"),
            connection=connection_id,
            payload={"type": "order.created", "id": {"var": "trigger.id"}},
            **extra,
        ),
    )


def test_deliveries_are_signed_and_verify(
    worker: None, http_sink: HttpSink, signing: Any, test_run: Any
) -> None:
    connection_id, secret = signing
    run = test_run(deliver(http_sink, connection_id), {"id": 42})
    assert run.status == RunStatus.SUCCEEDED
    request = http_sink.requests[0]
    assert Webhook(secret).verify(request.body, request.headers) == {"type": "order.created", "id": 42}
    assert request.headers["webhook-id"] == request.headers["idempotency-key"] == f"{run.pk}:notify"


def test_a_retry_keeps_the_webhook_id(worker: None, http_sink: HttpSink, signing: Any, test_run: Any) -> None:
    connection_id, secret = signing
    http_sink.reply(502, text="bad gateway")
    run = test_run(
        deliver(http_sink, connection_id, retry={"max_attempts": 2, "base_seconds": 0.1}), {"id": 1}
    )
    assert run.status == RunStatus.SUCCEEDED
    assert len({r.headers["webhook-id"] for r in http_sink.requests}) == 1 and len(http_sink.requests) == 2
    assert all(Webhook(secret).verify(r.body, r.headers) for r in http_sink.requests)


def test_gone_fails_the_step_with_a_clear_message(
    worker: None, http_sink: HttpSink, signing: Any, test_run: Any
) -> None:
    connection_id, _ = signing
    http_sink.reply(410, text="gone")
    run = test_run(deliver(http_sink, connection_id), {"id": 1})
    assert run.status == RunStatus.FAILED and steps_of(run)["notify"].attempts == 1
    assert "410" in run.error and "no longer accepts deliveries" in run.error
    assert Connection.objects.count() == 1  # nothing was disabled or removed behind anyone's back


def test_an_unknown_connection_fails_the_step(worker: None, http_sink: HttpSink, test_run: Any) -> None:
    run = test_run(deliver(http_sink, "00000000-0000-0000-0000-000000000000"), {"id": 1})
    assert run.status == RunStatus.FAILED and "No webhook_secret connection" in run.error
    assert http_sink.requests == []


def test_secrets_never_reach_stored_data_or_logs(
    worker: None,
    http_sink: HttpSink,
    signing: Any,
    test_run: Any,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Any,
    api: Any,
) -> None:
    # given a signed delivery, an inbound webhook secret, and every log line captured
    connection_id, secret = signing
    caplog.set_level(logging.DEBUG)
    run = test_run(deliver(http_sink, connection_id), {"id": 7})
    assert run.status == RunStatus.SUCCEEDED
    inbound = api.post(f"/api/v1/flows/{run.flow_id}/webhook-secret").json()["secret"]
    # when the whole database is dumped
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "--output", str(dump), verbosity=0)
    text = dump.read_text()
    # then neither secret (nor its base64 body) appears in it or in any log line
    for value in (secret, inbound):
        for form in (value, value.removeprefix("whsec_")):
            assert form not in text
            assert form not in caplog.text
