"""Using a connection: who may use it (its scope), applying it to an outgoing request, and OAuth2 tokens.

OAuth2 access tokens are fetched (client credentials), exchanged (authorization code, PKCE) and
refreshed here. A token is refreshed a little before it expires, and once more when a service answers
401 to it. Refreshing takes the connection's row lock, so two workers never both spend a refresh token
(many providers rotate it, and the loser's would be revoked); whoever waited uses the new token.

Nothing here puts a secret into a message: errors name the connection and the endpoint, never a value.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from hub import crypto, egress
from nodes.models import Connection

log = logging.getLogger(__name__)

# A token is renewed this long before it expires (or a fifth of its lifetime, if that is shorter).
REFRESH_MARGIN_SECONDS = 60.0
REFRESH_MARGIN_SHARE = 0.2
TOKEN_TIMEOUT_SECONDS = 20.0
USER_AGENT = "Switchboard"
REQUEST_KINDS = frozenset({"api_key", "basic", "bearer", "oauth2"})


class CredentialError(Exception):
    """A connection that cannot be used now: out of scope, not authorized, or its token endpoint failed."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


# --- scope -----------------------------------------------------------------------------------------


def scope_refusal(connection: Connection, *, team_id: int | None, flow_owner_id: int | None) -> str | None:
    """Why a run of a flow of `team_id`, owned by `flow_owner_id`, may not use `connection` (or None)."""
    if connection.personal:
        if connection.owner_id is not None and connection.owner_id == flow_owner_id:
            return None
        owner = connection.owner.get_username() if connection.owner else "someone no longer here"
        return (
            f"The connection '{connection.name}' is personal to {owner}: only flows {owner} owns may use it."
        )
    if connection.team_id is None or connection.team_id == team_id:
        return None
    team = connection.team.name if connection.team else "?"
    return (
        f"The connection '{connection.name}' belongs to team {team}, and this flow's team may not use it: "
        "use a connection of the flow's team, or an instance-wide one."
    )


def usable(
    connection_id: Any, *, team_id: int | None, flow_owner_id: int | None, kind: str | None = None
) -> Connection:
    """The connection a run may use (of `kind`, when given); CredentialError when there is none or its
    scope refuses the run."""
    try:
        connection = Connection.objects.select_related("team", "owner").filter(pk=connection_id).first()
    except (ValueError, DjangoValidationError):  # a malformed id (not a UUID) is no connection either
        connection = None
    which = f"{kind} connection" if kind else "connection"
    if connection is None:
        raise CredentialError(f"No {which} has the id {connection_id!r}.")
    if kind is not None and connection.kind != kind:
        raise CredentialError(
            f"No {which} has the id {connection_id!r}: it is a {connection.kind} connection."
        )
    if (refused := scope_refusal(connection, team_id=team_id, flow_owner_id=flow_owner_id)) is not None:
        raise CredentialError(refused)
    return connection


def secret_of(connection: Connection) -> str:
    if not connection.secret_encrypted:
        return ""
    try:
        return crypto.decrypt(connection.secret_encrypted)
    except crypto.SecretUnreadable as error:
        raise CredentialError(f"The connection '{connection.name}' cannot be used: {error}") from None


# --- applying a connection to a request -----------------------------------------------------------


@dataclass
class Applied:
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    access_token: str | None = None  # the OAuth2 token sent, to tell a stale one after a 401


class Credentials:
    """One connection as applied to requests of one step. Remembers every value it sent, so that
    `scrub` can take them out of a reply or a message."""

    def __init__(self, connection: Connection) -> None:
        if connection.kind not in REQUEST_KINDS:
            raise CredentialError(
                f"The connection '{connection.name}' is a {connection.kind} connection, which does not "
                "authenticate HTTP requests: choose an api_key, basic, bearer or oauth2 connection."
            )
        self.connection = connection
        self._sent: set[str] = set()
        self._last_token: str | None = None

    @property
    def can_refresh(self) -> bool:
        return self.connection.kind == Connection.Kind.OAUTH2

    def apply(self) -> Applied:
        connection, options = self.connection, self.connection.settings or {}
        if connection.kind == Connection.Kind.OAUTH2:
            token = access_token(connection)
            self._last_token = token
            self._remember(token)
            return Applied(headers={"Authorization": f"Bearer {token}"}, access_token=token)
        secret = secret_of(connection)
        self._remember(secret)
        if connection.kind == Connection.Kind.API_KEY:
            name = str(options.get("name") or "X-API-Key")
            if options.get("in") == "query":
                return Applied(params={name: secret})
            return Applied(headers={name: secret})
        if connection.kind == Connection.Kind.BASIC:
            pair = base64.b64encode(f"{options.get('username', '')}:{secret}".encode()).decode()
            self._remember(pair)
            return Applied(headers={"Authorization": f"Basic {pair}"})
        return Applied(headers={"Authorization": f"Bearer {secret}"})

    def refresh(self) -> None:
        """After a 401: a new access token, unless another worker already got one."""
        token = access_token(self.connection, stale=self._last_token)
        self._remember(token)

    def scrub(self, text: str) -> str:
        """`text` with every credential this step sent replaced (a service may echo one back)."""
        for value in sorted(self._sent, key=len, reverse=True):
            text = text.replace(value, "[secret]")
        return text

    def scrub_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_value(item) for item in value]
        if isinstance(value, dict):
            return {self.scrub(str(k)): self.scrub_value(v) for k, v in value.items()}
        return value

    def _remember(self, value: str) -> None:
        if len(value) >= 4:  # shorter would scrub ordinary words; such a secret protects nothing anyway
            self._sent.add(value)


# --- OAuth2 ---------------------------------------------------------------------------------------


def token_state(connection: Connection) -> dict[str, Any] | None:
    """The stored token response (decrypted), or None before the first token."""
    if not connection.token_encrypted:
        return None
    try:
        state = json.loads(crypto.decrypt(connection.token_encrypted))
    except (crypto.SecretUnreadable, ValueError):
        return None  # unreadable tokens are as good as none: a new one is fetched or authorized
    return state if isinstance(state, dict) else None


def _fresh(state: dict[str, Any] | None, expires_at: datetime | None, now: datetime) -> bool:
    if not state or not isinstance(state.get("access_token"), str):
        return False
    if expires_at is None:
        return True
    lifetime = state.get("expires_in")
    margin = REFRESH_MARGIN_SECONDS
    if isinstance(lifetime, int | float) and lifetime > 0:
        margin = min(margin, float(lifetime) * REFRESH_MARGIN_SHARE)
    return expires_at - timedelta(seconds=margin) > now


def access_token(connection: Connection, *, stale: str | None = None) -> str:
    """A usable access token of an oauth2 connection: the stored one while it is fresh (and is not
    `stale`, one a service just refused), else a new one, got under the row's lock."""
    now = timezone.now()
    current = (
        Connection.objects.filter(pk=connection.pk).values("token_encrypted", "token_expires_at").first()
    )
    if current is None:
        raise CredentialError(f"The connection '{connection.name}' no longer exists.")
    connection.token_encrypted, connection.token_expires_at = (
        current["token_encrypted"],
        current["token_expires_at"],
    )
    state = token_state(connection)
    if _fresh(state, connection.token_expires_at, now) and (state or {}).get("access_token") != stale:
        return str((state or {})["access_token"])
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        state = token_state(row)
        if _fresh(state, row.token_expires_at, timezone.now()) and (state or {}).get("access_token") != stale:
            token = str((state or {})["access_token"])  # another worker renewed it while we waited
        else:
            token = _renew(row, state)
    connection.token_encrypted, connection.token_expires_at = row.token_encrypted, row.token_expires_at
    return token


def _renew(row: Connection, state: dict[str, Any] | None) -> str:
    options = row.settings or {}
    refresh_token = (state or {}).get("refresh_token")
    if isinstance(refresh_token, str) and refresh_token:
        try:
            return _store(
                row, _token_request(row, {"grant_type": "refresh_token", "refresh_token": refresh_token})
            )
        except CredentialError as error:
            if options.get("grant") != "client_credentials":
                raise CredentialError(
                    f"The connection '{row.name}' could not refresh its token ({error.message}). "
                    "If its authorization was revoked, authorize it again.",
                    retryable=error.retryable,
                ) from None
            # A client can always ask for a new token with its own credentials.
    if options.get("grant") == "client_credentials":
        form = {"grant_type": "client_credentials"}
        if options.get("scopes"):
            form["scope"] = " ".join(options["scopes"])
        if options.get("audience"):
            form["audience"] = str(options["audience"])
        return _store(row, _token_request(row, form))
    raise CredentialError(
        f"The connection '{row.name}' is not authorized yet: its owner (or an admin) must press "
        "Authorize on the connections page."
    )


def exchange_code(row: Connection, *, code: str, redirect_uri: str, verifier: str) -> None:
    """Authorization code → tokens, stored on the connection (called with the row locked)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    _store(row, _token_request(row, form))


def _store(row: Connection, answer: dict[str, Any]) -> str:
    previous = token_state(row) or {}
    token = answer["access_token"]
    expires_in = answer.get("expires_in")
    try:
        seconds = float(expires_in) if expires_in is not None else None
    except (TypeError, ValueError):
        seconds = None
    state = {
        "access_token": token,
        "token_type": answer.get("token_type") or "Bearer",
        # A refresh answer without a refresh token means: keep using the one you have (RFC 6749 §6).
        "refresh_token": answer.get("refresh_token") or previous.get("refresh_token"),
        "expires_in": seconds,
        "scope": answer.get("scope"),
    }
    row.token_encrypted = crypto.encrypt(json.dumps(state))
    row.token_expires_at = timezone.now() + timedelta(seconds=seconds) if seconds else None
    # Not save(): a token renewal is no edit of the connection, so `updated_at` stays.
    Connection.objects.filter(pk=row.pk).update(
        token_encrypted=row.token_encrypted, token_expires_at=row.token_expires_at
    )
    log.info("connection %s: new OAuth2 access token (expires in %s s)", row.pk, seconds)
    return str(token)


def _token_request(row: Connection, form: dict[str, str]) -> dict[str, Any]:
    """POST the token endpoint (through the egress guard); the answer's JSON, or CredentialError."""
    options = row.settings or {}
    url = str(options.get("token_url") or "")
    client_id = str(options.get("client_id") or "")
    client_secret = secret_of(row)
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    body = dict(form)
    auth: httpx.Auth | None = None
    if client_secret and options.get("client_auth", "basic") == "basic":
        # RFC 6749 §2.3.1: both are form-encoded before they go into the Basic header.
        auth = httpx.BasicAuth(quote(client_id, safe=""), quote(client_secret, safe=""))
    else:
        body["client_id"] = client_id
        if client_secret:
            body["client_secret"] = client_secret
    shown = egress.shown_url(url)
    try:
        egress.check_url(url)
        with httpx.Client(
            transport=egress.transport(), timeout=TOKEN_TIMEOUT_SECONDS, follow_redirects=False
        ) as client:
            response = client.post(url, data=body, headers=headers, auth=auth or httpx.USE_CLIENT_DEFAULT)
    except egress.EgressRefused as refused:
        raise CredentialError(
            f"The token endpoint of '{row.name}' was not called: {refused.message}",
            retryable=refused.retryable,
        ) from None
    except httpx.TimeoutException:
        raise CredentialError(f"The token endpoint {shown} timed out.", retryable=True) from None
    except httpx.HTTPError as error:
        raise CredentialError(
            f"The token endpoint {shown} could not be reached: {type(error).__name__}", retryable=True
        ) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400 or not isinstance(answer, dict) or not answer.get("access_token"):
        detail = ""
        if isinstance(answer, dict) and answer.get("error"):
            detail = f": {answer.get('error')}"
            if answer.get("error_description"):
                detail += f" ({answer.get('error_description')})"
        elif response.status_code < 400:
            detail = ": the answer holds no access_token"
        message = f"The token endpoint {shown} answered {response.status_code}{detail}"
        for value in (client_secret, form.get("refresh_token"), form.get("code")):
            if value and len(value) >= 4:
                message = message.replace(value, "[secret]")
        raise CredentialError(message, retryable=egress.retryable_status(response.status_code))
    if not isinstance(answer["access_token"], str):
        raise CredentialError(f"The token endpoint {shown} answered an access_token that is not text.")
    return answer


def redirect_uri(base: str) -> str:
    """The callback address an OAuth2 client registers (`<base>/connections/oauth/callback`)."""
    return f"{(settings.PUBLIC_URL or base).rstrip('/')}/connections/oauth/callback"
