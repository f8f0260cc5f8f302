"""Connections in real runs: an oauth2 connection authenticates action.http, the flow's team decides
which connections a run may use, and no secret reaches the stored run, a database dump or the logs;
`rotatekeys` re-encrypts every secret at rest with the newest key."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from flows import services as flow_services
from flows.models import RunStatus
from flows.selectors import webhook_secrets_valid
from hub import crypto
from hub.events import event_endpoint_create
from hub.models import EventEndpoint
from identity.models import Team
from nodes import credentials
from nodes import services as node_services
from nodes.models import Connection
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.oauth2_server import OAuth2Server
from tests.support.sink import HttpSink


@pytest.fixture
def oauth2() -> Iterator[OAuth2Server]:
    with OAuth2Server() as server:
        yield server


def test_an_oauth2_connection_in_a_run_leaves_no_secret_behind(
    worker: None, alice: Any, oauth2: OAuth2Server, test_run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    connection, _ = node_services.connection_create(
        user=alice,
        name="Orders API",
        kind="oauth2",
        secret=oauth2.client_secret,
        settings={"token_url": oauth2.url("/token"), "client_id": oauth2.client_id},
    )
    document = chain(
        node("start", "trigger.manual"),
        node("fetch", "action.http", url=oauth2.url("/resource"), connection=str(connection.pk)),
    )
    run = test_run(document, {"order": 1})
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert steps_of(run)["fetch"].output["body"] == {"ok": True}
    assert oauth2.seen[0].authorization == f"Bearer {oauth2.issued[0]}"
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    for secret in (oauth2.client_secret, *oauth2.issued):
        assert secret not in dump.getvalue()
        assert secret not in caplog.text


def test_a_run_may_not_use_another_teams_connection(
    worker: None, alice: Any, http_sink: HttpSink, test_run: Any
) -> None:
    # given a connection of team Sales, and alice's flow in the default team
    sales = Team.objects.create(name="Sales")
    connection, _ = node_services.connection_create(
        user=alice, name="Sales CRM", kind="bearer", secret="tok-sales-9", team=sales
    )
    document = chain(
        node("start", "trigger.manual"),
        node("fetch", "action.http", url=http_sink.url(), connection=str(connection.pk)),
    )
    # when the flow runs, then the step fails saying why, and nothing was sent
    run = test_run(document)
    assert run.status == RunStatus.FAILED
    assert "belongs to team Sales" in json.dumps(steps_of(run)["fetch"].error)
    assert http_sink.requests == []


# --- rotatekeys ------------------------------------------------------------------------------------


def test_rotatekeys_moves_every_secret_to_the_newest_key(db: Any, alice: Any, settings: Any) -> None:
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    # given secrets of every kind encrypted with key A
    settings.FIELD_ENCRYPTION_KEYS = [key_a]
    connection, _ = node_services.connection_create(user=alice, name="CRM", kind="bearer", secret="tok-rot-1")
    oauth, _ = node_services.connection_create(
        user=alice,
        name="M2M",
        kind="oauth2",
        secret="client-secret-rot",
        settings={"token_url": "https://auth.example/token", "client_id": "c"},
    )
    credentials._store(oauth, {"access_token": "at-rot", "refresh_token": "rt-rot", "expires_in": 60})
    flow = flow_services.flow_create(user=alice, name="Hooked", graph=chain(node("start", "trigger.manual")))
    flow_services.webhook_secret_rotate(flow=flow, user=alice)
    flow_secret = webhook_secrets_valid(flow.pk)[0]
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    endpoint, endpoint_secret = event_endpoint_create(
        user=alice, url="http://127.0.0.1:9/events", event_types=["run.failed"]
    )
    # when B is put first and rotatekeys runs
    settings.FIELD_ENCRYPTION_KEYS = [key_b, key_a]
    out = StringIO()
    call_command("rotatekeys", stdout=out)
    report = out.getvalue()
    assert "connections: 2 rows, 3 secrets re-encrypted" in report
    assert "flow webhook secrets: 1 rows, 1 secrets re-encrypted" in report
    assert "event endpoints: 1 rows, 1 secrets re-encrypted" in report
    # then, with A removed, everything still decrypts
    settings.FIELD_ENCRYPTION_KEYS = [key_b]
    assert credentials.secret_of(Connection.objects.get(pk=connection.pk)) == "tok-rot-1"
    rotated = Connection.objects.get(pk=oauth.pk)
    assert credentials.secret_of(rotated) == "client-secret-rot"
    assert (credentials.token_state(rotated) or {})["refresh_token"] == "rt-rot"
    assert webhook_secrets_valid(flow.pk) == [flow_secret]
    assert crypto.decrypt(EventEndpoint.objects.get(pk=endpoint.pk).secret_encrypted) == endpoint_secret


def test_rotatekeys_fails_loudly_when_a_key_is_missing(db: Any, alice: Any, settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    node_services.connection_create(user=alice, name="CRM", kind="bearer", secret="tok-lost-1")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key was dropped too early
    with pytest.raises(Exception, match="could not be decrypted"):
        call_command("rotatekeys", stdout=StringIO())
