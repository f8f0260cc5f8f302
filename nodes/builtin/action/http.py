"""`action.http`: one HTTP request to any public address, its reply becoming the step's output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from nodes import outbound
from nodes.registry import (
    HTTP_CONNECTION_KINDS,
    Expression,
    NodeConfig,
    NodeType,
    connection_widget,
    register,
    widget,
)

if TYPE_CHECKING:
    from nodes.context import NodeContext

ONE_BODY = "Give either json or body, not both."


class HttpConfig(NodeConfig):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = Field(
        default="GET", description="The HTTP method."
    )
    url: str = Field(
        title="URL",
        min_length=1,
        json_schema_extra=widget("template"),
        description="The address to call; may hold {{ templates }}. "
        "Private and local addresses are refused unless EGRESS_ALLOW names them.",
    )
    headers: dict[str, Expression] = Field(
        default_factory=dict,
        description="Request headers. Each value is a template string, a JsonLogic rule or a literal.",
    )
    query: dict[str, Expression] = Field(
        title="Query parameters",
        default_factory=dict,
        description="Query parameters added to the URL, evaluated like headers; a list repeats its name.",
    )
    # Named json_ because `json` is a BaseModel method; the config key and the schema still say "json".
    json_: Expression = Field(
        title="JSON body",
        default=None,
        alias="json",
        description="A JSON body, evaluated: templates and rules inside objects and lists are filled in.",
    )
    body: str | None = Field(
        title="Text body",
        default=None,
        json_schema_extra=widget("template"),
        description="A text body instead of json; may hold {{ templates }}. Sent as text/plain "
        "unless the headers name another Content-Type.",
    )
    connection: str | None = Field(
        default=None,
        title="Connection",
        json_schema_extra=connection_widget(*HTTP_CONNECTION_KINDS),
        description="A connection (api_key, basic, bearer or oauth2) whose credentials authenticate the "
        "request. They are sent to the URL's own origin only, never to a redirect elsewhere.",
    )
    timeout: float | None = Field(
        title="Timeout (seconds)",
        default=None,
        gt=0,
        le=300,
        description="Seconds to wait for the connection and for each read "
        "(default: the HTTP_DEFAULT_TIMEOUT_SECONDS setting, 30).",
    )

    @field_validator("body")
    @classmethod
    def _one_body(cls, body: str | None, info: ValidationInfo) -> str | None:
        # Fields validate in order, so `json` is known here; naming `body` points the editor at it.
        if body is not None and info.data.get("json_") is not None:
            raise ValueError(ONE_BODY)
        return body


@register
class HttpRequest(NodeType[HttpConfig]):
    type = "action.http"
    title = "HTTP request"
    category = "action"
    description = (
        "Calls a web address, optionally authenticated by a connection, and outputs the reply's status, "
        "headers and body. Redirects are followed (at most 5), each checked like the first address."
    )
    Config = HttpConfig
    example = {
        "method": "POST",
        "url": "https://crm.example.com/api/leads",
        "headers": {"Accept": "application/json"},
        "json": {"email": "{{ input.email }}", "source": "switchboard"},
        "retry": {"max_attempts": 3},
    }

    def execute(self, ctx: NodeContext, config: HttpConfig, input: Any) -> dict[str, Any]:
        content: bytes | None = None
        content_type: str | None = None
        if "json_" in config.model_fields_set:
            content, content_type = outbound.encode_json(ctx.evaluate(config.json_)), "application/json"
        elif config.body is not None:
            content = outbound.as_text(ctx.evaluate(config.body)).encode()
            content_type = "text/plain; charset=utf-8"
        reply = outbound.send(
            ctx,
            method=config.method,
            url=outbound.evaluate_url(ctx, config.url),
            headers={name: outbound.as_text(value) for name, value in _each(ctx, config.headers)},
            params={name: _query_value(value) for name, value in _each(ctx, config.query)},
            content=content,
            content_type=content_type,
            timeout=config.timeout,
            follow_redirects=True,
            connection=config.connection,
        )
        return reply.as_output()


def _each(ctx: NodeContext, values: dict[str, Any]) -> list[tuple[str, Any]]:
    """Evaluated one by one (a mapping whose only key names an operator would read as a rule); no nulls."""
    evaluated = ((name, ctx.evaluate(value)) for name, value in values.items())
    return [(name, value) for name, value in evaluated if value is not None]


def _query_value(value: Any) -> str | list[str]:
    return [outbound.as_text(item) for item in value] if isinstance(value, list) else outbound.as_text(value)
