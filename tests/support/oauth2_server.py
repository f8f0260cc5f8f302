"""A small, real OAuth2 authorization server and protected resource on 127.0.0.1, for tests.

- `POST /token`: the client_credentials, authorization_code (with its PKCE check) and refresh_token
  grants; the client authenticates with HTTP Basic or in the form. Access tokens expire after
  `lifetime` seconds; refresh tokens are rotated (the old one stops working when used).
- `GET /authorize`: approves at once, redirecting straight back to `redirect_uri` with a code and state.
- `GET /resource`: 200 for a live access token, 401 for an expired, revoked or unknown one; every
  Authorization header it saw is kept in `seen`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.support.local_server import Answer, LocalServer


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str


@dataclass
class Seen:
    authorization: str | None
    status: int


@dataclass
class OAuth2Server(LocalServer):
    client_id: str = "switchboard"
    client_secret: str = "s3cret-client-value"
    lifetime: float = 1.5
    grants: list[str] = field(default_factory=list)  # the grant of each token issued, in order
    seen: list[Seen] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)  # forms, secrets included
    issued: list[str] = field(default_factory=list)  # every access and refresh token handed out

    def __post_init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._access: dict[str, float] = {}  # token → when it expires (monotonic)
        self._refresh: set[str] = set()
        self._codes: dict[str, _Code] = {}

    def revoke_access_tokens(self) -> None:
        """Every access token issued so far now answers 401 (as after a server-side revocation)."""
        with self._lock:
            self._access.clear()

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, client_port: int
    ) -> Answer:
        route = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(route.query).items()}
        with self._lock:
            if route.path == "/token" and method == "POST":
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                return self._token(form, headers)
            if route.path == "/authorize" and method == "GET":
                return self._authorize(query)
            if route.path == "/resource":
                return self._resource(headers.get("authorization"))
        return _json(404, {"error": "not_found"})

    # --- endpoints ---------------------------------------------------------------------------------

    def _token(self, form: dict[str, str], headers: dict[str, str]) -> Answer:
        self.token_requests.append(form)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = headers.get("authorization", "")
        if basic.startswith("Basic "):
            user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
            client_id, client_secret = unquote(user), unquote(password)
        if client_id != self.client_id or client_secret != self.client_secret:
            return _json(
                401, {"error": "invalid_client", "error_description": "unknown client or bad secret"}
            )
        grant = form.get("grant_type")
        if grant == "client_credentials":
            return self._issue(grant, refresh=False, scope=form.get("scope", ""))
        if grant == "authorization_code":
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or code.redirect_uri != form.get("redirect_uri"):
                return _json(400, {"error": "invalid_grant", "error_description": "unknown code or redirect"})
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if digest != code.challenge:
                return _json(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            return self._issue(grant, refresh=True, scope=code.scope)
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if token not in self._refresh:
                return _json(400, {"error": "invalid_grant", "error_description": "refresh token not valid"})
            self._refresh.discard(token)  # rotated: each refresh token works once
            return self._issue(grant, refresh=True, scope="")
        return _json(400, {"error": "unsupported_grant_type"})

    def _issue(self, grant: str, *, refresh: bool, scope: str) -> Answer:
        access = "at-" + secrets.token_urlsafe(16)
        self._access[access] = time.monotonic() + self.lifetime
        self.grants.append(grant)
        self.issued.append(access)
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": self.lifetime, "scope": scope}
        if refresh:
            answer["refresh_token"] = "rt-" + secrets.token_urlsafe(16)
            self._refresh.add(answer["refresh_token"])
            self.issued.append(answer["refresh_token"])
        return _json(200, answer, {"Cache-Control": "no-store"})

    def _authorize(self, query: dict[str, str]) -> Answer:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return _json(400, {"error": "invalid_request"})
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return _json(400, {"error": "invalid_request", "error_description": "PKCE S256 required"})
        code = secrets.token_urlsafe(16)
        self._codes[code] = _Code(
            self.client_id, query.get("redirect_uri", ""), query["code_challenge"], query.get("scope", "")
        )
        back = (
            query.get("redirect_uri", "") + "?" + urlencode({"code": code, "state": query.get("state", "")})
        )
        return Answer(302, b"", {"Location": back})

    def _resource(self, authorization: str | None) -> Answer:
        token = authorization[7:] if authorization and authorization.startswith("Bearer ") else ""
        expires = self._access.get(token)
        status = 200 if expires is not None and expires > time.monotonic() else 401
        self.seen.append(Seen(authorization, status))
        if status == 401:
            return _json(
                401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        return _json(200, {"ok": True})


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})})
