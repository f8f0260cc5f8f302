"""`action.webhook`: delivers a JSON event to another system the Standard Webhooks way."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes import outbound
from nodes.registry import Expression, NodeConfig, NodeType, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext


class WebhookConfig(NodeConfig):
    url: str = Field(
        title="URL",
        min_length=1,
        description="The receiver's address; may hold {{ templates }}.",
        json_schema_extra=widget("template"),
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

    def execute(self, ctx: NodeContext, config: WebhookConfig, input: Any) -> dict[str, Any]:
        reply = outbound.send(
            ctx,
            method="POST",
            url=outbound.evaluate_url(ctx, config.url),
            headers={
                # The same id on every attempt lets the receiver drop duplicates; a timestamp per attempt.
                "webhook-id": ctx.idempotency_key,
                "webhook-timestamp": str(int(time.time())),
            },
            content=outbound.encode_json(ctx.evaluate(config.payload)),
            content_type="application/json",
            # Standard Webhooks: only a 2xx is a delivery; a redirect is not followed, so it is a failure.
            accept_redirects=False,
        )
        return {"status": reply.status}
