"""`trigger.webhook`: a flow started by an HTTP request to its unguessable `/hooks/{key}` URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from nodes.registry import NodeConfig, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext

MAX_BODY_LIMIT = 10 * 1024 * 1024


class WebhookConfig(NodeConfig):
    verify: Literal["none", "standard_webhooks"] = Field(
        title="Verify signatures",
        default="none",
        description="standard_webhooks: refuse requests without a valid Standard Webhooks signature "
        "made with the flow's webhook secret.",
    )
    respond: Literal["accepted", "result"] = Field(
        title="Respond with",
        default="accepted",
        description="accepted: answer 202 as soon as the event is stored. "
        "result: wait for the run and answer with the flow's final output.",
    )
    timeout_seconds: float = Field(
        title="Result timeout (seconds)",
        default=30,
        gt=0,
        le=300,
        description="With respond=result: seconds to wait for the run before answering 504 with its id.",
    )
    max_body_bytes: int | None = Field(
        title="Largest body (bytes)",
        default=None,
        ge=1,
        le=MAX_BODY_LIMIT,
        description="The largest request body accepted, in bytes "
        "(default: the WEBHOOK_MAX_BODY_BYTES setting, 1 MiB).",
    )
    rate_limit_per_minute: int | None = Field(
        title="Rate limit (requests per minute)",
        default=None,
        ge=1,
        le=1_000_000,
        description="More requests than this in a minute are refused with 429 and Retry-After "
        "(default: the WEBHOOK_RATE_LIMIT_PER_MINUTE setting).",
    )


@register
class WebhookTrigger(NodeType[WebhookConfig]):
    type = "trigger.webhook"
    title = "Webhook"
    category = "trigger"
    pure = True
    description = "Starts the flow when an HTTP request arrives at the flow's webhook URL."
    Config = WebhookConfig
    example = {"verify": "standard_webhooks", "respond": "accepted"}

    def execute(self, ctx: NodeContext, config: WebhookConfig, input: Any) -> Any:
        # The ingest has already built {"body", "headers", "query", "method"} from the request.
        return input
