"""The platform's own events (`run.failed`, `version.approved`, …) for admin-registered endpoints:
emitting them, the endpoints and their deliveries (writes and reads), and each delivery attempt —
signed the Standard Webhooks way and retried with capped exponential backoff and full jitter."""

from __future__ import annotations

import json
import logging
import math
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from standardwebhooks import Webhook

from hub import audit, correlation, crypto, egress
from hub.backoff import backoff_seconds
from hub.models import EventDelivery, EventDeliveryStatus, EventEndpoint
from hub.problems import Conflict, ErrorItem, NotFound, ValidationProblem
from hub.tasks import enqueue_delivery

log = logging.getLogger("switchboard.events")

EVENT_TYPES: tuple[str, ...] = (
    "run.failed",
    "run.succeeded",
    "version.submitted",
    "version.approved",
    "version.rejected",
)

DELIVERY_TIMEOUT_SECONDS = 10.0
# An attempt holds its delivery this long; one that outlives it (a crashed worker) may be taken over.
ATTEMPT_LEASE_SECONDS = 60.0
USER_AGENT = "Switchboard-Events"
EXCERPT_BYTES = 1024
EXCERPT_CHARS = 200

# What "Send a sample event" sends: the same shapes as the real events (documented in hub/asyncapi.yaml).
_SAMPLE_RUN = {
    "id": "00000000-0000-4000-8000-000000000001",
    "flow": "00000000-0000-4000-8000-000000000002",
    "flow_name": "Big orders to the CRM",
    "version": 3,
    "trigger": "webhook",
    "correlation_id": "sample-0000000000",
    "created_at": "2024-05-01T10:00:00Z",
    "started_at": "2024-05-01T10:00:00.120Z",
    "finished_at": "2024-05-01T10:00:02.480Z",
    "url": None,
}
_SAMPLE_VERSION = {
    "flow": "00000000-0000-4000-8000-000000000002",
    "flow_name": "Big orders to the CRM",
    "number": 4,
    "author": "carol",
    "note": "Send big orders to the CRM as well",
    "created_at": "2024-05-01T09:00:00Z",
    "decided_by": None,
    "decided_at": None,
    "comment": "",
    "self_approved": False,
    "url": None,
}
SAMPLE_DATA: dict[str, dict[str, Any]] = {
    "run.failed": {
        **_SAMPLE_RUN,
        "status": "failed",
        "error": "Step 'crm' (action.http) failed after 3 attempts: "
        "POST https://crm.example.com/leads answered 503 Service Unavailable",
    },
    "run.succeeded": {**_SAMPLE_RUN, "status": "succeeded", "error": ""},
    "version.submitted": {**_SAMPLE_VERSION, "state": "pending"},
    "version.approved": {
        **_SAMPLE_VERSION,
        "state": "approved",
        "decided_by": "dave",
        "decided_at": "2024-05-01T11:00:00Z",
        "comment": "Looks right.",
    },
    "version.rejected": {
        **_SAMPLE_VERSION,
        "state": "rejected",
        "decided_by": "dave",
        "decided_at": "2024-05-01T11:00:00Z",
        "comment": "The CRM step needs a retry policy.",
    },
}


# --- emitting -------------------------------------------------------------------------------------


def event_emit(
    *,
    type: str,
    data: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    correlation_id: str | None = None,
) -> None:
    """Store one delivery of this event for every active endpoint subscribed to its type, in the caller's
    transaction, and queue each once it commits. `data` may hold UUIDs and datetimes (sent as text); it
    may be a function that reads it, called only when some endpoint subscribes (every run's end emits).

    The correlation id (sent as `X-Correlation-ID`) is the one bound where this is called, unless given.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"{type!r} is not an event type; the event types are {', '.join(EVENT_TYPES)}.")
    endpoints = [
        endpoint.pk
        for endpoint in EventEndpoint.objects.filter(active=True).only("id", "event_types")
        # Few endpoints exist, and JSON containment is not portable (SQLite): filtered here.
        if type in (endpoint.event_types or [])
    ]
    if not endpoints:
        return
    payload = _envelope(type, data() if callable(data) else data)
    if correlation_id is None:
        correlation_id = correlation.current() if correlation.current() != "-" else ""
    now = timezone.now()
    deliveries = [
        EventDelivery(
            endpoint_id=endpoint_id,
            event_type=type,
            payload=payload,
            webhook_id=_new_webhook_id(),
            correlation_id=correlation_id,
            next_attempt_at=now,
        )
        for endpoint_id in endpoints
    ]
    with transaction.atomic():
        EventDelivery.objects.bulk_create(deliveries)
        for delivery in deliveries:
            enqueue_delivery(delivery.pk)


def _envelope(event_type: str, data: Mapping[str, Any], *, sample: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": event_type,
        "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
        "data": json.loads(json.dumps(dict(data), cls=DjangoJSONEncoder)),
    }
    if sample:
        body["sample"] = True
    return body


def _new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


# --- endpoint URLs: refused unless public (or listed in EGRESS_ALLOW) -------------------------------


def url_check(url: str) -> None:
    """Refuse (EgressRefused) what events may not be sent to: the shared egress guard's rules, and no
    user name or password in the URL (it is shown in lists and logs)."""
    if egress.parse_url(url).userinfo:
        raise egress.EgressRefused(
            "The URL may not hold a user name or password: it is shown in lists and logs. "
            "The signature tells the receiver the event comes from Switchboard."
        )
    egress.check_url(url)


# --- endpoints (writes) ---------------------------------------------------------------------------


def _validated(*, url: str | None, event_types: Sequence[Any] | None) -> list[str]:
    """The event types in canonical order; a problem document naming every field that is wrong (each
    unknown event type by its index) otherwise. None: not given, not checked."""
    problems: list[ErrorItem] = []
    unknown: list[str] = []
    known = ", ".join(EVENT_TYPES)
    if url is not None:
        try:
            url_check(url)
        except egress.EgressRefused as refused:
            problems.append(ErrorItem(field="url", message=refused.message))
    if event_types is not None:
        if not event_types:
            problems.append(
                ErrorItem(field="event_types", message=f"Choose at least one event type: {known}.")
            )
        for index, event_type in enumerate(event_types):
            if event_type not in EVENT_TYPES:
                unknown.append(repr(event_type))
                problems.append(
                    ErrorItem(
                        field=f"event_types[{index}]",
                        message=f"{event_type!r} is not an event type. The event types are: {known}.",
                    )
                )
    if problems:
        detail = None
        if unknown and len(unknown) == len(problems):
            detail = f"Unknown event type{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            detail += f"The event types are: {known}."
        raise ValidationProblem(problems, detail=detail)
    return [event_type for event_type in EVENT_TYPES if event_type in (event_types or ())]


@transaction.atomic
def event_endpoint_create(
    *, user: Any, url: str, event_types: Sequence[Any], description: str = ""
) -> tuple[EventEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (`whsec_…`), which is never shown again."""
    url = url.strip()
    chosen = _validated(url=url, event_types=event_types)
    secret = crypto.new_webhook_secret()
    endpoint = EventEndpoint.objects.create(
        url=url,
        description=description,
        event_types=chosen,
        secret_encrypted=crypto.encrypt(secret),
        secret_fingerprint=crypto.fingerprint(secret),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit.record(
        actor=user,
        action="event_endpoint.created",
        target_type="event_endpoint",
        target_id=endpoint.pk,
        url=egress.shown_url(url),
        event_types=chosen,
    )
    return endpoint, secret


@transaction.atomic
def event_endpoint_update(
    *,
    endpoint: EventEndpoint,
    user: Any,
    url: str | None = None,
    description: str | None = None,
    event_types: Sequence[Any] | None = None,
    active: bool | None = None,
) -> EventEndpoint:
    """Change what is given (None: unchanged). Deactivating stops new events; stored deliveries finish."""
    url = url.strip() if url is not None else None
    chosen = _validated(url=url, event_types=event_types)
    changed: dict[str, Any] = {}
    if url is not None:
        changed["url"] = url
    if description is not None:
        changed["description"] = description
    if event_types is not None:
        changed["event_types"] = chosen
    if active is not None:
        changed["active"] = active
    for field, value in changed.items():
        setattr(endpoint, field, value)
    if changed:
        endpoint.save(update_fields=list(changed))
        shown = {**changed, "url": egress.shown_url(url)} if url is not None else changed
        audit.record(
            actor=user,
            action="event_endpoint.updated",
            target_type="event_endpoint",
            target_id=endpoint.pk,
            **shown,
        )
    return endpoint


@transaction.atomic
def event_endpoint_delete(*, endpoint: EventEndpoint, user: Any) -> None:
    """Remove the endpoint and its delivery log; deliveries still waiting are dropped."""
    audit.record(
        actor=user,
        action="event_endpoint.deleted",
        target_type="event_endpoint",
        target_id=endpoint.pk,
        url=egress.shown_url(endpoint.url),
    )
    endpoint.delete()


@transaction.atomic
def event_endpoint_secret_rotate(*, endpoint: EventEndpoint, user: Any) -> str:
    """A new signing secret, returned once. For 24 hours the one before signs too (a second signature in
    `webhook-signature`), so the receiver can switch over without refusing an event."""
    secret = crypto.new_webhook_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + crypto.SECRET_OVERLAP
    endpoint.secret_encrypted = crypto.encrypt(secret)
    endpoint.secret_fingerprint = crypto.fingerprint(secret)
    endpoint.save(
        update_fields=[
            "previous_secret_encrypted",
            "previous_secret_expires_at",
            "secret_encrypted",
            "secret_fingerprint",
        ]
    )
    audit.record(
        actor=user,
        action="event_endpoint.secret_rotated",
        target_type="event_endpoint",
        target_id=endpoint.pk,
        fingerprint=endpoint.secret_fingerprint,
    )
    return secret


@transaction.atomic
def event_endpoint_test(*, endpoint: EventEndpoint, user: Any, event_type: str) -> EventDelivery:
    """Send a sample event of this type to the endpoint now (whether or not it is active or subscribed
    to the type): marked `"sample": true`, with sample data shaped like the real event's."""
    if event_type not in EVENT_TYPES:
        raise ValidationProblem(
            [
                ErrorItem(
                    field="type",
                    message=f"{event_type!r} is not an event type. "
                    f"The event types are: {', '.join(EVENT_TYPES)}.",
                )
            ]
        )
    delivery = EventDelivery.objects.create(
        endpoint=endpoint,
        event_type=event_type,
        payload=_envelope(event_type, SAMPLE_DATA[event_type], sample=True),
        webhook_id=_new_webhook_id(),
        correlation_id=correlation.current_or_new(),
        next_attempt_at=timezone.now(),
    )
    audit.record(
        actor=user,
        action="event_endpoint.tested",
        target_type="event_endpoint",
        target_id=endpoint.pk,
        event_type=event_type,
        delivery=str(delivery.pk),
    )
    enqueue_delivery(delivery.pk)
    return delivery


@transaction.atomic
def event_delivery_replay(*, delivery: EventDelivery, user: Any) -> EventDelivery:
    """Send the same delivery again — the same payload and `webhook-id`, so the receiver can tell it is a
    repeat — with a fresh budget of attempts. Refused while an attempt runs or a retry is scheduled."""
    now = timezone.now()
    replayed = (
        EventDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=EventDeliveryStatus.PENDING, next_attempt_at__gt=now)
        .update(status=EventDeliveryStatus.PENDING, replays=F("replays") + 1, next_attempt_at=now)
    )
    if not replayed:
        delivery.refresh_from_db()
        when = delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else "soon"
        raise Conflict(
            f"The delivery is still being delivered (next attempt at {when}); "
            "replay it once it has succeeded or failed."
        )
    delivery.refresh_from_db()
    audit.record(
        actor=user,
        action="event_delivery.replayed",
        target_type="event_delivery",
        target_id=delivery.pk,
        webhook_id=delivery.webhook_id,
        replay=delivery.replays,
    )
    enqueue_delivery(delivery.pk)
    return delivery


def event_deliveries_resend_stale(now: datetime | None = None, limit: int = 500) -> int:
    """Send again the deliveries the broker may have lost (overdue, or held by an attempt whose lease
    lapsed); for the outbox sweeper. A delivery sent twice is attempted once."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.RUN_REQUEUE_AFTER_SECONDS)
    stale = list(
        EventDelivery.objects.filter(
            status=EventDeliveryStatus.PENDING, next_attempt_at__lt=now - grace
        ).values_list("id", flat=True)[:limit]
    )
    for delivery_id in stale:
        enqueue_delivery(delivery_id)
    if stale:
        log.info("re-sent %d stale event deliveries", len(stale))
    return len(stale)


# --- reads ----------------------------------------------------------------------------------------


def event_endpoint_list() -> QuerySet[EventEndpoint]:
    """Endpoints, with their latest delivery's status and time (for the list)."""
    latest = EventDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    return EventEndpoint.objects.select_related("created_by").annotate(
        last_delivery_status=Subquery(latest.values("status")[:1]),
        last_delivery_at=Subquery(latest.values("created_at")[:1]),
    )


def event_endpoint_get(endpoint_id: Any) -> EventEndpoint:
    try:
        return event_endpoint_list().get(pk=endpoint_id)
    except EventEndpoint.DoesNotExist as exc:
        raise NotFound(f"No event endpoint has the id {endpoint_id}.") from exc


def event_delivery_list(endpoint: EventEndpoint, *, status: str | None = None) -> QuerySet[EventDelivery]:
    deliveries = EventDelivery.objects.filter(endpoint=endpoint)
    return deliveries.filter(status=status) if status else deliveries


def event_delivery_get(delivery_id: Any) -> EventDelivery:
    try:
        return EventDelivery.objects.get(pk=delivery_id)
    except EventDelivery.DoesNotExist as exc:
        raise NotFound(f"No event delivery has the id {delivery_id}.") from exc


# --- delivering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    delivered: bool = False
    status_code: int | None = None
    error: str = ""
    retryable: bool = False
    retry_after: float | None = None
    duration_ms: int | None = None


def event_delivery_attempt(*, delivery_id: str) -> None:
    """One attempt: claim the delivery if it is due, POST it signed, and record what happened — delivered,
    a retry scheduled (sent again with a delay, holding no worker), or failed with the reason."""
    now = timezone.now()
    lease = now + timedelta(seconds=ATTEMPT_LEASE_SECONDS)
    claimed = (
        EventDelivery.objects.filter(pk=delivery_id, status=EventDeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=lease)
    )
    if not claimed:
        return  # finished, not due yet, gone, or held by another worker: another message covers it
    delivery = EventDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    with correlation.bound(delivery.correlation_id or correlation.new_id()):
        try:
            outcome = _send(delivery)
        except Exception as error:  # a bug must not leave the delivery held until its lease lapses
            log.exception("delivery %s could not be attempted", delivery.pk)
            outcome = _Outcome(error=f"Unexpected error: {type(error).__name__}: {error}")
        _record(delivery, outcome, lease)


def _send(delivery: EventDelivery) -> _Outcome:
    endpoint = delivery.endpoint
    label = f"POST {egress.shown_url(endpoint.url)}"
    try:
        url_check(endpoint.url)  # again: what the name resolves to may have changed since it was registered
    except egress.EgressRefused as refused:
        return _Outcome(error=f"Not sent: {refused.message}", retryable=refused.retryable)
    try:
        signing = _signing_secrets(endpoint)
    except crypto.SecretUnreadable:
        return _Outcome(
            error="Not sent: the endpoint's signing secret cannot be decrypted with the configured "
            "FIELD_ENCRYPTION_KEY; rotate its secret, then replay."
        )
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
    sent_at = datetime.now(UTC)
    signature = " ".join(
        Webhook(secret).sign(msg_id=delivery.webhook_id, timestamp=sent_at, data=body) for secret in signing
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(math.floor(sent_at.timestamp())),
        "webhook-signature": signature,
        "Idempotency-Key": delivery.webhook_id,
    }
    if delivery.correlation_id:
        headers[correlation.HEADER] = delivery.correlation_id
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        # The guarded transport connects only to addresses it has checked, at connect time.
        with (
            httpx.Client(
                transport=egress.transport(), timeout=DELIVERY_TIMEOUT_SECONDS, follow_redirects=False
            ) as client,
            client.stream("POST", endpoint.url, content=body.encode(), headers=headers) as response,
        ):
            excerpt = _excerpt(response)
    except egress.EgressRefused as refused:
        return _Outcome(error=f"Not sent: {refused.message}", retryable=refused.retryable, duration_ms=took())
    except httpx.TimeoutException:
        return _Outcome(
            error=f"{label} timed out after {DELIVERY_TIMEOUT_SECONDS:g} s.",
            retryable=True,
            duration_ms=took(),
        )
    except (httpx.LocalProtocolError, httpx.UnsupportedProtocol) as error:
        return _Outcome(error=f"{label} could not be sent: {error}", duration_ms=took())
    except httpx.TransportError as error:
        # A certificate that does not verify will not verify on the next attempt either.
        retryable = not egress.caused_by(error, ssl.SSLCertVerificationError)
        return _Outcome(
            error=f"{label} failed: {error or type(error).__name__}", retryable=retryable, duration_ms=took()
        )
    status = response.status_code
    duration = took()
    answered = f"{label} answered {status} {response.reason_phrase}".rstrip()
    if 200 <= status < 300:
        return _Outcome(delivered=True, status_code=status, duration_ms=duration)
    if 300 <= status < 400:
        where = response.headers.get("location", "?")
        return _Outcome(
            status_code=status,
            duration_ms=duration,
            error=f"{answered} to {where}. Redirects are not followed: register the final URL, then replay.",
        )
    if status == 410:
        return _Outcome(
            status_code=status,
            duration_ms=duration,
            error=f"{answered}: the receiver says this endpoint is gone. Not retried; the endpoint stays "
            "active — fix its URL, deactivate or delete it.",
        )
    detail = f": {excerpt}" if excerpt else ""
    if egress.retryable_status(status):
        return _Outcome(
            status_code=status,
            duration_ms=duration,
            error=f"{answered}{detail}",
            retryable=True,
            retry_after=egress.retry_after_seconds(response.headers.get("retry-after")),
        )
    return _Outcome(
        status_code=status,
        duration_ms=duration,
        error=f"{answered}{detail}. Not retried: "
        "a 4xx other than 408, 425 and 429 will not change by itself.",
    )


def _signing_secrets(endpoint: EventEndpoint) -> list[str]:
    found = [crypto.decrypt(endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires is not None and expires > timezone.now():
        try:
            found.append(crypto.decrypt(endpoint.previous_secret_encrypted))
        except crypto.SecretUnreadable:
            pass  # the current secret still signs
    return found


def _record(delivery: EventDelivery, outcome: _Outcome, lease: datetime) -> None:
    now = timezone.now()
    entry = {
        "attempt": delivery.attempts + 1,
        "at": now.isoformat().replace("+00:00", "Z"),
        "status_code": outcome.status_code,
        "error": outcome.error or None,
        "duration_ms": outcome.duration_ms,
        "replay": delivery.replays,
    }
    this_round = 1 + sum(1 for item in delivery.attempt_log if item.get("replay", 0) == delivery.replays)
    changes: dict[str, Any] = {
        "attempts": delivery.attempts + 1,
        "attempt_log": [*delivery.attempt_log, entry],
    }
    retry_at = None
    if outcome.delivered:
        changes.update(status=EventDeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None, error="")
    elif outcome.retryable and this_round < settings.EVENT_MAX_ATTEMPTS:
        delay = backoff_seconds(
            attempt=this_round,
            base_seconds=settings.EVENT_RETRY_BASE_SECONDS,
            max_seconds=settings.EVENT_RETRY_MAX_SECONDS,
            retry_after=outcome.retry_after,
        )
        retry_at = now + timedelta(seconds=delay)
        changes.update(next_attempt_at=retry_at, error=outcome.error)
    else:
        gave_up = f" Gave up after {this_round} attempts." if outcome.retryable else ""
        changes.update(status=EventDeliveryStatus.FAILED, next_attempt_at=None, error=outcome.error + gave_up)
    with transaction.atomic():
        # Only while the claim is still ours: a lapsed lease may have passed the delivery on.
        held = EventDelivery.objects.filter(
            pk=delivery.pk, status=EventDeliveryStatus.PENDING, next_attempt_at=lease
        ).update(**changes)
        if held and retry_at is not None:
            enqueue_delivery(delivery.pk, at=retry_at)
    log.info(
        "event %s (%s) attempt %s: %s",
        delivery.webhook_id,
        delivery.event_type,
        entry["attempt"],
        "delivered"
        if outcome.delivered
        else f"retry at {retry_at.isoformat()}: {outcome.error}"
        if retry_at
        else f"failed: {changes['error']}",
    )


def _excerpt(response: httpx.Response) -> str:
    raw = bytearray()
    for chunk in response.iter_bytes():
        raw += chunk
        if len(raw) >= EXCERPT_BYTES:
            break
    text = " ".join(raw[:EXCERPT_BYTES].decode("utf-8", errors="replace").split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")
