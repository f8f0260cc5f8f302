"""Event subscriptions: endpoints registered over the API, events delivered signed by real workers to a
real local receiver, retried, failed, replayed; and the AsyncAPI document that describes them."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from hub import correlation
from hub.backoff import backoff_seconds
from hub.events import EVENT_TYPES, SAMPLE_DATA, event_deliveries_resend_stale, event_emit
from hub.models import EventDelivery, EventEndpoint
from identity.services import role_grant
from tests.conftest import client_for
from tests.support.sink import HttpSink, Recorded

PROBLEM = "application/problem+json"
RUN_FAILED = {
    "id": uuid.UUID("5e00a462-0fe1-42b9-9e01-1e64b0d9fc60"),
    "flow": uuid.UUID("ef8fc7ef-2c61-46a6-ac6f-43d8526c1924"),
    "flow_name": "Big orders",
    "version": 3,
    "status": "failed",
    "trigger": "webhook",
    "correlation_id": "order-12345",
    "created_at": datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
    "started_at": datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
    "finished_at": datetime(2024, 5, 1, 10, 0, 2, tzinfo=UTC),
    "error": "Step 'crm' (action.http) failed after 3 attempts: POST https://crm.example.com answered 503",
    "url": None,
}


# --- helpers --------------------------------------------------------------------------------------


def wait_until(check: Callable[[], Any], timeout: float = 30.0, what: str = "the condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        time.sleep(0.05)


def requests_received(sink: HttpSink, count: int, timeout: float = 30.0) -> list[Recorded]:
    wait_until(lambda: len(sink.requests) >= count, timeout, f"{count} request(s) at the sink")
    return list(sink.requests)


def finished(delivery_id: Any, timeout: float = 30.0) -> EventDelivery:
    return wait_until(
        lambda: EventDelivery.objects.filter(pk=delivery_id).exclude(status="pending").first(),
        timeout,
        f"delivery {delivery_id} finishing",
    )


def register(api: APIClient, url: str, event_types: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    response = api.post(
        "/api/v1/event-endpoints",
        {"url": url, "event_types": event_types or ["run.failed"], **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def fields_of(body: dict[str, Any]) -> list[str | None]:
    return [item["field"] for item in body.get("errors", [])]


@pytest.fixture
def fast_retries(settings: Any) -> None:
    """Tiny backoff, so retries happen within the test (the embedded worker reads these settings)."""
    settings.EVENT_RETRY_BASE_SECONDS = 0.05
    settings.EVENT_RETRY_MAX_SECONDS = 0.2


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]


# --- registering ----------------------------------------------------------------------------------


def test_registering_an_endpoint_shows_its_signing_secret_once(
    api: APIClient, http_sink: HttpSink, loopback_allowed: None
) -> None:
    # when an admin registers an endpoint
    created = register(api, http_sink.url("/events"), ["run.succeeded", "run.failed"], description="Ops chat")
    # then the answer holds the endpoint and its secret, in the Standard Webhooks format
    assert created["secret"].startswith("whsec_")
    Webhook(created["secret"])  # a well-formed secret
    assert created["event_types"] == ["run.failed", "run.succeeded"]  # in the documented order
    assert created["active"] is True and created["description"] == "Ops chat"
    assert created["created_by"] == "alice"
    # and no later read shows it again, nor is it stored in clear
    detail = api.get(f"/api/v1/event-endpoints/{created['id']}")
    listed = api.get("/api/v1/event-endpoints")
    assert detail.status_code == listed.status_code == 200
    for body in (detail.content, listed.content):
        assert created["secret"].encode() not in body and b'"secret"' not in body
    assert listed.json()["results"][0]["id"] == created["id"] and listed.json()["next"] is None
    stored = EventEndpoint.objects.get(pk=created["id"])
    assert created["secret"] not in stored.secret_encrypted
    assert detail.json()["secret_fingerprint"] == created["secret_fingerprint"] == stored.secret_fingerprint


@pytest.mark.django_db
def test_bad_input_is_answered_with_problem_documents_naming_the_field(api: APIClient, settings: Any) -> None:
    settings.EGRESS_ALLOW = []
    post = lambda body: api.post("/api/v1/event-endpoints", body, format="json")  # noqa: E731
    # a URL that is no URL, or not http(s)
    for url in ["not a url", "ftp://example.com/x", "https://", "https://user:pw@example.com/hook"]:
        body = problem(post({"url": url, "event_types": ["run.failed"]}), 400)
        assert fields_of(body) == ["url"], url
    # loopback and private addresses, unless EGRESS_ALLOW lists them
    for url, kind in [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://[::1]/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "cloud metadata"),
        ("http://localhost:8000/hook", "loopback"),
    ]:
        body = problem(post({"url": url, "event_types": ["run.failed"]}), 400)
        assert fields_of(body) == ["url"] and kind in body["detail"] and "EGRESS_ALLOW" in body["detail"], url
    # unknown event types: each listed with its index, all named in the detail
    body = problem(
        post({"url": "https://93.184.215.14/hook", "event_types": ["run.failed", "run.lost", "x"]}), 400
    )
    assert fields_of(body) == ["event_types[1]", "event_types[2]"]
    assert "'run.lost'" in body["detail"] and "'x'" in body["detail"] and "version.approved" in body["detail"]
    body = problem(post({"url": "https://93.184.215.14/hook", "event_types": []}), 400)
    assert fields_of(body) == ["event_types"]
    # several problems at once, and missing fields
    body = problem(post({"url": "http://10.0.0.1/", "event_types": ["nope"]}), 400)
    assert fields_of(body) == ["url", "event_types[0]"]
    body = problem(post({}), 400)
    assert set(fields_of(body)) == {"url", "event_types"}
    assert EventEndpoint.objects.count() == 0
    # once allowed, a private address is accepted
    settings.EGRESS_ALLOW = ["10.0.0.0/8"]
    assert post({"url": "http://10.1.2.3/hook", "event_types": ["run.failed"]}).status_code == 201
    # and changes are checked the same way; an unknown endpoint is a 404 problem
    endpoint = EventEndpoint.objects.get()
    body = problem(
        api.patch(f"/api/v1/event-endpoints/{endpoint.pk}", {"url": "http://192.168.1.1/"}, format="json"),
        400,
    )
    assert fields_of(body) == ["url"]
    body = problem(
        api.patch(f"/api/v1/event-endpoints/{endpoint.pk}", {"event_types": ["run.lost"]}, format="json"), 400
    )
    assert fields_of(body) == ["event_types[0]"]
    problem(api.get(f"/api/v1/event-endpoints/{uuid.uuid4()}"), 404)
    problem(api.post(f"/api/v1/event-deliveries/{uuid.uuid4()}/replay"), 404)
    body = problem(
        api.post(f"/api/v1/event-endpoints/{endpoint.pk}/test", {"type": "run.lost"}, format="json"), 400
    )
    assert fields_of(body) == ["type"]
    body = problem(api.get(f"/api/v1/event-endpoints/{endpoint.pk}/deliveries?status=lost"), 400)
    assert fields_of(body) == ["status"]


@pytest.mark.django_db
def test_only_admins_manage_event_subscriptions(api: APIClient, bob: Any, loopback_allowed: None) -> None:
    endpoint = register(api, "http://127.0.0.1:9/hook")
    # given bob, an approver but not an admin
    bob_api = client_for(bob)
    # then every operation is refused with a 403 problem saying why
    for response in [
        bob_api.get("/api/v1/event-endpoints"),
        bob_api.post(
            "/api/v1/event-endpoints", {"url": "http://127.0.0.1:9/", "event_types": ["run.failed"]}
        ),
        bob_api.get(f"/api/v1/event-endpoints/{endpoint['id']}"),
        bob_api.patch(f"/api/v1/event-endpoints/{endpoint['id']}", {"active": False}, format="json"),
        bob_api.delete(f"/api/v1/event-endpoints/{endpoint['id']}"),
        bob_api.post(f"/api/v1/event-endpoints/{endpoint['id']}/rotate-secret"),
        bob_api.get(f"/api/v1/event-endpoints/{endpoint['id']}/deliveries"),
        bob_api.post(f"/api/v1/event-endpoints/{endpoint['id']}/test", {"type": "run.failed"}, format="json"),
    ]:
        assert "`admin` permission" in problem(response, 403)["detail"]
    assert APIClient().get("/api/v1/event-endpoints").status_code == 401
    # and once bob holds the admin role, he may
    role_grant(user=bob, role="admin")
    assert bob_api.get("/api/v1/event-endpoints").status_code == 200


@pytest.mark.django_db
def test_an_endpoint_is_changed_and_deleted(api: APIClient, loopback_allowed: None) -> None:
    endpoint = register(api, "http://127.0.0.1:9/hook")
    changed = api.patch(
        f"/api/v1/event-endpoints/{endpoint['id']}",
        {"active": False, "event_types": ["version.approved", "run.failed"], "description": "later"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["active"] is False
    assert changed.json()["event_types"] == ["run.failed", "version.approved"]
    assert changed.json()["description"] == "later" and changed.json()["url"] == "http://127.0.0.1:9/hook"
    assert api.delete(f"/api/v1/event-endpoints/{endpoint['id']}").status_code == 204
    problem(api.get(f"/api/v1/event-endpoints/{endpoint['id']}"), 404)
    actions = [entry["action"] for entry in api.get("/api/v1/audit").json()["results"]]
    assert actions[:3] == ["event_endpoint.deleted", "event_endpoint.updated", "event_endpoint.created"]


# --- emitting -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_event_emit_stores_deliveries_for_active_subscribed_endpoints_only(
    alice: Any, api: APIClient, loopback_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    # given endpoints subscribed to run.failed (one of them inactive) and one to run.succeeded only
    failures = register(api, "http://127.0.0.1:9/failures", ["run.failed"])
    both = register(api, "http://127.0.0.1:9/both", ["run.failed", "run.succeeded"])
    inactive = register(api, "http://127.0.0.1:9/inactive", ["run.failed"])
    register(api, "http://127.0.0.1:9/successes", ["run.succeeded"])
    api.patch(f"/api/v1/event-endpoints/{inactive['id']}", {"active": False}, format="json")
    # when a run failure is emitted
    with correlation.bound("order-12345"), django_capture_on_commit_callbacks() as queued:
        with transaction.atomic():
            event_emit(type="run.failed", data=RUN_FAILED)
            # then nothing is queued before the caller's transaction commits
            assert queued == []
    # then one delivery per active subscribed endpoint is stored, and queued once committed
    deliveries = EventDelivery.objects.order_by("endpoint__url")
    assert sorted(str(d.endpoint_id) for d in deliveries) == sorted([failures["id"], both["id"]])
    assert len(queued) == 2
    first, second = deliveries
    assert first.webhook_id.startswith("msg_") and first.webhook_id != second.webhook_id
    assert first.status == "pending" and first.attempts == 0 and first.correlation_id == "order-12345"
    assert first.payload["type"] == "run.failed" and first.payload["data"]["id"] == str(RUN_FAILED["id"])
    assert first.payload["data"]["finished_at"].startswith("2024-05-01T10:00:02")
    assert datetime.fromisoformat(first.payload["timestamp"]) > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
def test_an_event_emitted_in_a_rolled_back_transaction_leaves_nothing(
    api: APIClient, loopback_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    register(api, "http://127.0.0.1:9/hook", ["version.approved"])
    with django_capture_on_commit_callbacks() as queued, pytest.raises(RuntimeError):
        with transaction.atomic():
            event_emit(type="version.approved", data=SAMPLE_DATA["version.approved"])
            raise RuntimeError("the approval failed after all")
    assert EventDelivery.objects.count() == 0 and queued == []
    with pytest.raises(ValueError, match="not an event type"):
        event_emit(type="run.lost", data={})


# --- delivering -----------------------------------------------------------------------------------


def test_a_delivery_arrives_signed_and_verifiable(worker: None, api: APIClient, http_sink: HttpSink) -> None:
    # given an endpoint for run failures
    endpoint = register(api, http_sink.url("/events?channel=ops"), ["run.failed"])
    # when a run fails, as the engine reports it
    with correlation.bound("order-12345"):
        event_emit(type="run.failed", data=RUN_FAILED)
    # then the receiver gets one POST it can verify with the endpoint's secret
    (request,) = requests_received(http_sink, 1)
    assert request.method == "POST" and request.path == "/events?channel=ops"
    assert request.headers["content-type"] == "application/json"
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "run.failed" and set(payload) == {"type", "timestamp", "data"}
    assert payload["data"]["id"] == str(RUN_FAILED["id"]) and payload["data"]["error"] == RUN_FAILED["error"]
    delivery = finished(EventDelivery.objects.get().pk)
    assert request.headers["webhook-id"] == request.headers["idempotency-key"] == delivery.webhook_id
    assert request.headers["x-correlation-id"] == "order-12345"
    # and a wrong secret does not verify it
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)
    # and the delivery log says it was delivered on the first attempt
    assert delivery.status == "succeeded" and delivery.attempts == 1 and delivery.delivered_at is not None
    (attempt,) = delivery.attempt_log
    assert attempt["status_code"] == 200 and attempt["error"] is None and attempt["attempt"] == 1
    listed = api.get(f"/api/v1/event-endpoints/{endpoint['id']}").json()
    assert listed["last_delivery_status"] == "succeeded"


def test_a_503_is_retried_with_the_same_webhook_id_until_it_succeeds(
    worker: None, fast_retries: None, api: APIClient, http_sink: HttpSink
) -> None:
    # given a receiver that is unavailable twice, then answers
    endpoint = register(api, http_sink.url("/events"), ["version.submitted"])
    http_sink.reply(503, text="down for maintenance")
    http_sink.reply(502)
    # when an event is emitted
    event_emit(type="version.submitted", data=SAMPLE_DATA["version.submitted"])
    # then it is attempted three times, with one webhook-id, each attempt signed anew
    requests = requests_received(http_sink, 3)
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    for request in requests:
        Webhook(endpoint["secret"]).verify(request.body, request.headers)
    delivery = finished(EventDelivery.objects.get().pk)
    assert delivery.status == "succeeded" and delivery.attempts == 3 and delivery.error == ""
    assert [a["status_code"] for a in delivery.attempt_log] == [503, 502, 200]
    assert "503 Service Unavailable: down for maintenance" in delivery.attempt_log[0]["error"]
    # and the API's delivery log shows the same
    log = api.get(f"/api/v1/event-endpoints/{endpoint['id']}/deliveries").json()["results"]
    assert [a["status_code"] for a in log[0]["attempt_log"]] == [503, 502, 200]
    assert log[0]["webhook_id"] == delivery.webhook_id and log[0]["status"] == "succeeded"


def test_retry_after_is_honoured(
    worker: None, fast_retries: None, settings: Any, api: APIClient, http_sink: HttpSink
) -> None:
    settings.EVENT_RETRY_MAX_SECONDS = 5  # Retry-After is capped by the maximum too
    register(api, http_sink.url("/events"), ["run.failed"])
    http_sink.reply(429, headers={"Retry-After": "1"})
    event_emit(type="run.failed", data=RUN_FAILED)
    delivery = finished(EventDelivery.objects.get().pk)
    first, second = (datetime.fromisoformat(a["at"]) for a in delivery.attempt_log)
    assert delivery.status == "succeeded"
    assert (second - first).total_seconds() >= 0.95


@pytest.mark.skipif(not django_settings.EMBEDDED, reason="worker processes do not see the test's settings")
def test_retries_stop_after_the_last_attempt(
    worker: None, fast_retries: None, settings: Any, api: APIClient, http_sink: HttpSink
) -> None:
    settings.EVENT_MAX_ATTEMPTS = 3
    register(api, http_sink.url("/events"), ["run.failed"])
    for _ in range(5):
        http_sink.reply(500)
    event_emit(type="run.failed", data=RUN_FAILED)
    delivery = finished(EventDelivery.objects.get().pk)
    assert delivery.status == "failed" and delivery.attempts == 3
    assert "answered 500" in delivery.error and delivery.error.endswith("Gave up after 3 attempts.")
    time.sleep(0.3)
    assert len(http_sink.requests) == 3
    # a receiver nobody answers for is retried the same way, and the reason is kept
    with HttpSink() as gone:
        url = gone.url("/events")
    register(api, url, ["run.succeeded"])
    event_emit(type="run.succeeded", data={**RUN_FAILED, "status": "succeeded", "error": ""})
    delivery = finished(EventDelivery.objects.get(event_type="run.succeeded").pk)
    assert delivery.status == "failed" and delivery.attempts == 3
    assert f"POST {url} failed" in delivery.error and delivery.attempt_log[0]["status_code"] is None


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (410, "the receiver says this endpoint is gone"),
        (400, "Not retried: a 4xx other than 408, 425 and 429"),
    ],
)
def test_a_410_or_other_4xx_fails_the_delivery_at_once_with_a_clear_message(
    worker: None, fast_retries: None, api: APIClient, http_sink: HttpSink, status: int, says: str
) -> None:
    endpoint = register(api, http_sink.url("/events"), ["run.failed"])
    http_sink.reply(status, text="no such hook")
    event_emit(type="run.failed", data=RUN_FAILED)
    delivery = finished(EventDelivery.objects.get().pk)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert f"POST http://127.0.0.1:{http_sink.port}/events answered {status}" in delivery.error
    assert says in delivery.error
    assert delivery.attempt_log[0]["status_code"] == status
    # the endpoint is never disabled silently
    assert api.get(f"/api/v1/event-endpoints/{endpoint['id']}").json()["active"] is True
    time.sleep(0.3)
    assert len(http_sink.requests) == 1


def test_a_redirect_is_not_followed(
    worker: None, fast_retries: None, api: APIClient, http_sink: HttpSink
) -> None:
    register(api, http_sink.url("/events"), ["run.failed"])
    http_sink.reply(301, headers={"Location": "https://elsewhere.example.com/"})
    event_emit(type="run.failed", data=RUN_FAILED)
    delivery = finished(EventDelivery.objects.get().pk)
    assert delivery.status == "failed" and "Redirects are not followed" in delivery.error
    assert "https://elsewhere.example.com/" in delivery.error and len(http_sink.requests) == 1


def test_replay_sends_the_same_delivery_again_with_the_same_webhook_id(
    worker: None, fast_retries: None, api: APIClient, http_sink: HttpSink
) -> None:
    # given a delivery that failed with a 410
    endpoint = register(api, http_sink.url("/events"), ["run.failed"])
    http_sink.reply(410)
    event_emit(type="run.failed", data=RUN_FAILED)
    delivery = finished(EventDelivery.objects.get().pk)
    assert delivery.status == "failed"
    # when an admin replays it (the receiver is back)
    replayed = api.post(f"/api/v1/event-deliveries/{delivery.pk}/replay")
    assert replayed.status_code == 202, replayed.content
    assert replayed.json()["id"] == str(delivery.pk) and replayed.json()["status"] == "pending"
    # then the receiver gets the same event with the same webhook-id, and it is delivered
    first, again = requests_received(http_sink, 2)
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == delivery.webhook_id
    assert first.body == again.body
    Webhook(endpoint["secret"]).verify(again.body, again.headers)
    delivery = wait_until(lambda: EventDelivery.objects.filter(pk=delivery.pk, status="succeeded").first())
    assert delivery.attempts == 2 and delivery.replays == 1 and delivery.error == ""
    assert [(a["replay"], a["status_code"]) for a in delivery.attempt_log] == [(0, 410), (1, 200)]


@pytest.mark.django_db
def test_a_delivery_waiting_for_its_retry_is_not_replayed(api: APIClient, loopback_allowed: None) -> None:
    endpoint = register(api, "http://127.0.0.1:9/hook")
    delivery = EventDelivery.objects.create(
        endpoint_id=endpoint["id"],
        event_type="run.failed",
        payload={"type": "run.failed", "timestamp": "2024-05-01T10:00:00Z", "data": {}},
        webhook_id="msg_waiting",
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    body = problem(api.post(f"/api/v1/event-deliveries/{delivery.pk}/replay"), 409)
    assert "still being delivered" in body["detail"]


def test_a_sample_event_is_sent_now_to_the_chosen_endpoint(
    worker: None, api: APIClient, http_sink: HttpSink
) -> None:
    # given an inactive endpoint that subscribed to run failures only
    endpoint = register(api, http_sink.url("/events"), ["run.failed"])
    api.patch(f"/api/v1/event-endpoints/{endpoint['id']}", {"active": False}, format="json")
    # when an admin sends it a sample version.approved event
    sent = api.post(
        f"/api/v1/event-endpoints/{endpoint['id']}/test", {"type": "version.approved"}, format="json"
    )
    # then the answer is the delivery, and the receiver gets a signed sample shaped like the real event
    assert sent.status_code == 201, sent.content
    assert sent.json()["event_type"] == "version.approved" and sent.json()["webhook_id"].startswith("msg_")
    (request,) = requests_received(http_sink, 1)
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "version.approved" and payload["sample"] is True
    assert payload["data"] == SAMPLE_DATA["version.approved"]
    assert request.headers["webhook-id"] == sent.json()["webhook_id"]
    assert request.headers["x-correlation-id"]  # the admin's request's
    assert finished(sent.json()["id"]).status == "succeeded"


def test_after_a_rotation_both_secrets_sign_for_a_while(
    worker: None, api: APIClient, http_sink: HttpSink
) -> None:
    endpoint = register(api, http_sink.url("/events"), ["run.succeeded"])
    rotated = api.post(f"/api/v1/event-endpoints/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 201 and set(rotated.json()) == {"secret"}
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != endpoint["secret"]
    assert (
        api.get(f"/api/v1/event-endpoints/{endpoint['id']}").json()["secret_fingerprint"]
        != (endpoint["secret_fingerprint"])
    )
    event_emit(type="run.succeeded", data={**RUN_FAILED, "status": "succeeded", "error": ""})
    (request,) = requests_received(http_sink, 1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(new_secret).verify(request.body, request.headers)
    Webhook(endpoint["secret"]).verify(request.body, request.headers)


def test_a_delivery_the_broker_lost_is_sent_again_by_the_sweeper(
    worker: None, api: APIClient, http_sink: HttpSink
) -> None:
    # given a pending delivery whose message never reached a worker
    endpoint = register(api, http_sink.url("/events"), ["run.failed"])
    delivery = EventDelivery.objects.create(
        endpoint_id=endpoint["id"],
        event_type="run.failed",
        payload={"type": "run.failed", "timestamp": "2024-05-01T10:00:00Z", "data": {"id": "lost"}},
        webhook_id="msg_lost",
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    # when the sweeper runs
    assert event_deliveries_resend_stale() == 1
    # then it is delivered
    assert finished(delivery.pk).status == "succeeded"
    assert requests_received(http_sink, 1)[0].headers["webhook-id"] == "msg_lost"


@pytest.mark.django_db
def test_the_delivery_log_is_newest_first_and_paginated(api: APIClient, loopback_allowed: None) -> None:
    endpoint = register(api, "http://127.0.0.1:9/hook")
    for index in range(3):
        EventDelivery.objects.create(
            endpoint_id=endpoint["id"],
            event_type="run.failed",
            payload={"type": "run.failed", "timestamp": "2024-05-01T10:00:00Z", "data": {"n": index}},
            webhook_id=f"msg_{index}",
            status="failed",
            attempts=1,
            attempt_log=[
                {
                    "attempt": 1,
                    "at": "2024-05-01T10:00:00Z",
                    "status_code": 500,
                    "error": "x",
                    "duration_ms": 3,
                }
            ],
        )
    page = api.get(f"/api/v1/event-endpoints/{endpoint['id']}/deliveries?limit=2").json()
    assert [d["webhook_id"] for d in page["results"]] == ["msg_2", "msg_1"] and page["next"]
    rest = api.get(page["next"]).json()
    assert [d["webhook_id"] for d in rest["results"]] == ["msg_0"] and rest["next"] is None
    assert rest["results"][0]["attempt_log"][0]["status_code"] == 500
    failed = api.get(f"/api/v1/event-endpoints/{endpoint['id']}/deliveries?status=succeeded").json()
    assert failed["results"] == []


# --- the AsyncAPI document ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_asyncapi_document_describes_every_event_type(client: Any) -> None:
    # given anyone, signed in or not
    response = client.get("/api/asyncapi.yaml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
    document = yaml.safe_load(response.content)
    assert document["asyncapi"] == "3.0.0"
    # then the events sent to endpoints are exactly EVENT_TYPES, each with its payload's type
    messages = document["components"]["messages"]
    sent = document["channels"]["platformEvents"]["messages"]
    names = {messages[ref["$ref"].rsplit("/", 1)[1]]["name"] for ref in sent.values()}
    assert names == set(EVENT_TYPES)
    schemas = document["components"]["schemas"]
    for ref in sent.values():
        message = messages[ref["$ref"].rsplit("/", 1)[1]]
        payload = schemas[message["payload"]["$ref"].rsplit("/", 1)[1]]
        assert payload["allOf"][1]["properties"]["type"]["const"] == message["name"]
    # and the Standard Webhooks headers, and the inbound webhook of flows, are described
    headers = schemas["StandardWebhookHeaders"]["properties"]
    assert {"webhook-id", "webhook-timestamp", "webhook-signature", "Idempotency-Key"} <= set(headers)
    assert document["channels"]["flowWebhook"]["address"] == "/hooks/{key}"
    assert document["operations"]["receiveFlowWebhook"]["action"] == "receive"
    assert {op["action"] for name, op in document["operations"].items() if name.startswith("send")} == {
        "send"
    }


@pytest.mark.django_db
def test_the_sample_data_matches_the_documented_shapes(client: Any) -> None:
    document = yaml.safe_load(client.get("/api/asyncapi.yaml").content)
    schemas = document["components"]["schemas"]
    for event_type, data in SAMPLE_DATA.items():
        summary = schemas["RunSummary" if event_type.startswith("run.") else "VersionSummary"]
        assert set(summary["required"]) <= set(data), event_type
        assert set(data) <= set(summary["properties"]), event_type


# --- backoff --------------------------------------------------------------------------------------


def test_backoff_is_capped_exponential_with_full_jitter_and_honours_retry_after() -> None:
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(60.0, 2.0 * 2 ** (attempt - 1))
        delays = [
            backoff_seconds(attempt=attempt, base_seconds=2, max_seconds=60, rng=rng) for _ in range(200)
        ]
        assert all(0 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range, not just its top
    assert backoff_seconds(attempt=1, base_seconds=2, max_seconds=60, retry_after=30, rng=rng) >= 30
    assert backoff_seconds(attempt=1, base_seconds=2, max_seconds=60, retry_after=600, rng=rng) == 60
