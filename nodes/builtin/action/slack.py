"""`action.slack`: posts a message to a Slack channel through an incoming webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from nodes.builtin.action import _incoming_webhook as incoming
from nodes.registry import Expression, NodeConfig, NodeError, NodeType, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext

# Slack answers a refused message with one of these words as the body (and a 4xx status).
SLACK_ERRORS = {
    "invalid_payload": "Slack could not read the message; check the text and the blocks.",
    "no_text": "the message has no text.",
    "invalid_blocks": "the blocks are not valid Block Kit.",
    "invalid_blocks_format": "blocks must be a list of Block Kit blocks.",
    "too_many_attachments": "the message has too many attachments.",
    "user_not_found": "the webhook's user no longer exists; make a new webhook.",
    "channel_not_found": "the webhook's channel no longer exists; make a new webhook.",
    "channel_is_archived": "the webhook's channel is archived.",
    "action_prohibited": "a Slack admin does not allow this webhook to post to its channel.",
    "posting_to_general_channel_denied": "only Slack admins may post to this channel.",
    "no_service": "the webhook was removed or disabled in Slack; make a new one and update the connection.",
    "no_service_id": "the webhook URL is incomplete; copy it again from Slack.",
    "no_team": "the webhook URL names no Slack workspace; copy it again from Slack.",
    "team_disabled": "the Slack workspace is disabled.",
    "invalid_token": "the webhook URL's token is not valid; copy it again from Slack.",
    "rate_limited": "Slack is limiting how often this webhook may post; it is tried again later.",
}


class SlackConfig(NodeConfig):
    connection: str = incoming.connection_field("Slack")
    text: str = Field(
        min_length=1,
        json_schema_extra=widget("template"),
        description="The message, in Slack's mrkdwn; may hold {{ templates }}. With blocks it is the "
        "notification text.",
    )
    blocks: Expression = Field(
        default=None,
        description="Block Kit blocks (a list), evaluated: templates and rules inside are filled in.",
    )
    username: str | None = Field(
        default=None,
        json_schema_extra=widget("template"),
        description="The name the message is posted under (legacy webhooks only; Slack-app webhooks "
        "post as the app).",
    )
    icon_emoji: str | None = Field(
        default=None,
        title="Icon emoji",
        pattern=r"^:[^:\s]+:$",
        description="An emoji such as :rocket: as the sender's icon (legacy webhooks only).",
    )


@register
class SlackMessage(NodeType[SlackConfig]):
    type = "action.slack"
    title = "Slack message"
    category = "action"
    description = "Posts a message (text, optionally Block Kit blocks) to a Slack channel's incoming webhook."
    Config = SlackConfig
    example = {
        "connection": "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
        "text": ":tada: New order {{ input.id }} from {{ input.customer.name }}: {{ input.total }} EUR",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*New order* {{ input.id }}"}},
        ],
    }

    def execute(self, ctx: NodeContext, config: SlackConfig, input: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": incoming.text_of(ctx, config.text)}
        if config.blocks is not None:
            blocks = ctx.evaluate(config.blocks)
            if not isinstance(blocks, list):
                raise NodeError("blocks: Block Kit blocks are a list; this evaluated to something else.")
            payload["blocks"] = blocks
        if config.username:
            payload["username"] = incoming.text_of(ctx, config.username)
        if config.icon_emoji:
            payload["icon_emoji"] = config.icon_emoji
        url = incoming.webhook_url(ctx, config.connection)
        try:
            reply = incoming.post(ctx, url, payload)
        except NodeError as error:
            raise incoming.refused("Slack", error, _explained(error)) from None
        return {"status": reply.status}


def _explained(error: NodeError) -> str | None:
    body = error.output.get("body") if isinstance(error.output, dict) else None
    code = body.strip() if isinstance(body, str) else ""
    if code in SLACK_ERRORS:
        return f"{code} — {SLACK_ERRORS[code]}"
    return None
