"""Every kind of connection applied by `action.http` against real local peers: the HTTP sink, and a
small OAuth2 server whose tokens expire in about a second."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection as db_connection

from identity.models import Team
from nodes import services
from nodes.builtin.action.http import HttpRequest
from nodes.context import NodeContext
from nodes.credentials import access_token
from nodes.models import Connection
from nodes.registry import NodeError
from tests.conftest import person
from tests.support.oauth2_server import OAuth2Server
from tests.support.sink import HttpSink

MakeContext = Callable[..., NodeContext]
KEY = "key-9f8e7d6c5b4a"


@pytest.fixture(autouse=True)
def _local_peers_allowed(settings: Any) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]


@pytest.fixture
def oauth2() -> Iterator[OAuth2Server]:
    with OAuth2Server() as server:
        yield server


def call(ctx: NodeContext, url: str, connection: Connection, **config: Any) -> dict[str, Any]:
    node = HttpRequest()
    parsed = node.parse_config({"url": url, "connection": str(connection.pk), **config})
    return node.execute(ctx, parsed, {})


def make(alice: Any, kind: str, secret: str | None, **options: Any) -> Connection:
    team = options.pop("team", None)
    personal = options.pop("personal", False)
    owner = options.pop("owner", alice)
    made, _ = services.connection_create(
        user=owner,
        name=f"My {kind}",
        kind=kind,
        secret=secret,
        settings=options,
        team=team,
        personal=personal,
    )
    return made


def client_credentials(alice: Any, server: OAuth2Server, **options: Any) -> Connection:
    return make(
        alice,
        "oauth2",
        server.client_secret,
        grant="client_credentials",
        token_url=server.url("/token"),
        client_id=server.client_id,
        scopes=["orders.read"],
        **options,
    )


# --- api_key, basic, bearer ------------------------------------------------------------------------


def test_api_key_in_a_header(alice: Any, make_context: MakeContext, http_sink: HttpSink) -> None:
    # given an api_key connection sending its key in X-Api-Token, and a service that echoes it back
    connection = make(alice, "api_key", KEY, name="X-Api-Token")
    http_sink.reply(200, json_body={"received": KEY, "note": f"key={KEY}"})
    # when action.http uses it
    output = call(make_context({}), http_sink.url("/orders"), connection)
    # then the key went in the header, and the echo was taken out of what the step keeps
    assert http_sink.requests[0].headers["x-api-token"] == KEY
    assert output["body"] == {"received": "[secret]", "note": "key=[secret]"}
    assert KEY not in repr(output)


def test_api_key_in_the_query(alice: Any, make_context: MakeContext, http_sink: HttpSink) -> None:
    connection = make(alice, "api_key", KEY, **{"in": "query", "name": "api_key"})
    call(make_context({}), http_sink.url("/orders"), connection, query={"page": "2"})
    assert http_sink.requests[0].query == {"page": ["2"], "api_key": [KEY]}
    assert "x-api-key" not in http_sink.requests[0].headers


def test_basic(alice: Any, make_context: MakeContext, http_sink: HttpSink) -> None:
    connection = make(alice, "basic", "pa:ss wörd", username="ann")
    call(make_context({}), http_sink.url(), connection)
    sent = http_sink.requests[0].headers["authorization"]
    assert sent.startswith("Basic ")
    assert base64.b64decode(sent[6:]).decode() == "ann:pa:ss wörd"


def test_bearer_replaces_an_authorization_header_of_the_config(
    alice: Any, make_context: MakeContext, http_sink: HttpSink
) -> None:
    connection = make(alice, "bearer", "tok-123456")
    call(make_context({}), http_sink.url(), connection, headers={"Authorization": "Bearer nope"})
    assert http_sink.requests[0].headers["authorization"] == "Bearer tok-123456"


def test_a_failure_reply_that_echoes_the_secret_does_not_carry_it(
    alice: Any, make_context: MakeContext, http_sink: HttpSink
) -> None:
    connection = make(alice, "bearer", "tok-abcdef")
    http_sink.reply(403, text="token tok-abcdef may not read this")
    with pytest.raises(NodeError) as failed:
        call(make_context({}), http_sink.url(), connection)
    assert "tok-abcdef" not in failed.value.message and "tok-abcdef" not in repr(failed.value.output)
    assert "token [secret] may not read this" in failed.value.message


def test_credentials_are_not_sent_to_another_origin(alice: Any, make_context: MakeContext) -> None:
    # given a service that redirects to another origin (another port), with api keys in header and query
    header_key = make(alice, "api_key", KEY)
    query_key = make(alice, "api_key", "query-key-1234", **{"in": "query", "name": "k"})
    with HttpSink() as first, HttpSink() as other:
        for connection in (header_key, query_key):
            first.reply(302, headers={"Location": other.url("/landing")})
            call(make_context({}), first.url("/start"), connection, headers={"Cookie": "session=1"})
        # then the other origin saw neither key, nor the cookie given for the first
        assert first.requests[0].headers["x-api-key"] == KEY and "k=query-key-1234" in first.requests[1].path
        for seen in other.requests:
            assert "x-api-key" not in seen.headers and "cookie" not in seen.headers
            assert seen.path == "/landing"


def test_a_same_origin_redirect_keeps_the_credentials(
    alice: Any, make_context: MakeContext, http_sink: HttpSink
) -> None:
    connection = make(alice, "bearer", "tok-same-origin")
    http_sink.reply(308, headers={"Location": "/v2/orders"})
    call(make_context({}), http_sink.url("/v1/orders"), connection)
    assert [r.headers["authorization"] for r in http_sink.requests] == ["Bearer tok-same-origin"] * 2


def test_a_signing_secret_cannot_authenticate_a_request(
    alice: Any, make_context: MakeContext, http_sink: HttpSink
) -> None:
    connection = make(alice, "webhook_secret", None)
    with pytest.raises(NodeError, match="does not authenticate HTTP requests"):
        call(make_context({}), http_sink.url(), connection)
    assert http_sink.requests == []


# --- scope -----------------------------------------------------------------------------------------


def test_a_run_uses_only_connections_its_flow_may_use(
    alice: Any, make_context: MakeContext, http_sink: HttpSink
) -> None:
    sales, ops = Team.objects.create(name="Sales"), Team.objects.create(name="Ops")
    dora = person("dora", "builder", teams=(ops,))
    sales_key = make(alice, "bearer", "tok-sales-1", team=sales)
    doras = make(alice, "bearer", "tok-dora-12", personal=True, owner=dora)
    everyone = make(alice, "bearer", "tok-everyone")

    def run_as(team: Team, owner: Any, connection: Connection) -> None:
        ctx = make_context({})
        ctx.team_id, ctx.flow_owner_id = team.pk, owner.pk
        call(ctx, http_sink.url(), connection)

    # a flow of Ops owned by dora may use the instance-wide connection and dora's own
    run_as(ops, dora, everyone)
    run_as(ops, dora, doras)
    run_as(sales, alice, sales_key)
    # but not Sales' connection, and nobody else's flow may use dora's personal one
    with pytest.raises(NodeError, match="belongs to team Sales"):
        run_as(ops, dora, sales_key)
    with pytest.raises(NodeError, match="personal to dora"):
        run_as(ops, alice, doras)
    assert len(http_sink.requests) == 3


def test_an_unknown_connection_fails_clearly(make_context: MakeContext, db: Any, http_sink: HttpSink) -> None:
    node = HttpRequest()
    config = node.parse_config({"url": http_sink.url(), "connection": "not-an-id"})
    with pytest.raises(NodeError, match="No connection has the id 'not-an-id'"):
        node.execute(make_context({}), config, {})


# --- OAuth2 ----------------------------------------------------------------------------------------


def test_client_credentials_token_is_fetched_cached_and_renewed_before_it_expires(
    alice: Any, make_context: MakeContext, oauth2: OAuth2Server
) -> None:
    # given an oauth2 client-credentials connection whose tokens live 1.5 s
    connection = client_credentials(alice, oauth2)
    resource = oauth2.url("/resource")
    # when two calls are made at once
    call(make_context({}), resource, connection)
    call(make_context({}), resource, connection)
    # then one token was fetched, with the client's credentials and scopes, and used twice
    assert oauth2.grants == ["client_credentials"]
    assert oauth2.token_requests[0]["scope"] == "orders.read"
    first = oauth2.seen[0].authorization
    assert [s.authorization for s in oauth2.seen] == [first, first]
    # when the token is close to expiring (within a fifth of its life)
    time.sleep(1.25)
    call(make_context({}), resource, connection)
    # then a new token was fetched before the service ever refused one
    assert oauth2.grants == ["client_credentials", "client_credentials"]
    assert oauth2.seen[-1].authorization != first
    assert all(s.status == 200 for s in oauth2.seen)
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.token_expires_at is not None and "at-" not in stored.token_encrypted


def test_a_401_renews_the_token_once_and_sends_again(
    alice: Any, make_context: MakeContext, oauth2: OAuth2Server
) -> None:
    connection = client_credentials(alice, oauth2)
    call(make_context({}), oauth2.url("/resource"), connection)
    # given the server revoked every token it issued, though ours has not expired
    oauth2.revoke_access_tokens()
    # when the step calls again
    output = call(make_context({}), oauth2.url("/resource"), connection, method="POST", json={"n": 1})
    # then the 401 led to one new token and one more request, which succeeded
    assert output["status"] == 200
    assert [s.status for s in oauth2.seen] == [200, 401, 200]
    assert len(oauth2.grants) == 2


def test_a_second_401_fails_without_a_third_try(
    alice: Any, make_context: MakeContext, oauth2: OAuth2Server, http_sink: HttpSink
) -> None:
    # given a service that refuses every token
    connection = client_credentials(alice, oauth2)
    http_sink.reply(401, json_body={"error": "invalid_token"})
    http_sink.reply(401, json_body={"error": "invalid_token"})
    # when the step calls it, then it tried twice (one renewal) and fails with the 401
    with pytest.raises(NodeError, match="answered 401"):
        call(make_context({}), http_sink.url("/x"), connection)
    assert len(http_sink.requests) == 2 and len(oauth2.grants) == 2
    assert http_sink.requests[0].headers["authorization"] != http_sink.requests[1].headers["authorization"]


def test_a_wrong_client_secret_fails_naming_the_token_endpoint_not_the_secret(
    alice: Any, make_context: MakeContext, oauth2: OAuth2Server, caplog: pytest.LogCaptureFixture
) -> None:
    connection = client_credentials(alice, oauth2)
    services.connection_update(user=alice, connection=connection, secret="wrong-secret-value")
    with pytest.raises(NodeError) as failed:
        call(make_context({}), oauth2.url("/resource"), connection)
    assert "token endpoint" in failed.value.message and "invalid_client" in failed.value.message
    assert "wrong-secret-value" not in failed.value.message and "wrong-secret-value" not in caplog.text
    assert oauth2.seen == []  # the resource was never called


def test_client_secret_in_the_form_when_asked(
    alice: Any, make_context: MakeContext, oauth2: OAuth2Server
) -> None:
    connection = client_credentials(alice, oauth2, client_auth="post", audience="https://api.example")
    call(make_context({}), oauth2.url("/resource"), connection)
    form = oauth2.token_requests[0]
    assert form["client_secret"] == oauth2.client_secret and form["audience"] == "https://api.example"


@pytest.mark.django_db(transaction=True)
def test_two_workers_renewing_at_once_fetch_one_token(alice: Any, oauth2: OAuth2Server) -> None:
    if db_connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serializes the whole database instead)")
    connection = client_credentials(alice, oauth2)
    tokens: list[str] = []

    def renew() -> None:
        try:
            tokens.append(access_token(Connection.objects.get(pk=connection.pk)))
        finally:
            db_connection.close()

    threads = [threading.Thread(target=renew) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1 and oauth2.grants == ["client_credentials"]


def test_new_client_credentials_drop_the_stored_tokens(
    alice: Any, make_context: MakeContext, oauth2: OAuth2Server
) -> None:
    connection = client_credentials(alice, oauth2)
    call(make_context({}), oauth2.url("/resource"), connection)
    assert Connection.objects.get(pk=connection.pk).token_encrypted
    services.connection_update(
        user=alice, connection=connection, settings={**connection.settings, "scopes": []}
    )
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.token_encrypted == "" and stored.token_expires_at is None


def test_no_credential_reaches_the_logs(
    alice: Any, make_context: MakeContext, http_sink: HttpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    connection = make(alice, "api_key", KEY, **{"in": "query", "name": "key"})
    http_sink.reply(302, headers={"Location": f"/next?echo={KEY}"})
    call(make_context({}), http_sink.url("/start"), connection)
    assert "following it to" in caplog.text and KEY not in caplog.text


def test_a_webhook_signing_secret_follows_the_same_scope(
    alice: Any, make_context: MakeContext, http_sink: HttpSink
) -> None:
    sales, ops = Team.objects.create(name="Sales"), Team.objects.create(name="Ops")
    signing = make(alice, "webhook_secret", None, team=sales)
    ctx = make_context({})
    ctx.team_id = ops.pk
    with pytest.raises(NodeError, match="belongs to team Sales"):
        ctx.secret(str(signing.pk), "webhook_secret")
    ctx.team_id = sales.pk
    assert ctx.secret(str(signing.pk), "webhook_secret").startswith("whsec_")
    with pytest.raises(NodeError, match="it is a webhook_secret connection"):
        ctx.secret(str(signing.pk), "incoming_webhook")
