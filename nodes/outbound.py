"""Sending things out for the action nodes: one HTTP request path (egress guard, standard headers, capped
response capture, readable and retry-aware errors) and the text/JSON encoding of evaluated config values.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings

from hub import egress
from nodes.registry import NodeError

if TYPE_CHECKING:
    from nodes.context import NodeContext

MAX_BODY_BYTES = 1024 * 1024  # of a response body kept in the step's output
EXCERPT_CHARS = 200
USER_AGENT = "Switchboard"

QueryValue = str | Sequence[str]


@dataclass(frozen=True)
class Reply:
    status: int
    reason: str
    headers: dict[str, str]
    body: Any  # parsed JSON when the response says it is JSON, else text

    def as_output(self) -> dict[str, Any]:
        return {"status": self.status, "headers": self.headers, "body": self.body}


def send(
    ctx: NodeContext,
    *,
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, QueryValue] | None = None,
    content: bytes | None = None,
    content_type: str | None = None,
    timeout: float | None = None,
    accept_redirects: bool = True,
    connection: str | None = None,
) -> Reply:
    """Send one request and capture the reply; NodeError for a refused address, a failure, or status ≥ 400.

    The step's idempotency key goes out as `Idempotency-Key` so a retried request can be recognised;
    `headers` may replace it (an API may want its own key), and `content_type`. With
    `accept_redirects=False` a 3xx fails too.
    """
    if ctx.host_guard is not None and (refusal := ctx.host_guard.refusal(url)) is not None:
        raise NodeError(refusal)  # the team's policy, checked on the host known only now; never retried
    try:
        egress.check_url(url)
    except egress.EgressRefused as refused:
        raise NodeError(refused.message, retryable=refused.retryable) from None
    seconds = settings.HTTP_DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    label = f"{method} {egress.shown_url(url)}"
    request_headers = httpx.Headers(
        {
            "User-Agent": USER_AGENT,
            "Idempotency-Key": ctx.idempotency_key,
            "X-Correlation-ID": ctx.correlation_id,
        }
    )
    if content_type:
        request_headers["Content-Type"] = content_type
    for name, value in (headers or {}).items():
        request_headers[name] = value  # item by item: unlike the constructor, this sends non-ASCII as UTF-8
    started = time.monotonic()
    client = httpx.Client(transport=egress.transport(), timeout=seconds, follow_redirects=False)
    try:
        with (
            client,
            client.stream(method, url, headers=request_headers, params=params, content=content) as response,
        ):
            reply = _capture(ctx, response)
    except egress.EgressRefused as refused:  # at connect time: the name now resolves somewhere refused
        raise NodeError(refused.message, retryable=refused.retryable) from None
    except httpx.TimeoutException:
        raise NodeError(f"{label} timed out after {seconds:g} s.", retryable=True) from None
    except (httpx.LocalProtocolError, httpx.UnsupportedProtocol) as error:
        raise NodeError(f"{label} could not be sent: {error}") from None
    except httpx.TransportError as error:
        # A certificate that does not verify will not verify on the next attempt either.
        retryable = not egress.caused_by(error, ssl.SSLCertVerificationError)
        raise NodeError(f"{label} failed: {error or type(error).__name__}", retryable=retryable) from None
    except httpx.HTTPError as error:
        raise NodeError(f"{label} failed: {error}") from None
    ctx.log.info("%s answered %s in %.0f ms", label, reply.status, (time.monotonic() - started) * 1000)
    if reply.status >= 400 or (not accept_redirects and reply.status >= 300):
        raise _failure(label, reply)
    return reply


def evaluate_url(ctx: NodeContext, template: str) -> str:
    url = ctx.evaluate(template)
    if not isinstance(url, str):
        raise NodeError(f"The URL {template!r} evaluated to {as_text(url)!r}, which is not text.")
    return url.strip()


def as_text(value: Any) -> str:
    """An evaluated config value as text: strings as they are, nothing as "", everything else as JSON
    (written as templates write values into text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_json(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as error:
        raise NodeError(f"The body cannot be sent as JSON: {error}") from None


def _capture(ctx: NodeContext, response: httpx.Response) -> Reply:
    raw = bytearray()
    for chunk in response.iter_bytes():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            break
    truncated = len(raw) > MAX_BODY_BYTES
    if truncated:
        del raw[MAX_BODY_BYTES:]
        ctx.log.warning("the response body was cut at %d bytes", MAX_BODY_BYTES)
    try:
        text = raw.decode(response.charset_encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = raw.decode("utf-8", errors="replace")
    body: Any = text
    if text and not truncated and _is_json(response.headers.get("content-type", "")):
        try:
            body = json.loads(text)
        except ValueError:
            pass  # said JSON but is not: keep the text, which is what was received
    return Reply(response.status_code, response.reason_phrase, dict(response.headers.items()), body)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _failure(label: str, reply: Reply) -> NodeError:
    retryable = egress.retryable_status(reply.status)
    message = f"{label} answered {reply.status} {reply.reason}".rstrip()
    if 300 <= reply.status < 400:
        message += f" to {reply.headers.get('location', '?')} (redirects are not followed)"
    if reply.status == 410:
        # Gone: the receiver says this address is retired. Nothing is disabled behind anyone's back;
        # the step fails so a person sees it and changes the flow.
        message += " — the receiver no longer accepts deliveries at this address; update or remove the step"
    excerpt = " ".join(as_text(reply.body).split())
    if excerpt:
        cut = excerpt[:EXCERPT_CHARS] + ("…" if len(excerpt) > EXCERPT_CHARS else "")
        message += f": {cut}"
    return NodeError(
        message,
        retryable=retryable,
        retry_after=egress.retry_after_seconds(reply.headers.get("retry-after")) if retryable else None,
        output=reply.as_output(),
    )
