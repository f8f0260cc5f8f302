"""Fixtures of the identity tests. SCIM: the provisioning token, a SCIM client for the test client, and
the request bodies identity providers document (tests/fixtures/scim/). People API: people holding each
role, and API clients signed in as them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient
from scim2_client import BaseSyncSCIMClient
from scim2_client.errors import RequestNetworkException

from identity.services import role_grant
from tests.conftest import client_for

SCIM_JSON = "application/scim+json"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scim"


def provider_requests(name: str) -> dict[str, Any]:
    """The request bodies of tests/fixtures/scim/<name>.json, by name (the file also names its source)."""
    requests: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())["requests"]
    return requests


def filled(body: Any, **ids: str) -> Any:
    """A fixture body with its `{{user_id}}`-style placeholders replaced by the ids the server gave."""
    text = json.dumps(body)
    for name, value in ids.items():
        text = text.replace("{{" + name + "}}", value)
    return json.loads(text)


class Scim:
    """The SCIM endpoints through Django's test client, as a provider calls them."""

    def __init__(self, token: str | None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(**headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/scim/v2{path}", params)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/scim/v2{path}", json.dumps(body), content_type=SCIM_JSON)

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"/scim/v2{path}", json.dumps(body), content_type=SCIM_JSON)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/scim/v2{path}", json.dumps(body), content_type=SCIM_JSON)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/scim/v2{path}")

    def create_user(self, user_name: str, **attributes: Any) -> dict[str, Any]:
        body = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            **attributes,
        }
        answer = self.post("/Users", body)
        assert answer.status_code == 201, answer.content
        created: dict[str, Any] = answer.json()
        return created

    def create_group(self, display_name: str, *member_ids: str) -> dict[str, Any]:
        body = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": display_name,
            "members": [{"value": i} for i in member_ids],
        }
        answer = self.post("/Groups", body)
        assert answer.status_code == 201, answer.content
        created: dict[str, Any] = answer.json()
        return created


@pytest.fixture
def scim_token(db: Any) -> str:
    """A token from `manage.py scimtoken`, as an admin would make one for their identity provider."""
    out = StringIO()
    call_command("scimtoken", "--name", "tests", stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def scim(scim_token: str) -> Scim:
    return Scim(scim_token)


class HttpxScimClient(BaseSyncSCIMClient):  # type: ignore[misc]
    """scim2-client over an `httpx.Client` (its own engine targets httpx2, which Switchboard does not use)."""

    def __init__(self, client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.RequestError as exc:
            raise RequestNetworkException() from exc


@pytest.fixture
def live_scim_client(live_server: Any, scim_token: str) -> Iterator[HttpxScimClient]:
    """A scim2-client speaking to a running Switchboard over HTTP, knowing nothing of it beforehand."""
    with httpx.Client(
        base_url=f"{live_server.url}/scim/v2",
        headers={"Authorization": f"Bearer {scim_token}"},
        timeout=30,
    ) as http:
        yield HttpxScimClient(http)


# --- the people, teams and tokens API ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """People are made by the dozen here; the production hasher's deliberate slowness only costs time.
    (Autouse fixtures come first, so alice and bob are hashed this way too.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_person(db: Any) -> Callable[..., Any]:
    """make_person("dora", "viewer", display_name="Dora D") — a local person holding those roles
    directly; their password is "<username>-password-1"."""

    def make(username: str, *roles: str, **fields: Any) -> Any:
        user = get_user_model().objects.create_user(
            username, fields.pop("email", f"{username}@example.com"), f"{username}-password-1", **fields
        )
        for role in roles:
            role_grant(user=user, role=role)
        return user

    return make


@pytest.fixture
def admin_person(make_person: Callable[..., Any]) -> Any:
    """An admin through the `admin` role (not a superuser)."""
    return make_person("erin", "admin")


@pytest.fixture
def admin_api(admin_person: Any) -> APIClient:
    return client_for(admin_person)


@pytest.fixture
def role_api(make_person: Callable[..., Any]) -> Callable[[str | None], APIClient]:
    """role_api("builder") — the API as a new person holding only that role (None: no role at all)."""
    made: list[Any] = []

    def for_role(role: str | None) -> APIClient:
        person = make_person(f"{role or 'norole'}-{len(made) + 1}", *([role] if role else []))
        made.append(person)
        return client_for(person)

    return for_role
