"""Inbound webhook security and limits (CONTRACT §4), by real HTTP requests against a live server."""

from __future__ import annotations

import base64
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from flows import services
from flows.models import Run, TriggerEvent, WebhookRejection, WebhookSecret
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run


@pytest.fixture
def signed_hook(worker: None, alice: Any, live_server: Any, api: Any) -> Any:
    """A live flow whose webhook verifies Standard Webhooks signatures, and its first secret."""
    document = chain(
        node("hook", "trigger.webhook", verify="standard_webhooks"),
        node("shape", "transform.map", fields={"total": {"var": "trigger.body.total"}}),
    )
    flow = services.flow_create(user=alice, name="Signed", graph=document)
    services.version_approve(version=services.version_submit(flow=flow, user=alice), user=alice)
    answer = api.post(f"/api/v1/flows/{flow.pk}/webhook-secret")
    assert answer.status_code == 201
    return flow, f"{live_server.url}/hooks/{flow.webhook_key}", answer.json()["secret"]


def signed(
    secret: str, body: bytes, *, msg_id: str | None = None, at: datetime | None = None
) -> dict[str, str]:
    msg_id = msg_id or "msg_" + secrets.token_hex(8)
    at = at or datetime.now(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body.decode()),
        "Content-Type": "application/json",
    }


def test_a_signed_event_is_accepted_and_runs(signed_hook: Any) -> None:
    _flow, url, secret = signed_hook
    body = json.dumps({"total": 7}).encode()
    answer = httpx.post(url, content=body, headers=signed(secret, body))
    assert answer.status_code == 202
    assert wait_for_run(answer.json()["run_id"]).output == {"total": 7}


@pytest.mark.parametrize(
    "tamper", ["no-headers", "wrong-secret", "changed-body", "stale", "future", "garbage"]
)
def test_bad_signatures_are_401_and_nothing_is_stored_but_a_counter(signed_hook: Any, tamper: str) -> None:
    flow, url, secret = signed_hook
    body = json.dumps({"total": 7}).encode()
    headers = {
        "no-headers": {"Content-Type": "application/json"},
        "wrong-secret": signed("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(), body),
        "changed-body": signed(secret, b'{"total": 8}'),
        "stale": signed(secret, body, at=datetime.now(UTC) - timedelta(minutes=6)),
        "future": signed(secret, body, at=datetime.now(UTC) + timedelta(minutes=6)),
        "garbage": {**signed(secret, body), "webhook-signature": "v1,%%%not-base64 nonsense"},
    }[tamper]
    answer = httpx.post(url, content=body, headers=headers)
    assert answer.status_code == 401 and answer.headers["Content-Type"] == "application/problem+json"
    assert not TriggerEvent.objects.filter(flow=flow).exists() and not Run.objects.filter(flow=flow).exists()
    assert WebhookRejection.objects.get(flow=flow).reason == "bad-signature"


def test_rotation_keeps_the_old_secret_verifying_for_a_day(signed_hook: Any, api: Any) -> None:
    flow, url, old = signed_hook
    new = api.post(f"/api/v1/flows/{flow.pk}/webhook-secret").json()["secret"]
    assert new != old
    body = b'{"total": 1}'
    assert httpx.post(url, content=body, headers=signed(old, body)).status_code == 202
    assert httpx.post(url, content=body, headers=signed(new, body)).status_code == 202
    # a day later only the new one verifies
    WebhookSecret.objects.filter(flow=flow, expires_at__isnull=False).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert httpx.post(url, content=body, headers=signed(old, body)).status_code == 401
    assert httpx.post(url, content=body, headers=signed(new, body)).status_code == 202
    # the secret is stored encrypted: its text is nowhere in the table
    assert all(
        new not in row.secret_encrypted and old not in row.secret_encrypted
        for row in WebhookSecret.objects.all()
    )


def test_a_signature_over_several_secrets_passes_with_any_current_one(signed_hook: Any) -> None:
    _flow, url, secret = signed_hook
    body = b'{"total": 2}'
    other = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    headers = signed(secret, body, msg_id="msg_multi")
    wrong = signed(other, body, msg_id="msg_multi")
    headers["webhook-signature"] = f"{wrong['webhook-signature']} {headers['webhook-signature']}"
    assert httpx.post(url, content=body, headers=headers).status_code == 202


def test_without_a_secret_a_verifying_webhook_refuses_everything(
    worker: None, alice: Any, live_server: Any
) -> None:
    document = chain(node("hook", "trigger.webhook", verify="standard_webhooks"))
    flow = services.flow_create(user=alice, name="No secret yet", graph=document)
    services.version_approve(version=services.version_submit(flow=flow, user=alice), user=alice)
    answer = httpx.post(f"{live_server.url}/hooks/{flow.webhook_key}", json={})
    assert answer.status_code == 401 and "webhook-secret" in answer.json()["detail"]


def test_the_rate_limit_answers_429_with_retry_after(worker: None, alice: Any, live_server: Any) -> None:
    document = chain(node("hook", "trigger.webhook", rate_limit_per_minute=3))
    flow = services.flow_create(user=alice, name="Limited", graph=document)
    services.version_approve(version=services.version_submit(flow=flow, user=alice), user=alice)
    url = f"{live_server.url}/hooks/{flow.webhook_key}"
    # keep all the requests inside one minute's window
    if datetime.now(UTC).second > 50:
        time.sleep(61 - datetime.now(UTC).second)
    answers = [httpx.post(url, json={"n": n}) for n in range(5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    assert TriggerEvent.objects.filter(flow=flow).count() == 3
    assert WebhookRejection.objects.get(flow=flow, reason="rate-limited").count == 2


def test_the_api_limits_each_token(api: Any, settings: Any) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 5
    if datetime.now(UTC).second > 50:
        time.sleep(61 - datetime.now(UTC).second)
    codes = [api.get("/api/v1/me").status_code for _ in range(7)]
    assert codes == [200] * 5 + [429, 429]
    limited = api.get("/api/v1/me")
    assert limited["Content-Type"] == "application/problem+json" and int(limited["Retry-After"]) >= 1
