"""The connections API: kinds, scopes and who may do what, problems naming fields, the test button,
OAuth2 authorization through the browser callback, and secrets that never come back out."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from hub.models import AuditEntry
from identity.models import Team
from nodes.models import Connection
from tests.conftest import client_for, person
from tests.support.oauth2_server import OAuth2Server
from tests.support.sink import HttpSink

API = "/api/v1/connections"


@pytest.fixture(autouse=True)
def _local_peers_allowed(settings: Any) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    settings.PUBLIC_URL = ""


@pytest.fixture
def oauth2() -> Iterator[OAuth2Server]:
    with OAuth2Server() as server:
        yield server


@pytest.fixture
def ops(db: Any) -> Team:
    return Team.objects.create(name="Ops")


@pytest.fixture
def sales(db: Any) -> Team:
    return Team.objects.create(name="Sales")


@pytest.fixture
def dora(ops: Team) -> Any:
    return person("dora", "builder", teams=(ops,))


@pytest.fixture
def dora_api(dora: Any) -> APIClient:
    return client_for(dora)


def create(client: APIClient, **body: Any) -> Any:
    return client.post(API, body, format="json")


def fields_of(answer: Any) -> list[str]:
    assert answer.status_code in (400, 403), answer.content
    assert answer["Content-Type"] == "application/problem+json"
    return [error["field"] for error in answer.json().get("errors", [])]


# --- kinds -----------------------------------------------------------------------------------------


def test_the_kinds_describe_their_settings_and_secret(carol_api: APIClient) -> None:
    kinds = {k["kind"]: k for k in carol_api.get("/api/v1/connection-kinds").json()}
    assert set(kinds) == {"api_key", "basic", "bearer", "oauth2", "webhook_secret", "incoming_webhook"}
    oauth2 = kinds["oauth2"]
    assert oauth2["oauth"] is True and oauth2["secret"]["required"] is False
    assert {"token_url", "client_id"} <= set(oauth2["settings_schema"]["required"])
    assert "base_url" in oauth2["settings_schema"]["properties"]
    assert kinds["api_key"]["settings_schema"]["properties"]["in"]["enum"] == ["header", "query"]
    assert kinds["basic"]["secret"]["title"] == "Password" and kinds["basic"]["oauth"] is False


# --- creating: who may make which scope ----------------------------------------------------------


def test_a_builder_shares_with_their_team_and_the_secret_never_comes_back(
    dora_api: APIClient, ops: Team
) -> None:
    answer = create(
        dora_api,
        name="CRM",
        kind="bearer",
        team=ops.pk,
        secret="tok-crm-777",
        settings={"base_url": "https://crm.example"},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["team"], body["team_name"], body["personal"], body["owner"]) == (
        ops.pk,
        "Ops",
        False,
        "dora",
    )
    assert body["settings"] == {"base_url": "https://crm.example"} and body["secret"] is None
    assert body["fingerprint"] and body["authorized"] is False
    read = dora_api.get(f"{API}/{body['id']}")
    assert "tok-crm-777" not in read.content.decode() and "secret" not in read.json()
    assert "tok-crm-777" not in dora_api.get(API).content.decode()


def test_a_builder_may_not_share_with_another_team_nor_instance_wide(
    dora_api: APIClient, sales: Team
) -> None:
    other = create(dora_api, name="X", kind="bearer", team=sales.pk, secret="t-12345")
    assert other.status_code == 403 and fields_of(other) == ["team"]
    everyone = create(dora_api, name="X", kind="bearer", secret="t-12345")
    assert everyone.status_code == 403 and fields_of(everyone) == ["team"]
    assert "admins" in everyone.json()["detail"]
    mine = create(dora_api, name="Mine", kind="bearer", personal=True, secret="t-12345")
    assert mine.status_code == 201 and mine.json()["personal"] is True and mine.json()["team"] is None


def test_an_admin_makes_instance_wide_connections_and_a_viewer_none(api: APIClient, ops: Team) -> None:
    assert create(api, name="All", kind="bearer", secret="t-12345").status_code == 201
    viewer = client_for(person("vic", "viewer", teams=(ops,)))
    assert create(viewer, name="V", kind="bearer", team=ops.pk, secret="t-12345").status_code == 403


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "oauth2", "settings": {"client_id": "c"}}, ["settings.token_url"]),
        (
            {"kind": "oauth2", "settings": {"client_id": "c", "token_url": "ftp://x", "grant": "password"}},
            ["settings.grant", "settings.token_url"],
        ),
        (
            {
                "kind": "oauth2",
                "settings": {"grant": "authorization_code", "token_url": "https://a/t", "client_id": "c"},
            },
            ["settings.authorize_url"],
        ),
        ({"kind": "api_key", "settings": {"in": "cookie"}, "secret": "k"}, ["settings.in"]),
        ({"kind": "api_key", "settings": {}}, ["secret"]),
        ({"kind": "basic", "settings": {}, "secret": "pw"}, ["settings.username"]),
        ({"kind": "bearer", "settings": {"base_url": "not a url"}, "secret": "t"}, ["settings.base_url"]),
        ({"kind": "bearer", "settings": {"colour": "red"}, "secret": "t"}, ["settings.colour"]),
        ({"kind": "incoming_webhook", "secret": "hooks.slack.com/services/T0/B0/X"}, ["secret"]),
        ({"kind": "bearer", "settings": [1], "secret": "t"}, ["settings"]),
        ({"kind": "smoke_signal"}, ["kind"]),
    ],
)
def test_problems_name_the_field(api: APIClient, body: dict[str, Any], fields: list[str]) -> None:
    answer = create(api, name="Bad", **body)
    assert answer.status_code == 400
    assert sorted(fields_of(answer)) == fields
    assert "hooks.slack.com" not in answer.content.decode()  # a webhook URL is a secret: never echoed
    assert not Connection.objects.exists()


# --- seeing, changing, removing --------------------------------------------------------------------


def test_each_person_sees_the_connections_their_flows_may_use(
    api: APIClient, dora_api: APIClient, ops: Team, sales: Team
) -> None:
    made = {
        name: create(api, name=name, kind="bearer", secret="t-12345", **scope).json()["id"]
        for name, scope in {"ops": {"team": ops.pk}, "sales": {"team": sales.pk}, "all": {}}.items()
    }
    made["dora's"] = create(dora_api, name="dora's", kind="bearer", personal=True, secret="t-12345").json()[
        "id"
    ]
    made["alice's"] = create(api, name="alice's", kind="bearer", personal=True, secret="t-12345").json()["id"]
    seen = {c["name"] for c in dora_api.get(API).json()["results"]}
    assert seen == {"ops", "all", "dora's"}
    assert {c["name"] for c in api.get(API).json()["results"]} == set(made)  # admins see all
    assert dora_api.get(f"{API}/{made['sales']}").status_code == 404
    assert dora_api.get(f"{API}/{made['alice' + chr(39) + 's']}").status_code == 404


def test_team_members_the_owner_and_admins_change_a_connection(
    api: APIClient, dora_api: APIClient, ops: Team, sales: Team
) -> None:
    shared = create(api, name="Ops CRM", kind="bearer", team=ops.pk, secret="old-token-1").json()
    everyone = create(api, name="All", kind="bearer", secret="t-12345").json()
    # a builder of Ops renames the team's connection and replaces its secret
    changed = dora_api.patch(f"{API}/{shared['id']}", {"name": "CRM", "secret": "new-token-2"}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "CRM"
    assert (
        changed.json()["fingerprint"] != shared["fingerprint"]
        and "new-token-2" not in changed.content.decode()
    )
    # but not the instance-wide one, which she may only read and use
    refused = dora_api.patch(f"{API}/{everyone['id']}", {"name": "Mine now"}, format="json")
    assert refused.status_code == 403
    assert dora_api.delete(f"{API}/{everyone['id']}").status_code == 403
    # a builder of another team does not even see Ops' connection
    other = client_for(person("sam", "builder", teams=(sales,)))
    assert other.patch(f"{API}/{shared['id']}", {"name": "x"}, format="json").status_code == 404
    # settings are checked against the kind on change too
    bad = dora_api.patch(f"{API}/{shared['id']}", {"settings": {"base_url": "gopher://x"}}, format="json")
    assert bad.status_code == 400 and fields_of(bad) == ["settings.base_url"]
    assert dora_api.delete(f"{API}/{shared['id']}").status_code == 204
    assert not Connection.objects.filter(pk=shared["id"]).exists()


def test_changes_are_audited_without_the_secret(api: APIClient, ops: Team) -> None:
    made = create(api, name="CRM", kind="basic", team=ops.pk, secret="pw-audit-1", settings={"username": "u"})
    connection_id = made.json()["id"]
    api.patch(f"{API}/{connection_id}", {"secret": "pw-audit-2"}, format="json")
    api.delete(f"{API}/{connection_id}")
    entries = AuditEntry.objects.filter(target_type="connection", target_id=connection_id)
    assert [e.action for e in entries.order_by("id")] == [
        "connection.created",
        "connection.updated",
        "connection.deleted",
    ]
    text = json.dumps([e.detail for e in entries])
    assert "pw-audit-1" not in text and "pw-audit-2" not in text


# --- the test button -------------------------------------------------------------------------------


def test_the_test_button_calls_base_url_with_the_credentials(api: APIClient, http_sink: HttpSink) -> None:
    made = create(
        api, name="CRM", kind="bearer", secret="tok-test-1", settings={"base_url": http_sink.url("/me")}
    )
    answer = api.post(f"{API}/{made.json()['id']}/test")
    assert answer.status_code == 200
    assert answer.json()["ok"] is True and answer.json()["status"] == 200
    assert http_sink.requests[0].headers["authorization"] == "Bearer tok-test-1"
    assert "tok-test-1" not in answer.content.decode()


def test_the_test_button_reports_a_refusal(api: APIClient, http_sink: HttpSink) -> None:
    made = create(
        api, name="CRM", kind="api_key", secret="key-test-1", settings={"base_url": http_sink.url("/me")}
    )
    http_sink.reply(403, text="key key-test-1 is revoked")
    answer = api.post(f"{API}/{made.json()['id']}/test").json()
    assert answer["ok"] is False and answer["status"] == 403
    assert "key-test-1" not in answer["message"]


def test_the_test_button_gets_an_oauth2_token(api: APIClient, oauth2: OAuth2Server) -> None:
    settings = {
        "token_url": oauth2.url("/token"),
        "client_id": oauth2.client_id,
        "base_url": oauth2.url("/resource"),
    }
    good = create(api, name="M2M", kind="oauth2", secret=oauth2.client_secret, settings=settings).json()
    answer = api.post(f"{API}/{good['id']}/test").json()
    assert answer == {"ok": True, "message": answer["message"], "status": 200}
    assert "access token" in answer["message"] and api.get(f"{API}/{good['id']}").json()["authorized"] is True
    bad = create(api, name="Bad", kind="oauth2", secret="wrong-secret-xyz", settings=settings).json()
    refused = api.post(f"{API}/{bad['id']}/test").json()
    assert refused["ok"] is False and "invalid_client" in refused["message"]
    assert "wrong-secret-xyz" not in refused["message"]


# --- OAuth2 authorization code through the browser -------------------------------------------------


def _auth_code_connection(api: APIClient, oauth2: OAuth2Server) -> str:
    settings = {
        "grant": "authorization_code",
        "authorize_url": oauth2.url("/authorize"),
        "token_url": oauth2.url("/token"),
        "client_id": oauth2.client_id,
        "scopes": ["orders.read", "offline_access"],
        "base_url": oauth2.url("/resource"),
    }
    made = create(api, name="Partner", kind="oauth2", secret=oauth2.client_secret, settings=settings)
    assert made.status_code == 201, made.content
    return str(made.json()["id"])


def _authorize(api: APIClient, connection_id: str) -> tuple[Any, str]:
    """Start, let the provider approve (it redirects at once), and return (the callback's answer, its URL)."""
    started = api.post(f"{API}/{connection_id}/authorize")
    assert started.status_code == 200, started.content
    authorize_url = started.json()["authorize_url"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["scope"] == ["orders.read offline_access"]
    assert query["redirect_uri"] == ["http://testserver/connections/oauth/callback"]
    approved = httpx.get(authorize_url, follow_redirects=False)
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["location"])
    return Client().get(f"{callback.path}?{callback.query}"), f"{callback.path}?{callback.query}"


def test_authorization_code_then_refresh(api: APIClient, oauth2: OAuth2Server) -> None:
    connection_id = _auth_code_connection(api, oauth2)
    # before authorizing, the test says what to do
    before = api.post(f"{API}/{connection_id}/test").json()
    assert before["ok"] is False and "Authorize" in before["message"]
    # when the browser goes through the provider and back to the callback
    back, callback_url = _authorize(api, connection_id)
    # then the tokens are stored and the browser lands on the connections page
    assert back.status_code == 302 and back["Location"] == f"/settings/connections?authorized={connection_id}"
    assert oauth2.grants == ["authorization_code"]
    assert api.get(f"{API}/{connection_id}").json()["authorized"] is True
    assert api.post(f"{API}/{connection_id}/test").json()["ok"] is True
    # and once the access token has expired, the refresh token gets a new one
    time.sleep(oauth2.lifetime)
    assert api.post(f"{API}/{connection_id}/test").json()["status"] == 200
    assert oauth2.grants == ["authorization_code", "refresh_token"]
    assert [s.status for s in oauth2.seen] == [200, 200]
    assert AuditEntry.objects.filter(action="connection.authorized", target_id=connection_id).count() == 1
    # a callback replayed is refused: each state is good once
    replay = Client().get(callback_url)
    assert (
        "error=" in replay["Location"]
        and "already used" in parse_qs(urlsplit(replay["Location"]).query)["error"][0]
    )


def test_a_forged_state_or_a_refusal_returns_with_an_error(api: APIClient, oauth2: OAuth2Server) -> None:
    _auth_code_connection(api, oauth2)
    forged = Client().get("/connections/oauth/callback?code=abc&state=made-up")
    assert forged.status_code == 302 and forged["Location"].startswith("/settings/connections?error=")
    refused = Client().get("/connections/oauth/callback?error=access_denied&error_description=User+said+no")
    assert "access_denied" in parse_qs(urlsplit(refused["Location"]).query)["error"][0]
    assert oauth2.grants == []


def test_only_authorization_code_connections_are_authorized(api: APIClient, oauth2: OAuth2Server) -> None:
    made = create(api, name="B", kind="bearer", secret="t-12345").json()
    answer = api.post(f"{API}/{made['id']}/authorize")
    assert answer.status_code == 400 and fields_of(answer) == ["settings.grant"]


# --- encryption at rest ----------------------------------------------------------------------------


def test_no_secret_nor_token_is_in_a_database_dump(api: APIClient, oauth2: OAuth2Server) -> None:
    secrets = {
        "api_key": "dump-key-0001",
        "basic": "dump-password-0002",
        "bearer": "dump-token-0003",
        "incoming_webhook": "https://hooks.example.com/services/dump-0004",
    }
    options = {"basic": {"username": "u"}}
    for kind, secret in secrets.items():
        assert (
            create(api, name=kind, kind=kind, secret=secret, settings=options.get(kind, {})).status_code
            == 201
        )
    connection_id = _auth_code_connection(api, oauth2)
    _authorize(api, connection_id)
    made = create(api, name="signing", kind="webhook_secret").json()["secret"]
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    text = dump.getvalue()
    assert len(oauth2.issued) == 2  # an access and a refresh token, both stored (encrypted)
    for secret in [*secrets.values(), *oauth2.issued, oauth2.client_secret, made]:
        assert secret not in text
