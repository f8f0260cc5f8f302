"""The approval workflow: four eyes, two approvals, who may decide, roll back, notifications, two
deciders at once, and runs in flight while a new version goes live."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from flows import services
from flows.models import Flow, FlowVersion, Run, RunStatus, VersionDecision
from flows.tasks import notify_version_submitted
from hub.models import AuditEntry
from identity.models import Team
from identity.services import role_grant
from tests.conftest import client_for, person
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run
from tests.support.sink import HttpSink
from tests.support.smtp import SmtpSink

PROBLEM = "application/problem+json"


def document(value: Any = 1) -> dict[str, Any]:
    return chain(
        node("start", "trigger.manual", sample={"n": 1}),
        node("shape", "transform.map", fields={"value": value}),
    )


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


def versions_url(flow: Flow | str, number: int | None = None, action: str = "") -> str:
    flow_id = flow.pk if isinstance(flow, Flow) else flow
    url = f"/api/v1/flows/{flow_id}/versions"
    if number is not None:
        url += f"/{number}"
    return url + (f"/{action}" if action else "")


def decide(client: APIClient, flow: Flow, number: int, action: str, comment: str = "") -> Any:
    return client.post(versions_url(flow, number, action), {"comment": comment}, format="json")


@pytest.fixture
def ops(db: Any) -> Team:
    return Team.objects.create(name="Ops")


@pytest.fixture
def dora(ops: Team) -> Any:
    """A builder in Ops: she writes the versions."""
    return person("dora", "builder", teams=(ops,))


@pytest.fixture
def erin(ops: Team) -> Any:
    return person("erin", "approver", teams=(ops,))


@pytest.fixture
def frank(ops: Team) -> Any:
    return person("frank", "approver", teams=(ops,))


def submitted(author: Any, team: Team, graph: dict[str, Any] | None = None, note: str = "") -> Flow:
    """A flow of `team` by `author` with version 1 waiting for approval."""
    flow = services.flow_create(user=author, name="Orders", graph=graph or document(), team_id=team.pk)
    services.version_submit(flow=flow, user=author, note=note)
    return flow


def two_required(team: Team) -> None:
    team.required_approvals = 2
    team.save(update_fields=["required_approvals"])


# --- four eyes --------------------------------------------------------------------------------------


def test_four_eyes_the_author_may_not_approve_and_the_decision_is_a_row(
    ops: Team, dora: Any, erin: Any
) -> None:
    # given dora (a builder who is also an approver) submits a version, and erin approves in Ops
    role_grant(user=dora, role="approver")
    flow = submitted(dora, ops)
    # when dora tries to approve her own version, she is refused: erin could approve it
    body = problem(decide(client_for(dora), flow, 1, "approve"), 403)
    assert "someone else" in body["detail"]
    # then erin approves with a comment, and the decision is recorded with who, when, what
    approved = decide(client_for(erin), flow, 1, "approve", "Looks right").json()
    assert approved["state"] == "approved" and approved["decided_by"] == "erin"
    assert approved["required_approvals"] == 1 and approved["rejections"] == []
    [approval] = approved["approvals"]
    assert approval["by"] == "erin" and approval["comment"] == "Looks right" and approval["at"]
    assert approval["self_approved"] is False and approval["fewer_deciders"] is False
    assert VersionDecision.objects.filter(version__flow=flow).count() == 1
    entry = AuditEntry.objects.get(action="version.approved")
    assert entry.actor_name == "erin" and entry.detail["comment"] == "Looks right"
    assert entry.detail["self_approved"] is False and entry.detail["retired"] is None


def test_approving_retires_the_live_version_and_the_audit_log_names_it(
    ops: Team, dora: Any, erin: Any
) -> None:
    flow = submitted(dora, ops)
    assert decide(client_for(erin), flow, 1, "approve").status_code == 200
    services.version_submit(flow=flow, user=dora, note="v2")
    assert decide(client_for(erin), flow, 2, "approve").status_code == 200
    states = dict(FlowVersion.objects.filter(flow=flow).values_list("number", "state"))
    assert states == {1: "retired", 2: "approved"}
    assert AuditEntry.objects.filter(action="version.approved").order_by("-id")[0].detail["retired"] == 1


def test_on_a_one_person_instance_the_author_approves_marked_as_such(db: Any) -> None:
    # given dave, builder and approver, alone in his team, and no admin anywhere
    solo = Team.objects.create(name="Solo")
    dave = person("dave", "builder", "approver", teams=(solo,))
    flow = submitted(dave, solo)
    # when he approves his own version, it goes live and is marked a self-approval
    approved = decide(client_for(dave), flow, 1, "approve").json()
    assert approved["state"] == "approved" and approved["self_approved"] is True
    assert approved["approvals"][0]["self_approved"] is True
    assert AuditEntry.objects.get(action="version.approved").detail["self_approved"] is True


@pytest.mark.parametrize("role", ["viewer", "builder"])
def test_roles_that_may_not_decide_are_refused(ops: Team, dora: Any, role: str) -> None:
    # given a pending version, and someone in Ops who sees it but holds only `role`
    flow = submitted(dora, ops)
    client = client_for(person(f"someone-{role}", role, teams=(ops,)))
    assert client.get(versions_url(flow, 1)).status_code == 200
    # then they may neither approve nor reject it, and nothing is recorded
    for action in ("approve", "reject"):
        body = problem(decide(client, flow, 1, action), 403)
        assert "versions:approve" in body["detail"]
    assert not VersionDecision.objects.exists()
    assert FlowVersion.objects.get(flow=flow).state == "pending"


# --- two approvals ----------------------------------------------------------------------------------


def test_two_approvals_by_two_different_people_neither_the_author(
    ops: Team, dora: Any, erin: Any, frank: Any
) -> None:
    # given Ops asks for two approvals, and dora (also an approver) submits a version
    role_grant(user=dora, role="approver")
    two_required(ops)
    flow = submitted(dora, ops)
    erin_api, frank_api = client_for(erin), client_for(frank)
    # the author is refused
    problem(decide(client_for(dora), flow, 1, "approve"), 403)
    # the first approval leaves it pending: 1 of 2
    first = decide(erin_api, flow, 1, "approve", "fine by me").json()
    assert first["state"] == "pending" and first["required_approvals"] == 2
    assert [a["by"] for a in first["approvals"]] == ["erin"] and first["decided_by"] is None
    inbox = erin_api.get("/api/v1/versions?state=pending").json()["results"]
    assert [(v["number"], len(v["approvals"]), v["required_approvals"]) for v in inbox] == [(1, 1, 2)]
    assert inbox[0]["team"] == {"id": ops.pk, "name": "Ops"}
    # the same person may not approve twice
    body = problem(decide(erin_api, flow, 1, "approve"), 409)
    assert "already" in body["detail"]
    # the second approval, by someone else, makes it live
    second = decide(frank_api, flow, 1, "approve", "ok").json()
    assert second["state"] == "approved" and second["decided_by"] == "frank"
    assert [a["by"] for a in second["approvals"]] == ["erin", "frank"]
    partial = AuditEntry.objects.get(action="version.approval_added")
    assert partial.actor_name == "erin" and partial.detail["approvals"] == 1
    final = AuditEntry.objects.get(action="version.approved")
    assert final.detail["approved_by"] == ["erin", "frank"] and final.detail["approvals"] == 2


def test_a_rejection_by_any_decider_rejects_even_after_an_approval(
    ops: Team, dora: Any, erin: Any, frank: Any
) -> None:
    two_required(ops)
    flow = submitted(dora, ops)
    decide(client_for(erin), flow, 1, "approve")
    rejected = decide(client_for(frank), flow, 1, "reject", "The CRM step needs a retry").json()
    assert rejected["state"] == "rejected" and rejected["decided_by"] == "frank"
    assert [(r["by"], r["comment"]) for r in rejected["rejections"]] == [
        ("frank", "The CRM step needs a retry")
    ]
    assert AuditEntry.objects.get(action="version.rejected").detail["approved_before"] == ["erin"]
    # nothing more can be decided on it
    problem(decide(client_for(erin), flow, 1, "approve"), 409)


def test_with_two_required_but_one_other_decider_that_one_suffices_and_it_is_marked(
    ops: Team, dora: Any, erin: Any
) -> None:
    # given Ops asks for two approvals but only erin, besides the author, may decide (no admin)
    two_required(ops)
    flow = submitted(dora, ops)
    # when erin approves, it goes live, marked: fewer people could decide than the rule asks
    approved = decide(client_for(erin), flow, 1, "approve").json()
    assert approved["state"] == "approved" and approved["approvals"][0]["fewer_deciders"] is True
    assert AuditEntry.objects.get(action="version.approved").detail["fewer_deciders"] is True


def test_with_two_required_on_a_one_person_team_the_self_approval_suffices(db: Any) -> None:
    solo = Team.objects.create(name="Solo", required_approvals=2)
    dave = person("dave", "builder", "approver", teams=(solo,))
    flow = submitted(dave, solo)
    approved = decide(client_for(dave), flow, 1, "approve").json()
    assert approved["state"] == "approved" and approved["self_approved"] is True
    assert approved["approvals"][0]["fewer_deciders"] is True


def test_the_rule_is_an_admin_setting_of_the_team_and_binds_versions_submitted_after(
    api: APIClient, ops: Team, dora: Any, erin: Any, frank: Any
) -> None:
    flow = submitted(dora, ops)  # version 1 under the rule of one approval
    # an approver may not change the rule; a wrong value is refused naming the field
    assert (
        client_for(erin)
        .patch(f"/api/v1/teams/{ops.pk}", {"required_approvals": 2}, format="json")
        .status_code
        == 403
    )
    body = problem(api.patch(f"/api/v1/teams/{ops.pk}", {"required_approvals": 3}, format="json"), 400)
    assert any(e["field"] == "required_approvals" for e in body["errors"])
    # an admin sets it to 2, recorded in the audit log
    changed = api.patch(f"/api/v1/teams/{ops.pk}", {"required_approvals": 2}, format="json")
    assert changed.status_code == 200 and changed.json()["required_approvals"] == 2
    entry = AuditEntry.objects.get(action="team.approval_rule_changed")
    assert entry.detail["before"] == 1 and entry.detail["required_approvals"] == 2
    # the version already waiting keeps its rule; the next one needs two
    services.version_submit(flow=flow, user=dora)
    assert decide(client_for(erin), flow, 1, "approve").json()["state"] == "approved"
    assert decide(client_for(erin), flow, 2, "approve").json()["state"] == "pending"
    assert decide(client_for(frank), flow, 2, "approve").json()["state"] == "approved"


# --- roll back --------------------------------------------------------------------------------------


def test_roll_back_is_a_new_version_reviewed_like_any_other(ops: Team, dora: Any, erin: Any) -> None:
    # given version 1 was live, then version 2 replaced it
    flow = submitted(dora, ops, graph=document(1))
    decide(client_for(erin), flow, 1, "approve")
    services.flow_draft_update(flow=flow, user=dora, graph=document(2))
    services.version_submit(flow=flow, user=dora)
    decide(client_for(erin), flow, 2, "approve")
    dora_api = client_for(dora)
    # a version that is live, or was never live, cannot be rolled back to; an approver may not roll back
    problem(dora_api.post(versions_url(flow, 2, "rollback"), {}, format="json"), 409)
    problem(client_for(erin).post(versions_url(flow, 1, "rollback"), {}, format="json"), 403)
    problem(dora_api.post(versions_url(flow, 1, "rollback"), {"note": "x" * 5001}, format="json"), 400)
    # when dora rolls back to version 1
    response = dora_api.post(versions_url(flow, 1, "rollback"), {"note": "v2 breaks the CRM"}, format="json")
    assert response.status_code == 201, response.content
    rollback = response.json()
    # then version 3 waits with version 1's graph; version 2 stays live until it is approved
    assert rollback["number"] == 3 and rollback["state"] == "pending" and rollback["rollback_of"] == 1
    assert rollback["note"] == "Roll back to version 1: v2 breaks the CRM"
    assert rollback["graph"]["nodes"] == FlowVersion.objects.get(flow=flow, number=1).graph["nodes"]
    assert FlowVersion.objects.get(flow=flow, number=2).state == "approved"
    entry = AuditEntry.objects.filter(action="version.submitted").order_by("-id")[0]
    assert entry.actor_name == "dora" and entry.detail["rollback_of"] == 1
    # the author may not approve her roll back either; erin does, and version 2 retires
    problem(decide(dora_api, flow, 3, "approve"), 403)
    assert decide(client_for(erin), flow, 3, "approve").json()["state"] == "approved"
    states = dict(FlowVersion.objects.filter(flow=flow).values_list("number", "state"))
    assert states == {1: "retired", 2: "retired", 3: "approved"}


# --- notifications ----------------------------------------------------------------------------------


@pytest.fixture
def deciders(ops: Team, alice: Any, erin: Any) -> dict[str, Any]:
    """Who may decide on Ops' versions: erin (an approver in Ops) and alice (an admin); frank is an
    approver in Ops without an e-mail address; a viewer in Ops and an approver in Sales may not."""
    frank = person("frank", "approver", teams=(ops,))
    frank.email = ""
    frank.save(update_fields=["email"])
    person("vic", "viewer", teams=(ops,))
    person("sam", "approver", teams=(Team.objects.create(name="Sales"),))
    return {"alice": alice, "erin": erin, "frank": frank}


def test_submitting_emails_everyone_who_may_decide_once(
    ops: Team, dora: Any, deciders: dict[str, Any], smtp_sink: SmtpSink, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://hub.example.com"
    # given version 1 is live, and dora submits version 2 with a changed step
    flow = submitted(dora, ops, graph=document(1))
    decide(client_for(deciders["erin"]), flow, 1, "approve")
    services.flow_draft_update(flow=flow, user=dora, graph=document(2))
    version = services.version_submit(flow=flow, user=dora, note="Bigger orders only")
    # when the notification actor runs (the worker would, after the submission commits)
    sent = notify_version_submitted(version.pk)
    # then one e-mail reached each decider with an address — not the author, not the others
    assert sent["emails"] == 2
    assert sorted(r for m in smtp_sink.messages for r in m.recipients) == [
        "alice@example.com",
        "erin@example.com",
    ]
    message = smtp_sink.messages[0].message
    assert message["Subject"] == "Approval needed: Orders, version 2"
    body = message.get_content()
    assert "dora submitted version 2" in body and "team Ops" in body and "Bigger orders only" in body
    assert "Compared with the live version 1:" in body and "\n- " in body
    assert f"https://hub.example.com/flows/{flow.pk}/versions/2" in body
    # and a second delivery of the same message tells nobody again
    assert notify_version_submitted(version.pk) == {"emails": 0, "chat": False}
    assert len(smtp_sink.messages) == 2


def test_a_chat_message_goes_to_the_configured_webhook_through_the_egress_guard(
    ops: Team, dora: Any, deciders: dict[str, Any], settings: Any
) -> None:
    with HttpSink() as chat:
        settings.APPROVAL_CHAT_WEBHOOK_URL = chat.url("/services/T000/B000/XXXX")
        # without 127.0.0.1 in EGRESS_ALLOW the guard refuses the loopback chat: logged, not raised
        settings.EGRESS_ALLOW = []
        refused = submitted(dora, ops, note="First try").versions.get()
        assert notify_version_submitted(refused.pk) == {"emails": 2, "chat": False}
        assert chat.requests == []
        # allowed, the chat receives {"text": …} naming the flow, the author and the link
        settings.EGRESS_ALLOW = ["127.0.0.1"]
        version = services.version_submit(flow=refused.flow, user=dora, note="Second try")
        assert notify_version_submitted(version.pk)["chat"] is True
        [request] = chat.requests
        assert request.method == "POST" and request.path == "/services/T000/B000/XXXX"
        text = request.json()["text"]
        assert "dora submitted version 2 of “Orders”" in text and "Second try" in text
        assert f"/flows/{version.flow_id}/versions/2" in text


def test_a_failing_chat_or_mail_server_never_fails_the_notification(
    ops: Team, dora: Any, deciders: dict[str, Any], settings: Any
) -> None:
    with HttpSink() as chat:
        chat.reply(500, text="boom")
        settings.APPROVAL_CHAT_WEBHOOK_URL = chat.url("/hook")
        settings.EGRESS_ALLOW = ["127.0.0.1"]
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
        version = submitted(dora, ops).versions.get()
        assert notify_version_submitted(version.pk) == {"emails": 0, "chat": False}
        assert len(chat.requests) == 1


@pytest.mark.skipif(not django_settings.EMBEDDED, reason="worker processes do not share the test's settings")
def test_the_notifications_are_sent_after_commit_and_a_slow_chat_does_not_hold_the_submit(
    worker: None, ops: Team, dora: Any, deciders: dict[str, Any], settings: Any
) -> None:
    with HttpSink() as chat:
        chat.reply(200, text="ok", delay=3)
        settings.APPROVAL_CHAT_WEBHOOK_URL = chat.url("/hook")
        flow = services.flow_create(user=dora, name="Orders", graph=document(), team_id=ops.pk)
        mail.outbox.clear()
        started = time.monotonic()
        response = client_for(dora).post(versions_url(flow), {"note": "please"}, format="json")
        assert response.status_code == 201 and time.monotonic() - started < 2
        deadline = time.monotonic() + 15
        while not (chat.requests and len(mail.outbox) == 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(chat.requests) == 1 and "please" in chat.requests[0].json()["text"]
        assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "erin@example.com"]
        assert FlowVersion.objects.get(flow=flow).notified_at is not None


# --- concurrency --------------------------------------------------------------------------------------


def _at_once(calls: list[Any]) -> list[int]:
    """Run each call in its own thread, released together; their HTTP statuses, in order."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def go(index: int, call: Any) -> None:
        try:
            barrier.wait()
            statuses[index] = call().status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


needs_row_locks = pytest.mark.skipif(
    django_settings.IS_SQLITE, reason="SQLite has no row locks: two writers at once fail with 'locked'"
)


@needs_row_locks
def test_two_approvers_at_once_exactly_one_wins_the_one_slot(transactional_db: Any) -> None:
    ops = Team.objects.create(name="Ops")
    dora = person("dora", "builder", teams=(ops,))
    erin_api = client_for(person("erin", "approver", teams=(ops,)))
    frank_api = client_for(person("frank", "approver", teams=(ops,)))
    for round_ in range(3):
        flow = submitted(dora, ops)
        statuses = _at_once([lambda f=flow, c=c: decide(c, f, 1, "approve") for c in (erin_api, frank_api)])
        assert sorted(statuses) == [200, 409], (round_, statuses)
        assert VersionDecision.objects.filter(version__flow=flow).count() == 1
        assert FlowVersion.objects.get(flow=flow).state == "approved"


@needs_row_locks
def test_with_two_slots_three_approvers_at_once_fill_both_and_the_third_gets_409(
    transactional_db: Any,
) -> None:
    ops = Team.objects.create(name="Ops", required_approvals=2)
    dora = person("dora", "builder", teams=(ops,))
    approvers = [client_for(person(name, "approver", teams=(ops,))) for name in ("erin", "frank", "gus")]
    flow = submitted(dora, ops)
    statuses = _at_once([lambda c=c: decide(c, flow, 1, "approve") for c in approvers])
    assert sorted(statuses) == [200, 200, 409]
    version = FlowVersion.objects.get(flow=flow)
    assert version.state == "approved"
    assert sorted(version.decisions.values_list("slot", flat=True)) == [1, 2]
    # and one person clicking twice at once on a fresh version approves once
    second = services.flow_create(user=dora, name="Other", graph=document(), team_id=ops.pk)
    services.version_submit(flow=second, user=dora)
    statuses = _at_once([lambda: decide(approvers[0], second, 1, "approve")] * 2)
    assert sorted(statuses) == [200, 409]
    assert VersionDecision.objects.filter(version__flow=second).count() == 1


# --- runs in flight ----------------------------------------------------------------------------------


def test_a_run_in_flight_finishes_on_its_version_after_the_next_goes_live(
    worker: None, ops: Team, dora: Any, erin: Any
) -> None:
    # given version 1 is live: it waits 2 s, then says value 1
    slow = chain(
        node("start", "trigger.manual", sample={}),
        node("pause", "transform.delay", seconds=2),
        node("shape", "transform.map", fields={"value": 1}),
    )
    flow = submitted(dora, ops, graph=slow)
    decide(client_for(erin), flow, 1, "approve")
    # and a run of it is waiting in the delay
    run, _ = services.run_start_live(flow=flow, kind="manual", payload={})
    wait_for_run(run.pk, statuses=(RunStatus.WAITING,), timeout=10)
    # when version 2 (value 2, no delay) goes live meanwhile
    services.flow_draft_update(flow=flow, user=dora, graph=document(2))
    services.version_submit(flow=flow, user=dora)
    assert decide(client_for(erin), flow, 2, "approve").json()["state"] == "approved"
    assert FlowVersion.objects.get(flow=flow, number=1).state == "retired"
    # then the waiting run finishes on version 1, and a new run uses version 2
    finished = wait_for_run(run.pk, timeout=15)
    assert finished.status == RunStatus.SUCCEEDED and finished.version.number == 1
    assert steps_of(finished)["shape"].output == {"value": 1}
    fresh, _ = services.run_start_live(flow=flow, kind="manual", payload={})
    fresh_run = wait_for_run(fresh.pk, timeout=15)
    assert fresh_run.version.number == 2 and steps_of(fresh_run)["shape"].output == {"value": 2}
    assert Run.objects.filter(flow=flow).count() == 2


def test_the_version_says_when_its_author_alone_may_decide(db: Any) -> None:
    solo = Team.objects.create(name="Solo")
    dave = person("dave", "builder", "approver", teams=(solo,))
    flow = submitted(dave, solo)
    dave_api = client_for(dave)
    assert dave_api.get(versions_url(flow, 1)).json()["self_approval_allowed"] is True
    # once a second approver joins, four eyes apply again, and the version says so
    person("erin", "approver", teams=(solo,))
    assert dave_api.get(versions_url(flow, 1)).json()["self_approval_allowed"] is False
    [waiting] = dave_api.get("/api/v1/versions?state=pending").json()["results"]
    assert waiting["self_approval_allowed"] is False
