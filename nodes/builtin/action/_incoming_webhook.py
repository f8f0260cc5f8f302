"""What `action.slack` and `action.teams` share: posting JSON to an incoming-webhook URL kept in a
connection. The URL's path is the credential, so it never appears in output, errors or logs: messages
show `https://hooks.slack.com/…` only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
from pydantic import Field

from nodes import outbound
from nodes.registry import NodeError, connection_widget

if TYPE_CHECKING:
    from nodes.context import NodeContext

KIND = "incoming_webhook"


def connection_field(service: str) -> Any:
    return Field(
        title="Incoming webhook (connection)",
        min_length=1,
        description=f"An incoming_webhook connection holding the {service} webhook URL (the URL is "
        "a credential: it is stored encrypted and never shown).",
        json_schema_extra=connection_widget(KIND),
    )


def webhook_url(ctx: NodeContext, connection_id: str) -> str:
    """The connection's URL, checked before use: a URL that does not parse would otherwise be quoted
    whole in the error saying so."""
    url = ctx.secret(connection_id, KIND).strip()
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise NodeError(
            f"The connection {connection_id!r} does not hold an http(s) URL; "
            "paste the incoming-webhook URL the service gave you."
        )
    return url


def post(ctx: NodeContext, url: str, payload: dict[str, Any]) -> outbound.Reply:
    return outbound.send(
        ctx,
        method="POST",
        url=url,
        content=outbound.encode_json(payload),
        content_type="application/json",
        # A webhook that redirects is not one the service made; following would hand the message on.
        accept_redirects=False,
        secret_path=True,
    )


def text_of(ctx: NodeContext, value: Any) -> str:
    return outbound.as_text(ctx.evaluate(value))


def refused(service: str, error: NodeError, explanation: str | None) -> NodeError:
    """The service's refusal as one readable sentence, keeping whether trying again may help."""
    reply = error.output if isinstance(error.output, dict) else None
    if reply is None:
        return error  # not an answer from the service: refused address, timeout, … (already readable)
    status = reply.get("status")
    detail = explanation or " ".join(outbound.as_text(reply.get("body")).split())[: outbound.EXCERPT_CHARS]
    message = f"{service} refused the message ({status})" + (f": {detail}" if detail else ".")
    return NodeError(
        message,
        retryable=error.retryable,
        retry_after=error.retry_after,
        output={"status": status, "error": detail},
    )
