"""Inbound webhooks (CONTRACT §4): store the event and its run atomically, answer 202 at once.

Ingest is the one path whose speed is the product's (a burst of webhooks must not wait on anything), so
it has a front door of its own: `asgi_app`, which `hub/asgi.py` hands every `/hooks/…` request, reads
the request straight off the ASGI connection and makes one trip to a worker thread for the lookup and the
transaction — no Django middleware, request object or URL resolution. The Django view `receive` (at the
same URL in the URLconf, for WSGI servers and Django's test client) is the other door to the same
`accept`, so both answer alike.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import parse_qs, unquote

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from standardwebhooks import Webhook as StandardWebhook

from flows import graph as flow_graph
from flows import live
from flows.models import FINISHED, Flow, FlowVersion, Run, RunStatus, TriggerEvent, VersionState
from flows.selectors import webhook_secrets_valid
from flows.services import run_start, webhook_rejection_count
from hub import correlation, problems, ratelimit
from hub.problems import Problem

# Header values that must never be stored with the event.
REDACTED_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-api-key"}
# While a caller waits for the result (`respond: result`), the run is read again at least this often,
# should its end's notice go missing.
RESULT_RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Delivery:
    """One webhook request as either door reads it: header names in lower case."""

    method: str
    headers: Mapping[str, str]
    query_string: str
    body: bytes
    correlation_id: str  # the caller's `X-Correlation-ID` when well formed, else one made for it
    client_ip: str = ""


@dataclass
class Answer:
    status: int
    document: Any
    headers: dict[str, str]
    # `respond: result`: the run whose output answers, and how long the caller waits for it.
    awaited_run: str | None = None
    wait_seconds: float = 0.0

    @classmethod
    def problem(cls, problem: Problem) -> Answer:
        return cls(
            problem.status, problem.document(), {"Content-Type": problems.CONTENT_TYPE, **problem.headers}
        )


# --- the work: the same for both doors -------------------------------------------------------------------


def _parse_body(content_type_header: str, raw: bytes) -> Any:
    """JSON, form or text; anything else is a 415 problem."""
    content_type, _, params = content_type_header.partition(";")
    content_type = content_type.strip().lower()
    charset = "utf-8"
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    if not raw:
        return None
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.loads(raw.decode(charset))
        except (ValueError, UnicodeDecodeError, LookupError) as error:
            raise Problem(
                f"The body is not valid JSON: {error}", title="Malformed body", slug="malformed-body"
            ) from error
    try:
        if content_type == "application/x-www-form-urlencoded":
            return _flatten(parse_qs(raw.decode(charset, errors="replace"), keep_blank_values=True))
        if content_type.startswith("text/") or content_type == "":
            return raw.decode(charset)
    except (UnicodeDecodeError, LookupError) as error:
        raise Problem(
            "The text body is not valid in its charset.", title="Malformed body", slug="malformed-body"
        ) from error
    raise Problem(
        f"The content type {content_type!r} is not accepted; send JSON, a form or text.",
        status=415,
        title="Unsupported media type",
        slug="unsupported-media-type",
    )


def _flatten(values: dict[str, list[str]]) -> dict[str, Any]:
    return {key: items[0] if len(items) == 1 else items for key, items in values.items()}


# Which version a webhook key starts, kept per process for LOOKUP_SECONDS: the lookup is a third of
# the work of taking a webhook. A change in this process (approve, pause, a new key) clears it at once
# (signals below); another process sees it within LOOKUP_SECONDS.
LOOKUP_SECONDS = 1.0
_lookups: dict[str, tuple[float, tuple[FlowVersion, dict[str, Any]] | None]] = {}


def _live_webhook(key: str) -> tuple[FlowVersion, dict[str, Any]] | None:
    now = time.monotonic()
    kept = _lookups.get(key)
    if kept is not None and now - kept[0] < LOOKUP_SECONDS:
        return kept[1]
    found = _live_webhook_read(key)
    if len(_lookups) > 10_000:
        _lookups.clear()
    _lookups[key] = (now, found)
    return found


@receiver([post_save, post_delete], sender=Flow, dispatch_uid="webhook-lookups-flow")
@receiver([post_save, post_delete], sender=FlowVersion, dispatch_uid="webhook-lookups-version")
def _lookups_clear(**_: Any) -> None:
    _lookups.clear()


def _live_webhook_read(key: str) -> tuple[FlowVersion, dict[str, Any]] | None:
    version = (
        FlowVersion.objects.select_related("flow")
        .filter(flow__webhook_key=key, flow__paused=False, state=VersionState.APPROVED)
        .first()
    )
    if version is None:
        return None
    trigger = flow_graph.trigger_node(version.graph)
    if trigger is None or trigger["type"] != "trigger.webhook":
        return None
    return version, trigger.get("config", {})


def accept(key: str, delivery: Delivery) -> Answer:
    """Check, store and queue one webhook request; the answer to send. Runs in a worker thread."""
    correlation_id = delivery.correlation_id
    with correlation.bound(correlation_id, delivery.client_ip):
        try:
            return _accept(key, delivery, correlation_id)
        except Problem as problem:
            return Answer.problem(problem)


def _accept(key: str, delivery: Delivery, correlation_id: str) -> Answer:
    if delivery.method != "POST":
        raise Problem(
            "Webhooks are delivered with POST.",
            status=405,
            title="Method not allowed",
            slug="method-not-allowed",
            headers={"Allow": "POST"},
        )
    found = _live_webhook(key)
    if found is None:
        raise problems.NotFound("No live webhook has this key (or its flow is paused).")
    version, config = found
    try:
        payload = _admit(delivery, version.flow_id, config)
    except Problem as refused:
        # Nothing of a refused request is stored but this count (by reason: the problem's slug).
        webhook_rejection_count(flow_id=version.flow_id, reason=refused.slug)
        raise
    idempotency_key = delivery.headers.get("idempotency-key") or delivery.headers.get("webhook-id")
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip().strip('"')[:255] or None
    run, created = run_start(
        flow=version.flow,
        version=version,
        kind=TriggerEvent.Kind.WEBHOOK,
        payload=payload,
        idempotency_key=idempotency_key,
        fingerprint=hashlib.sha256(delivery.body).hexdigest(),
        correlation_id=correlation_id,
    )
    accepted = {"run_id": str(run.id), "correlation_id": run.correlation_id}
    answer = Answer(202 if created else 200, accepted, {"Content-Type": "application/json"})
    if created and config.get("respond", "accepted") == "result":
        answer.awaited_run, answer.wait_seconds = str(run.id), float(config.get("timeout_seconds", 30))
    return answer


def _admit(delivery: Delivery, flow_id: Any, config: dict[str, Any]) -> dict[str, Any]:
    """The checks a request passes before anything is stored; the trigger's output when it passes."""
    limit = config.get("rate_limit_per_minute") or settings.WEBHOOK_RATE_LIMIT_PER_MINUTE
    if limit and (retry_after := ratelimit.hit(f"hook:{flow_id}", limit)) is not None:
        raise Problem(
            f"More than {limit} requests a minute reached this webhook; try again later.",
            status=429,
            title="Too many requests",
            slug="rate-limited",
            headers={"Retry-After": str(ceil(retry_after))},
        )
    size_limit = config.get("max_body_bytes") or settings.WEBHOOK_MAX_BODY_BYTES
    declared = delivery.headers.get("content-length", "0")
    if (declared.isdigit() and int(declared) > size_limit) or len(delivery.body) > size_limit:
        raise _too_large(size_limit)
    if config.get("verify") == "standard_webhooks":
        _verify_signature(delivery, flow_id)
    return {
        "body": _parse_body(delivery.headers.get("content-type", ""), delivery.body),
        "headers": {
            name: "[redacted]" if name in REDACTED_HEADERS else value
            for name, value in delivery.headers.items()
        },
        "query": _flatten(parse_qs(delivery.query_string, keep_blank_values=True)),
        "method": delivery.method,
    }


def _too_large(limit: int | None = None) -> Problem:
    return Problem(
        f"The body is larger than {limit or settings.WEBHOOK_MAX_BODY_BYTES} bytes.",
        status=413,
        title="Payload too large",
        slug="payload-too-large",
    )


def _verify_signature(delivery: Delivery, flow_id: Any) -> None:
    """Standard Webhooks: `webhook-id`, `webhook-timestamp` (within 5 minutes) and a `webhook-signature`
    made with one of the flow's current secrets (several during a rotation's overlap)."""
    secrets = webhook_secrets_valid(flow_id)
    if not secrets:
        raise Problem(
            "This webhook requires a signature, but the flow has no signing secret yet "
            f"(POST /api/v1/flows/{flow_id}/webhook-secret creates one).",
            status=401,
            title="Signature required",
            slug="no-secret",
        )
    for secret in secrets:
        try:
            StandardWebhook(secret).verify(delivery.body, dict(delivery.headers), json_parse=False)
            return
        except Exception:  # malformed headers, bad base64, wrong signature, stale timestamp
            continue
    raise Problem(
        "The Standard Webhooks signature is missing, wrong, or its timestamp is not within 5 minutes of now.",
        status=401,
        title="Bad signature",
        slug="bad-signature",
    )


# --- `respond: result`: wait for the run's end -----------------------------------------------------


def _finished_run(run_id: Any) -> Run | None:
    return Run.objects.filter(pk=run_id, status__in=FINISHED).first()


async def _result(answer: Answer) -> Answer:
    """Wait for the run to finish; its output is the answer, or 504 past the timeout. The engine's notice
    (`live.run_ended`, through the channel layer) wakes the wait; the run is also read again every
    RESULT_RECHECK_SECONDS."""
    timeout, run_id = answer.wait_seconds, answer.awaited_run
    deadline = time.monotonic() + timeout
    layer = get_channel_layer()
    channel = await live.await_end(run_id, timeout)
    finished_run = sync_to_async(_finished_run, thread_sensitive=False)
    while True:
        finished = await finished_run(run_id)
        if finished is not None:
            return _result_answer(finished, answer.document)
        left = deadline - time.monotonic()
        if left <= 0:
            break
        wait = min(left, RESULT_RECHECK_SECONDS)
        if layer is None or channel is None:
            await asyncio.sleep(wait)
            continue
        try:
            await asyncio.wait_for(layer.receive(channel), wait)
        except TimeoutError:
            pass
    return Answer.problem(
        Problem(
            f"The run did not finish within {timeout:g} seconds; it goes on.",
            status=504,
            title="Timed out",
            slug="run-timeout",
            extra=answer.document,
        )
    )


def _result_answer(run: Run, accepted: dict[str, str]) -> Answer:
    if run.status == RunStatus.SUCCEEDED:
        return Answer(200, run.output, {"Content-Type": "application/json", "X-Run-ID": str(run.pk)})
    return Answer.problem(
        Problem(
            run.error or f"The run {run.status}.",
            status=502,
            title="The flow failed",
            slug="run-failed",
            extra={**accepted, "status": run.status},
        )
    )


async def _answer(key: str, delivery: Delivery) -> Answer:
    answer = await asyncio.get_running_loop().run_in_executor(
        _ingest_pool(), _accept_in_thread, key, delivery
    )
    if answer.awaited_run is not None:
        answer = await _result(answer)
    answer.headers[correlation.HEADER] = delivery.correlation_id
    return answer


@functools.cache
def _ingest_pool() -> ThreadPoolExecutor:
    """The threads that store webhooks (each with its database connection). Most of a request's time is
    spent waiting on the database and the broker, so more threads than cores keep both busy; the
    event loop's default pool (cores + 4) left requests queueing for a thread."""
    return ThreadPoolExecutor(max_workers=settings.WEBHOOK_THREADS, thread_name_prefix="webhook")


def _accept_in_thread(key: str, delivery: Delivery) -> Answer:
    try:
        return accept(key, delivery)
    finally:
        close_old_connections()  # as Django does around a request: a broken connection is not reused


def _encode(document: Any) -> bytes:
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


# --- the two doors ------------------------------------------------------------------------------------


@csrf_exempt
async def receive(request: HttpRequest, key: str) -> HttpResponse:
    """The Django view (WSGI servers, the test client); under ASGI `asgi_app` answers first."""
    try:
        body = request.body
    except RequestDataTooBig:
        body = None
    headers = {name.lower(): value for name, value in request.headers.items()}
    if body is None:
        answer = Answer.problem(_too_large())
        answer.headers[correlation.HEADER] = request.correlation_id  # type: ignore[attr-defined]
    else:
        delivery = Delivery(
            method=request.method or "",
            headers=headers,
            query_string=request.META.get("QUERY_STRING", ""),
            body=body,
            correlation_id=request.correlation_id,  # type: ignore[attr-defined]  # the middleware's
            client_ip=correlation.request_ip(request),
        )
        answer = await _answer(key, delivery)
    response = HttpResponse(_encode(answer.document), status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[..., Awaitable[None]]], Awaitable[None]
]
PREFIX = "/hooks/"


def asgi_app(fallback: ASGIApp) -> ASGIApp:
    """The lean door: `/hooks/<key>` straight from the ASGI connection; everything else to `fallback`."""

    async def app(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[..., Awaitable[None]],
    ) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX) or "/" in path[len(PREFIX) :]:
            await fallback(scope, receive, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        body = await _read_body(receive, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if body is None:
            answer = Answer.problem(_too_large())
            answer.headers[correlation.HEADER] = correlation.accept(headers.get(correlation.HEADER.lower()))
        else:
            client = scope.get("client") or ("", 0)
            delivery = Delivery(
                method=scope["method"],
                headers=headers,
                query_string=scope.get("query_string", b"").decode("latin-1"),
                body=body,
                correlation_id=correlation.accept(headers.get(correlation.HEADER.lower())),
                client_ip=correlation.client_address(client[0], headers.get("x-forwarded-for", "")),
            )
            answer = await _answer(unquote(path[len(PREFIX) :]), delivery)
        content = _encode(answer.document)
        raw_headers = [(b"content-length", str(len(content)).encode())]
        raw_headers += [
            (name.lower().encode(), str(value).encode("latin-1")) for name, value in answer.headers.items()
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": content})

    return app


async def _read_body(receive: Callable[[], Awaitable[dict[str, Any]]], limit: int | None) -> bytes | None:
    """The whole body, or None past `limit` bytes (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, as the view)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
