"""Inbound webhooks (CONTRACT §4): store the event and its run atomically, answer 202 at once."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from math import ceil
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from standardwebhooks import Webhook as StandardWebhook

from flows import graph as flow_graph
from flows.models import FINISHED, FlowVersion, Run, RunStatus, TriggerEvent, VersionState
from flows.selectors import webhook_secrets_valid
from flows.services import run_start, webhook_rejection_count
from hub import problems, ratelimit
from hub.problems import Problem

# Header values that must never be stored with the event.
REDACTED_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-api-key"}
POLL_SECONDS = 0.05


def _parse_body(request: HttpRequest, raw: bytes) -> Any:
    """JSON, form or text; anything else is a 415 problem."""
    content_type = (request.content_type or "").lower()
    charset = request.encoding or "utf-8"
    if not raw:
        return None
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.loads(raw.decode(charset))
        except (ValueError, UnicodeDecodeError) as error:
            raise Problem(
                f"The body is not valid JSON: {error}", title="Malformed body", slug="malformed-body"
            ) from error
    if content_type == "application/x-www-form-urlencoded":
        return _flatten(parse_qs(raw.decode(charset, errors="replace"), keep_blank_values=True))
    if content_type.startswith("text/") or content_type == "":
        try:
            return raw.decode(charset)
        except UnicodeDecodeError as error:
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


def _headers(request: HttpRequest) -> dict[str, str]:
    return {
        name.lower(): "[redacted]" if name.lower() in REDACTED_HEADERS else value
        for name, value in request.headers.items()
    }


def _live_webhook(key: str) -> tuple[FlowVersion, dict[str, Any]] | None:
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


def _store(
    version: FlowVersion,
    payload_parts: dict[str, Any],
    idempotency_key: str | None,
    fingerprint: str,
    correlation_id: str,
) -> tuple[Run, bool]:
    return run_start(
        flow=version.flow,
        version=version,
        kind=TriggerEvent.Kind.WEBHOOK,
        payload=payload_parts,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        correlation_id=correlation_id,
    )


def _finished_run(run_id: Any) -> Run | None:
    return Run.objects.filter(pk=run_id, status__in=FINISHED).first()


@csrf_exempt
async def receive(request: HttpRequest, key: str) -> HttpResponse:
    try:
        return await _receive(request, key)
    except RequestDataTooBig:
        return problems.response(_too_large())
    except Problem as problem:
        return problems.response(problem)


def _too_large(limit: int | None = None) -> Problem:
    return Problem(
        f"The body is larger than {limit or settings.WEBHOOK_MAX_BODY_BYTES} bytes.",
        status=413,
        title="Payload too large",
        slug="payload-too-large",
    )


async def _receive(request: HttpRequest, key: str) -> HttpResponse:
    if request.method != "POST":
        response = problems.response(
            Problem(
                "Webhooks are delivered with POST.",
                status=405,
                title="Method not allowed",
                slug="method-not-allowed",
            )
        )
        response["Allow"] = "POST"
        return response
    found = await sync_to_async(_live_webhook, thread_sensitive=False)(key)
    if found is None:
        raise problems.NotFound("No live webhook has this key (or its flow is paused).")
    version, config = found
    try:
        payload = await sync_to_async(_admit, thread_sensitive=False)(request, version.flow_id, config)
    except Problem as refused:
        # Nothing of a refused request is stored but this count (by reason: the problem's slug).
        await sync_to_async(webhook_rejection_count, thread_sensitive=False)(
            flow_id=version.flow_id, reason=refused.slug
        )
        raise
    idempotency_key = request.headers.get("Idempotency-Key") or request.headers.get("webhook-id")
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip().strip('"')[:255] or None
    correlation_id: str = request.correlation_id  # type: ignore[attr-defined]
    run, created = await sync_to_async(_store, thread_sensitive=False)(
        version, payload, idempotency_key, hashlib.sha256(request.body).hexdigest(), correlation_id
    )
    accepted = {"run_id": str(run.id), "correlation_id": run.correlation_id}
    if not created or config.get("respond", "accepted") != "result":
        return JsonResponse(accepted, status=202 if created else 200)
    return await _respond_with_result(run, float(config.get("timeout_seconds", 30)), accepted)


def _admit(request: HttpRequest, flow_id: Any, config: dict[str, Any]) -> dict[str, Any]:
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
    declared = request.headers.get("Content-Length", "0")
    if (declared.isdigit() and int(declared) > size_limit) or len(request.body) > size_limit:
        raise _too_large(size_limit)
    if config.get("verify") == "standard_webhooks":
        _verify_signature(request, flow_id)
    return {
        "body": _parse_body(request, request.body),
        "headers": _headers(request),
        "query": _flatten(dict(request.GET.lists())),
        "method": request.method,
    }


def _verify_signature(request: HttpRequest, flow_id: Any) -> None:
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
    headers = {name.lower(): value for name, value in request.headers.items()}
    for secret in secrets:
        try:
            StandardWebhook(secret).verify(request.body, headers, json_parse=False)
            return
        except Exception:  # malformed headers, bad base64, wrong signature, stale timestamp
            continue
    raise Problem(
        "The Standard Webhooks signature is missing, wrong, or its timestamp is not within 5 minutes of now.",
        status=401,
        title="Bad signature",
        slug="bad-signature",
    )


async def _respond_with_result(run: Run, timeout: float, accepted: dict[str, str]) -> HttpResponse:
    """Wait for the run to finish; its output is the answer, or 504 past the timeout."""
    deadline = time.monotonic() + timeout
    finished_run = sync_to_async(_finished_run, thread_sensitive=False)
    while time.monotonic() < deadline:
        finished = await finished_run(run.pk)
        if finished is not None:
            if finished.status == RunStatus.SUCCEEDED:
                response = JsonResponse(finished.output, status=200, safe=False)
                response["X-Run-ID"] = str(run.pk)
                return response
            return problems.response(
                Problem(
                    finished.error or f"The run {finished.status}.",
                    status=502,
                    title="The flow failed",
                    slug="run-failed",
                    extra={**accepted, "status": finished.status},
                )
            )
        await asyncio.sleep(POLL_SECONDS)
    return problems.response(
        Problem(
            f"The run did not finish within {timeout:g} seconds; it goes on.",
            status=504,
            title="Timed out",
            slug="run-timeout",
            extra=accepted,
        )
    )
