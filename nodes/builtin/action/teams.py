"""`action.teams`: posts an Adaptive Card to a Microsoft Teams channel through a Workflows webhook.

The card goes in the envelope Teams Workflows ("When a Teams webhook request is received") accept: a
`message` with one attachment of content type `application/vnd.microsoft.card.adaptive`. Adaptive
Card 1.4 is the version Teams renders everywhere, on desktop and mobile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from nodes.builtin.action import _incoming_webhook as incoming
from nodes.registry import NodeConfig, NodeError, NodeType, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
MAX_FACTS = 50


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, json_schema_extra=widget("template"), description="The button's label.")
    url: str = Field(
        title="URL",
        min_length=1,
        json_schema_extra=widget("template"),
        description="Where the button leads (http or https); may hold {{ templates }}.",
    )


class TeamsConfig(NodeConfig):
    connection: str = incoming.connection_field("Teams Workflows")
    title: str | None = Field(
        default=None, json_schema_extra=widget("template"), description="The card's heading."
    )
    text: str = Field(
        min_length=1,
        json_schema_extra=widget("template"),
        description="The card's text (Adaptive Card markdown); may hold {{ templates }}.",
    )
    facts: dict[str, str] = Field(
        default_factory=dict,
        max_length=MAX_FACTS,
        description="Name → value lines shown as a fact list; each value may hold {{ templates }}.",
    )
    # Not null in the schema: a link that is there is checked as one (`link.url is required`).
    link: Link | SkipJsonSchema[None] = Field(default=None, description="A button that opens a web address.")


@register
class TeamsMessage(NodeType[TeamsConfig]):
    type = "action.teams"
    title = "Teams message"
    category = "action"
    description = (
        "Posts an Adaptive Card (title, text, facts, a link button) to a Teams channel's Workflows webhook."
    )
    Config = TeamsConfig
    example = {
        "connection": "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
        "title": "New ticket {{ input.id }}",
        "text": "{{ input.subject }}",
        "facts": {"Priority": "{{ input.priority }}", "From": "{{ input.requester_email }}"},
        "link": {"title": "Open ticket", "url": "https://support.example.com/tickets/{{ input.id }}"},
    }

    def execute(self, ctx: NodeContext, config: TeamsConfig, input: Any) -> dict[str, Any]:
        body: list[dict[str, Any]] = []
        if config.title:
            body.append(
                {
                    "type": "TextBlock",
                    "text": incoming.text_of(ctx, config.title),
                    "size": "Medium",
                    "weight": "Bolder",
                    "wrap": True,
                }
            )
        body.append({"type": "TextBlock", "text": incoming.text_of(ctx, config.text), "wrap": True})
        if config.facts:
            facts = [
                {"title": name, "value": incoming.text_of(ctx, value)} for name, value in config.facts.items()
            ]
            body.append({"type": "FactSet", "facts": facts})
        card: dict[str, Any] = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "body": body,
            "msteams": {"width": "Full"},
        }
        if config.link is not None:
            card["actions"] = [
                {
                    "type": "Action.OpenUrl",
                    "title": incoming.text_of(ctx, config.link.title),
                    "url": _link_url(incoming.text_of(ctx, config.link.url)),
                }
            ]
        payload = {
            "type": "message",
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
        }
        url = incoming.webhook_url(ctx, config.connection)
        try:
            reply = incoming.post(ctx, url, payload)
        except NodeError as error:
            raise incoming.refused("Teams", error, _explained(error)) from None
        return {"status": reply.status}


def _link_url(url: str) -> str:
    # Teams refuses the whole card when a button's URL is not absolute http(s); say which part is wrong.
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise NodeError(f"link.url: {url!r} is not an http(s) address, which a Teams button needs.")
    return url


def _explained(error: NodeError) -> str | None:
    """Workflows answer errors as JSON {"error": {"code", "message"}}; older connectors as text."""
    body = error.output.get("body") if isinstance(error.output, dict) else None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        found = body["error"]
        parts = [str(found[key]) for key in ("code", "message") if found.get(key)]
        return " — ".join(parts) or None
    return None
