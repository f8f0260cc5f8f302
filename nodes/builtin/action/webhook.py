"""`action.webhook`: delivers a JSON event to another system the Standard Webhooks way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import Field
from standardwebhooks import Webhook as StandardWebhook

from nodes import outbound
from nodes.registry import Expression, NodeConfig, NodeType, connection_widget, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext


class WebhookConfig(NodeConfig):
    url: str = Field(
        title="URL",
        min_length=1,
        description="The receiver's address; may hold {{ templates }}.",
        json_schema_extra=widget("template"),
    )
    connection: str | None = Field(
        default=None,
        title="Signing secret (connection)",
        json_schema_extra=connection_widget("webhook_secret"),
        description="A webhook_secret connection: each delivery is signed with it (webhook-signature).",
    )
    payload: Expression = Field(
        default={"var": "input"},
        description="The JSON to deliver, evaluated: templates and rules inside are filled in. "
        "By default, this step's input.",
    )


@register
class SendWebhook(NodeType[WebhookConfig]):
    type = "action.webhook"
    title = "Send webhook"
    category = "action"
    description = "Posts a JSON event to a receiver with Standard Webhooks headers; any 2xx is delivered."
    Config = WebhookConfig
    example = {"url": "https://erp.example.com/hooks/orders", "payload": {"order": {"var": "input"}}}

    def execute(self, ctx: NodeContext, config: WebhookConfig, input: Any) -> dict[str, Any]:
        body = outbound.encode_json(ctx.evaluate(config.payload))
        sent_at = datetime.now(UTC)
        # The same id on every attempt lets the receiver drop duplicates; a timestamp per attempt.
        headers = {"webhook-id": ctx.idempotency_key, "webhook-timestamp": str(int(sent_at.timestamp()))}
        if config.connection:
            secret = ctx.secret(config.connection, "webhook_secret")
            headers["webhook-signature"] = StandardWebhook(secret).sign(
                ctx.idempotency_key, sent_at, body.decode()
            )
        reply = outbound.send(
            ctx,
            method="POST",
            url=outbound.evaluate_url(ctx, config.url),
            headers=headers,
            content=body,
            content_type="application/json",
            # Standard Webhooks: only a 2xx is a delivery; a redirect is not followed, so it is a failure.
            accept_redirects=False,
        )
        return {"status": reply.status}
