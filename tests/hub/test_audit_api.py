"""The audit log over the API: admins only, filterable, newest first in cursor pages, exported as JSON
Lines an auditor can verify without Switchboard; each entry keeps the request's IP and correlation id."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.utils import timezone
from rest_framework.test import APIClient

from hub import audit, correlation
from hub.models import AuditEntry
from identity.services import apitoken_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(alice: Any, bob: Any) -> dict[str, AuditEntry]:
    """A small log: alice changes a flow twice (once in request 'req-flow-0001'), bob approves a version,
    the system cancels a run."""
    with correlation.bound("req-flow-0001"):
        created = audit.record(
            actor=alice, action="flow.created", target_type="flow", target_id="f1", name="A"
        )
    renamed = audit.record(
        actor=alice,
        action="flow.renamed",
        target_type="flow",
        target_id="f1",
        before={"name": "A"},
        after={"name": "B"},
    )
    approved = audit.record(actor=bob, action="version.approved", target_type="version", target_id="f1:1")
    cancelled = audit.record(actor=None, action="run.cancelled", target_type="run", target_id="r9")
    return {"created": created, "renamed": renamed, "approved": approved, "cancelled": cancelled}


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [entry["id"] for entry in response.json()["results"]]


def test_admins_read_the_log_newest_first_in_cursor_pages(api: APIClient, log: dict[str, AuditEntry]) -> None:
    # when an admin pages through two at a time (the log also holds the token made for the client)
    first = api.get("/api/v1/audit", {"limit": 2})
    newest = list(AuditEntry.objects.order_by("-seq").values_list("pk", flat=True))
    assert ids(first) == newest[:2]
    second = api.get(first.json()["next"])
    assert ids(second) == newest[2:4]
    # and an entry says who, when, from where, what, to what, with which detail and request
    renamed = next(e for e in api.get("/api/v1/audit", {"action": "flow.renamed"}).json()["results"])
    assert renamed["actor"] == "alice" and renamed["target_type"] == "flow" and renamed["target_id"] == "f1"
    assert renamed["detail"] == {"before": {"name": "A"}, "after": {"name": "B"}}
    assert set(renamed) >= {"id", "seq", "at", "actor_id", "ip", "correlation_id"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "bob"}, ["approved"]),
        ({"actor": "alice", "target_type": "flow"}, ["renamed", "created"]),
        ({"action": "flow."}, ["renamed", "created"]),
        ({"action": "version.approved"}, ["approved"]),
        ({"target_type": "flow", "target_id": "f1"}, ["renamed", "created"]),
        ({"target_type": "run"}, ["cancelled"]),
        ({"correlation_id": "req-flow-0001"}, ["created"]),
        ({"actor": "system", "action": "run."}, ["cancelled"]),
    ],
)
def test_filters_select_the_matching_entries(
    api: APIClient, log: dict[str, AuditEntry], query: dict[str, str], expected: list[str]
) -> None:
    assert ids(api.get("/api/v1/audit", query)) == [log[name].pk for name in expected]


def test_since_and_until_bound_the_time(api: APIClient, log: dict[str, AuditEntry]) -> None:
    approved_at = AuditEntry.objects.get(pk=log["approved"].pk).at
    since = api.get("/api/v1/audit", {"since": approved_at.isoformat(), "actor": "bob"})
    assert ids(since) == [log["approved"].pk]
    until = api.get("/api/v1/audit", {"until": approved_at.isoformat(), "action": "version."})
    assert ids(until) == []
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert ids(api.get("/api/v1/audit", {"since": future})) == []


def test_a_malformed_filter_is_a_problem_naming_it(api: APIClient, log: dict[str, AuditEntry]) -> None:
    bad = api.get("/api/v1/audit", {"since": "last tuesday"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in bad.json()["errors"]] == ["since"]
    now = timezone.now().isoformat()
    backwards = api.get("/api/v1/audit/export", {"since": now, "until": now})
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "until"


def test_only_admins_read_or_export_the_log(bob_api: APIClient, carol_api: APIClient, log: Any) -> None:
    for client in (bob_api, carol_api):
        assert client.get("/api/v1/audit").status_code == 403
        assert client.get("/api/v1/audit/export").status_code == 403
    assert APIClient().get("/api/v1/audit/export").status_code == 401


def exported(response: Any) -> list[dict[str, Any]]:
    """The JSON Lines of a streamed export."""
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def _offline_hash(line: dict[str, Any]) -> str:
    """What an auditor computes with nothing but the README: SHA-256 over the canonical JSON of the
    hashed fields (sorted keys, no spaces, ASCII)."""
    keys = [
        "seq", "at", "actor_id", "actor_name", "ip", "action", "target_type", "target_id", "detail",
        "correlation_id", "prev_hash",
    ]  # fmt: skip
    canonical = json.dumps(
        {k: line[k] for k in keys}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_the_export_is_json_lines_oldest_first_and_verifies_offline(api: APIClient, log: Any) -> None:
    # when an admin exports the whole log
    response = api.get("/api/v1/audit/export", HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    assert "attachment" in response["Content-Disposition"]
    lines = exported(response)
    # then it holds every entry, oldest first, each with its hash and the one before's
    assert [line["seq"] for line in lines] == list(range(1, AuditEntry.objects.count() + 1))
    assert lines[0]["prev_hash"] == "0" * 64
    # and the chain checks out from the file alone
    for before, line in zip([None, *lines], lines, strict=False):
        assert _offline_hash(line) == line["hash"]
        if before is not None:
            assert line["prev_hash"] == before["hash"]
    assert lines[-1]["actor"] == "system" and lines[-1]["action"] == "run.cancelled"


def test_the_export_takes_the_same_filters(api: APIClient, log: Any) -> None:
    response = api.get("/api/v1/audit/export", {"action": "flow."})
    lines = exported(response)
    assert [line["id"] for line in lines] == [log["created"].pk, log["renamed"].pk]


def test_served_over_asgi_the_export_streams_page_by_page(alice: Any, log: Any) -> None:
    # given more entries than one page of the export holds, and the app served as uvicorn serves it
    for n in range(1100):
        audit.record(actor=None, action="run.started.schedule", target_type="run", target_id=n)
    client, token = AsyncClient(), apitoken_create(user=alice, name="audit")[1]

    async def download() -> tuple[Any, bytes]:
        response: Any = await client.get("/api/v1/audit/export", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.content
        assert response.is_async  # streamed, not read whole into memory first
        return response, b"".join([chunk async for chunk in response.streaming_content])

    response, body = async_to_sync(download)()
    # then every entry arrives once, in order
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    assert [line["seq"] for line in lines] == list(range(1, AuditEntry.objects.count() + 1))


# --- the client's IP ------------------------------------------------------------------------------


def _team_entry(client: APIClient, name: str, **extra: Any) -> AuditEntry:
    assert client.post("/api/v1/teams", {"name": name}, format="json", **extra).status_code == 201
    return AuditEntry.objects.get(action="team.created", detail__team=name)


def test_the_ip_and_correlation_id_of_the_request_are_recorded(api: APIClient) -> None:
    entry = _team_entry(api, "Ops", REMOTE_ADDR="198.51.100.7", HTTP_X_CORRELATION_ID="trace-0042-abcd")
    assert (entry.ip, entry.correlation_id, entry.actor_name) == ("198.51.100.7", "trace-0042-abcd", "alice")


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(api: APIClient, settings: Any) -> None:
    # given no trusted proxy, a client's own X-Forwarded-For changes nothing
    spoofed = _team_entry(api, "A", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert spoofed.ip == "198.51.100.7"
    # given a trusted proxy network, the nearest hop it did not add is the client, not the left-most
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = _team_entry(
        api, "B", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.50, 10.1.1.1"
    )
    assert proxied.ip == "203.0.113.50"
    # and a request straight from an untrusted address keeps that address
    direct = _team_entry(api, "C", REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert direct.ip == "198.51.100.8"
