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
from nodes.credentials import CredentialError, Credentials, usable
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
    follow_redirects: bool = False,
    connection: str | None = None,
    secret_path: bool = False,
) -> Reply:
    """Send one request and capture the reply; NodeError for a refused address, a failure, or status ≥ 400.

    The step's idempotency key goes out as `Idempotency-Key` so a retried request can be recognised;
    `headers` may replace it (an API may want its own key), and `content_type`. With
    `accept_redirects=False` a 3xx fails too. With `follow_redirects`, up to MAX_REDIRECTS are followed,
    each hop checked again like the first (team hosts, EGRESS_ALLOW, at connect time too).

    `connection` (a connection id) authenticates the request with that connection's credentials, which
    the flow's team must be allowed to use; they go to the first URL's origin only. An oauth2
    connection's token is renewed before it expires, and once after a 401, when the request is sent again.
    Credentials never appear in the reply kept, in errors or in logs. With `secret_path` (an
    incoming-webhook URL, whose path is the credential) messages and logs show the scheme and host only.
    """
    credentials: Credentials | None = None
    if connection:
        try:
            found = usable(connection, team_id=ctx.team_id, flow_owner_id=ctx.flow_owner_id)
            credentials = Credentials(found)
        except CredentialError as error:
            raise NodeError(error.message, retryable=error.retryable) from None
    seconds = settings.HTTP_DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    request = _Request(method, url, headers or {}, params, content, content_type, secret_path)
    client = httpx.Client(transport=egress.transport(), timeout=seconds, follow_redirects=False)
    with client:
        reply, label = _exchange(ctx, client, request, credentials, follow_redirects, seconds)
        if reply.status == 401 and credentials is not None and credentials.can_refresh:
            ctx.log.info("%s answered 401: renewing the connection's token and sending again", label)
            try:
                credentials.refresh()
            except CredentialError as error:
                raise NodeError(credentials.scrub(error.message), retryable=error.retryable) from None
            reply, label = _exchange(ctx, client, request, credentials, follow_redirects, seconds)
    if reply.status >= 400 or (not accept_redirects and reply.status >= 300):
        raise _failure(label, reply)
    return reply


MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Never carried to another origin: they authenticate to the first one.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    headers: Mapping[str, str]
    params: Mapping[str, QueryValue] | None
    content: bytes | None
    content_type: str | None
    secret_path: bool = False

    def shown(self, url: str) -> str:
        return egress.shown_origin(url) if self.secret_path else egress.shown_url(url)


def _exchange(
    ctx: NodeContext,
    client: httpx.Client,
    request: _Request,
    credentials: Credentials | None,
    follow_redirects: bool,
    seconds: float,
) -> tuple[Reply, str]:
    """Send `request`, following redirects when asked; (the last reply, its label)."""
    method, url, content, content_type = request.method, request.url, request.content, request.content_type
    params = request.params
    origin = _origin(url)
    hops = 0
    while True:
        _guard(ctx, url, redirected_from=None if hops == 0 else origin)
        same_origin = _origin(url) == origin
        request_headers = httpx.Headers(
            {
                "User-Agent": USER_AGENT,
                "Idempotency-Key": ctx.idempotency_key,
                "X-Correlation-ID": ctx.correlation_id,
            }
        )
        if content_type:
            request_headers["Content-Type"] = content_type
        for name, value in request.headers.items():
            if same_origin or name.lower() not in CREDENTIAL_HEADERS:
                request_headers[name] = value  # one by one: unlike the constructor, sends non-ASCII as UTF-8
        query: dict[str, QueryValue] = dict(params or {})
        if credentials is not None and same_origin:
            try:
                applied = credentials.apply()
            except CredentialError as error:
                raise NodeError(credentials.scrub(error.message), retryable=error.retryable) from None
            for name, value in applied.headers.items():
                request_headers[name] = value
            query.update(applied.params)
        label = f"{method} {request.shown(url)}"
        reply = _send_once(
            ctx, client, method, url, request_headers, query or None, content, label, seconds, credentials
        )
        if credentials is not None:
            reply = Reply(
                reply.status,
                reply.reason,
                credentials.scrub_value(reply.headers),
                credentials.scrub_value(reply.body),
            )
        location = reply.headers.get("location")
        if not follow_redirects or reply.status not in REDIRECT_STATUSES or not location:
            return reply, label
        if hops >= MAX_REDIRECTS:
            raise NodeError(
                f"{label} redirected more than {MAX_REDIRECTS} times; the last hop was not followed."
            )
        hops += 1
        try:
            url = str(httpx.URL(url).join(location))
        except (httpx.InvalidURL, UnicodeError):
            raise NodeError(f"{label} redirected to an address that is not a valid URL.") from None
        params = None  # the new address carries its own query
        if reply.status == 303 or (reply.status in (301, 302) and method == "POST"):
            # As browsers do: the redirect is fetched with GET, without the body.
            method = "GET" if method != "HEAD" else method
            content, content_type = None, None
        ctx.log.info("%s answered %s: following it to %s", label, reply.status, request.shown(url))


def _guard(ctx: NodeContext, url: str, *, redirected_from: str | None) -> None:
    """The team's hosts and EGRESS_ALLOW, for the first URL and for each redirect again."""
    prefix = "" if redirected_from is None else f"The redirect from {redirected_from} was not followed: "
    if ctx.host_guard is not None and (refusal := ctx.host_guard.refusal(url)) is not None:
        raise NodeError(
            prefix + refusal
        )  # the team's policy, checked on the host known only now; never retried
    try:
        egress.check_url(url)
    except egress.EgressRefused as refused:
        raise NodeError(prefix + refused.message, retryable=refused.retryable) from None


def _send_once(
    ctx: NodeContext,
    client: httpx.Client,
    method: str,
    url: str,
    request_headers: httpx.Headers,
    params: Mapping[str, QueryValue] | None,
    content: bytes | None,
    label: str,
    seconds: float,
    credentials: Credentials | None,
) -> Reply:
    started = time.monotonic()
    try:
        with client.stream(method, url, headers=request_headers, params=params, content=content) as response:
            reply = _capture(ctx, response)
    except egress.EgressRefused as refused:  # at connect time: the name now resolves somewhere refused
        raise NodeError(refused.message, retryable=refused.retryable) from None
    except httpx.TimeoutException:
        raise NodeError(f"{label} timed out after {seconds:g} s.", retryable=True) from None
    except (httpx.LocalProtocolError, httpx.UnsupportedProtocol) as error:
        # httpx quotes an illegal header's value, which may be a credential's: then only the kind is told.
        detail = str(error) if credentials is None else type(error).__name__
        raise NodeError(f"{label} could not be sent: {detail}") from None
    except httpx.TransportError as error:
        # A certificate that does not verify will not verify on the next attempt either.
        retryable = not egress.caused_by(error, ssl.SSLCertVerificationError)
        detail = str(error) or type(error).__name__
        if credentials is not None:
            detail = credentials.scrub(detail)
        raise NodeError(f"{label} failed: {detail}", retryable=retryable) from None
    except httpx.HTTPError as error:
        detail = str(error) if credentials is None else type(error).__name__
        raise NodeError(f"{label} failed: {detail}") from None
    ctx.log.info("%s answered %s in %.0f ms", label, reply.status, (time.monotonic() - started) * 1000)
    return reply


def _origin(url: str) -> str:
    try:
        parsed = httpx.URL(url)
        port = parsed.port or egress.DEFAULT_PORTS.get(parsed.scheme, 0)
        return f"{parsed.scheme}://{parsed.host}:{port}"
    except (httpx.InvalidURL, UnicodeError):
        return url


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
