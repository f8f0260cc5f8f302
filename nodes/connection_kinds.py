"""The kinds of connection: each one's non-secret settings (a pydantic model, whose JSON Schema the API
publishes), what its secret is, and whether it is authorized through OAuth2.

Settings are checked here, once, for the API and the services alike; problems name the field as
`settings.<name>` so the form can point at it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hub.problems import ErrorItem


def _http_url(value: str | None) -> str | None:
    """An absolute http(s) URL, or None. Where it may be called is `hub.egress`'s to say, at call time."""
    if value is None:
        return None
    value = value.strip()
    try:
        parsed = httpx.URL(value)
    except httpx.InvalidURL as error:
        raise ValueError(f"{value!r} is not a valid URL: {error}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"{value!r} is not an http or https URL.")
    return value


class KindSettings(BaseModel):
    """Settings every kind takes."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    base_url: str | None = Field(
        default=None,
        title="Base URL",
        description="The service's address. The test button calls it (GET) with these credentials.",
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        return _http_url(value or None)


class ApiKeySettings(KindSettings):
    in_: Literal["header", "query"] = Field(
        default="header", alias="in", title="Sent in", description="A request header or a query parameter."
    )
    name: str = Field(
        default="X-API-Key",
        min_length=1,
        max_length=200,
        description="The header's or the query parameter's name.",
    )


class BasicSettings(KindSettings):
    username: str = Field(
        min_length=1, max_length=500, description="The user name (the secret is the password)."
    )


class BearerSettings(KindSettings):
    pass


class OAuth2Settings(KindSettings):
    grant: Literal["client_credentials", "authorization_code"] = Field(
        default="client_credentials",
        description="client_credentials: the hub gets tokens for itself. authorization_code: a person "
        "authorizes once in the browser (Authorize), then tokens are refreshed.",
    )
    token_url: str = Field(title="Token URL", description="The authorization server's token endpoint.")
    authorize_url: str | None = Field(
        default=None,
        title="Authorize URL",
        description="The authorization endpoint (authorization_code only).",
    )
    client_id: str = Field(title="Client ID", min_length=1, max_length=500)
    scopes: list[str] = Field(default_factory=list, description="The scopes to ask for.")
    audience: str | None = Field(
        default=None, description="Sent as `audience` when given (Auth0 and others)."
    )
    client_auth: Literal["basic", "post"] = Field(
        default="basic",
        title="Client authentication",
        description="How the client secret reaches the token endpoint: HTTP Basic (the standard) or "
        "client_id/client_secret in the form body.",
    )

    @field_validator("token_url", "authorize_url")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[str]) -> list[str]:
        if any(not scope or any(c.isspace() for c in scope) for scope in value):
            raise ValueError("A scope is one word without spaces.")
        return value

    @model_validator(mode="after")
    def _authorize_url_for_auth_code(self) -> OAuth2Settings:
        if self.grant == "authorization_code" and not self.authorize_url:
            raise ValueError("AUTHORIZE_URL: The authorization_code grant needs an authorize_url.")
        return self


class WebhookSecretSettings(KindSettings):
    pass


class IncomingWebhookSettings(KindSettings):
    pass


@dataclass(frozen=True)
class SecretSpec:
    title: str
    description: str
    required: bool


@dataclass(frozen=True)
class ConnectionKind:
    kind: str
    title: str
    description: str
    settings: type[KindSettings]
    secret: SecretSpec | None
    oauth: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "settings_schema": self.settings.model_json_schema(by_alias=True),
            "secret": None
            if self.secret is None
            else {
                "title": self.secret.title,
                "description": self.secret.description,
                "required": self.secret.required,
            },
            "oauth": self.oauth,
        }


KINDS: dict[str, ConnectionKind] = {
    k.kind: k
    for k in (
        ConnectionKind(
            "api_key",
            "API key",
            "A key sent with each request, in a header or a query parameter.",
            ApiKeySettings,
            SecretSpec("API key", "The key.", True),
        ),
        ConnectionKind(
            "basic",
            "Basic authentication",
            "A user name and password sent as HTTP Basic authentication.",
            BasicSettings,
            SecretSpec("Password", "The password of the user name.", True),
        ),
        ConnectionKind(
            "bearer",
            "Bearer token",
            "A fixed token sent as `Authorization: Bearer …`.",
            BearerSettings,
            SecretSpec("Token", "The token.", True),
        ),
        ConnectionKind(
            "oauth2",
            "OAuth2",
            "Access tokens from an OAuth2 authorization server (client credentials or authorization "
            "code), refreshed before they expire and once when a service answers 401.",
            OAuth2Settings,
            SecretSpec(
                "Client secret", "The client secret (leave out for a public client using PKCE).", False
            ),
            oauth=True,
        ),
        ConnectionKind(
            "webhook_secret",
            "Webhook signing secret",
            "The Standard Webhooks secret action.webhook signs deliveries with.",
            WebhookSecretSettings,
            SecretSpec("Signing secret", "A whsec_… secret; leave out to have one made (shown once).", False),
        ),
        ConnectionKind(
            "incoming_webhook",
            "Incoming webhook (Slack, Teams)",
            "A Slack or Microsoft Teams incoming-webhook URL, which is itself the credential.",
            IncomingWebhookSettings,
            SecretSpec("Webhook URL", "The incoming-webhook URL the service gave you.", True),
        ),
    )
}


def settings_problems(kind: str, raw: Any) -> tuple[dict[str, Any], list[ErrorItem]]:
    """(the settings as stored, problems naming `settings.<field>`) for a kind's settings."""
    spec = KINDS[kind]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, [ErrorItem(field="settings", message="The settings are a JSON object.")]
    if "\\u0000" in json.dumps(raw):  # PostgreSQL's JSON cannot store a NUL character
        return {}, [ErrorItem(field="settings", message="The settings may not hold NUL characters.")]
    try:
        model = spec.settings.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = [str(part) for part in item["loc"]]
            message = str(item["msg"]).removeprefix("Value error, ")
            if not location and message.startswith("AUTHORIZE_URL: "):
                location, message = ["authorize_url"], message.removeprefix("AUTHORIZE_URL: ")
            field = ".".join(["settings", *location])
            problems.append(ErrorItem(field=field, message=message))
        return {}, problems
    return model.model_dump(mode="json", by_alias=True, exclude_none=True), []


def secret_problem(kind: str, secret: str | None) -> ErrorItem | None:
    """Why a secret given for a new connection of `kind` does not do (or None)."""
    spec = KINDS[kind].secret
    if spec is not None and spec.required and not secret:
        return ErrorItem(field="secret", message=f"A {kind} connection needs its {spec.title.lower()}.")
    if kind == "incoming_webhook" and secret:
        try:
            _http_url(secret)
        except ValueError:
            # The URL is the secret: the message must not repeat it, as the validator's would.
            return ErrorItem(field="secret", message="The webhook URL is not an http or https URL.")
    return None
