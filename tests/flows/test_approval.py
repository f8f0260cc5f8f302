"""`transform.approval` in real flows: the run waits without a worker until the assignee (or someone
holding the role) decides through the API or the e-mailed link, or the time runs out."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

from flows import services
from flows.models import ApprovalTask, Flow, Run, RunStatus, StepStatus
from hub.models import AuditEntry
from identity.models import Team
from tests.conftest import client_for, person
from tests.flows.conftest import steps_of
from tests.support.flows import edge, node
from tests.support.runs import wait_for_run
from tests.support.smtp import SmtpSink

TASKS = "/api/v1/approval-tasks"


def approval_flow(**approval: Any) -> dict[str, Any]:
    """manual → approval → `yes` on approved, `no` on rejected, `late` on expired."""
    config = {"title": "Refund {{ trigger.amount }} EUR", "message": "For {{ trigger.customer }}", **approval}
    return {
        "schema": "switchboard.flow/v1",
        "name": "Refunds",
        "nodes": [
            node("start", "trigger.manual"),
            node("ask", "transform.approval", **config),
            node("yes", "transform.map", fields={"paid": True}),
            node("no", "transform.map", fields={"paid": False}),
            node("late", "transform.map", fields={"late": True}),
        ],
        "edges": [
            edge("start", "ask"),
            edge("ask", "yes", "approved"),
            edge("ask", "no", "rejected"),
            edge("ask", "late", "expired"),
        ],
    }


def waiting_task(alice: Any, flow: Flow, payload: Any = None) -> tuple[Run, ApprovalTask]:
    started = services.run_test(flow=flow, user=alice, payload=payload or {"amount": 40, "customer": "Ann"})
    run = wait_for_run(started.pk, statuses=(RunStatus.WAITING,), timeout=10)
    return run, ApprovalTask.objects.get(run=run)


def test_many_runs_waiting_for_days_do_not_hold_up_a_short_delay(
    worker: None, alice: Any, bob: Any, make_flow: Any
) -> None:
    # given more runs waiting days for a decision than a worker keeps delayed messages in memory
    approvals = make_flow(approval_flow(assignee="bob"))
    for _ in range(12):
        waiting_task(alice, approvals)
    # when a run with a one-second delay starts
    pause = make_flow(
        {
            "schema": "switchboard.flow/v1",
            "name": "Pause",
            "nodes": [node("start", "trigger.manual"), node("pause", "transform.delay", seconds=1)],
            "edges": [edge("start", "pause")],
        }
    )
    started = services.run_test(flow=pause, user=alice, payload={})
    # then it goes on after its second, not after the long waits
    assert wait_for_run(started.pk, timeout=15).status == RunStatus.SUCCEEDED


def decide(client: APIClient, task: ApprovalTask, decision: str, comment: str = "") -> Any:
    return client.post(f"{TASKS}/{task.pk}/decide", {"decision": decision, "comment": comment}, format="json")


def test_approved_through_the_api_the_run_goes_on_by_approved(
    worker: None, alice: Any, bob: Any, bob_api: APIClient, carol_api: APIClient, make_flow: Any
) -> None:
    # given a run waiting for bob's approval
    run, task = waiting_task(
        alice, make_flow(approval_flow(assignee="bob", data={"amount": "{{ trigger.amount }}"}))
    )
    assert (
        steps_of(run)["ask"].status == StepStatus.WAITING and steps_of(run)["ask"].waiting_for == "approval"
    )
    assert run.lease_expires_at is None  # no worker holds it
    # bob's inbox shows it, as the design names its fields; carol's (not the assignee) does not
    listed = bob_api.get(f"{TASKS}?state=pending").json()["results"]
    assert [t["id"] for t in listed] == [str(task.pk)]
    assert listed[0]["title"] == "Refund 40 EUR" and listed[0]["message"] == "For Ann"
    assert listed[0]["assignee"] == "bob" and listed[0]["role"] is None and listed[0]["state"] == "pending"
    assert listed[0]["data"] == {"amount": 40} and listed[0]["flow_name"] == "A flow"
    assert carol_api.get(f"{TASKS}?state=pending").json()["results"] == []
    # when carol tries to decide it she is refused; bob approves
    assert decide(carol_api, task, "approve").status_code == 403
    answer = decide(bob_api, task, "approve", "fine")
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "approved" and answer.json()["decided_by"] == "bob"
    # then the run goes on by `approved`, with the decision as the step's output
    done = wait_for_run(run.pk, timeout=15)
    steps = steps_of(done)
    assert done.status == RunStatus.SUCCEEDED
    assert steps["ask"].port == "approved" and steps["yes"].output == {"paid": True}
    assert steps["no"].status == StepStatus.SKIPPED and steps["late"].status == StepStatus.SKIPPED
    output = steps["ask"].output
    assert output["decision"] == "approved" and output["by"] == "bob" and output["comment"] == "fine"
    assert output["data"] == {"amount": 40} and output["decided_at"]
    # deciding again is a conflict; the decision is in the audit log
    assert decide(bob_api, task, "reject").status_code == 409
    entry = AuditEntry.objects.get(action="approval.approved")
    assert entry.actor_name == "bob" and entry.target_id == str(task.pk) and entry.detail["via"] == "api"


def test_rejected_by_a_member_of_the_role_the_run_goes_on_by_rejected(
    worker: None, alice: Any, bob: Any, bob_api: APIClient, make_flow: Any
) -> None:
    run, task = waiting_task(alice, make_flow(approval_flow(role="approver")))
    # bob is an approver in the flow's team: the task is his to decide
    assert [t["id"] for t in bob_api.get(TASKS).json()["results"]] == [str(task.pk)]
    assert decide(bob_api, task, "reject", "too much").status_code == 200
    done = wait_for_run(run.pk, timeout=15)
    steps = steps_of(done)
    assert steps["ask"].port == "rejected" and steps["no"].output == {"paid": False}
    assert steps["yes"].status == StepStatus.SKIPPED
    assert steps["ask"].output["decision"] == "rejected" and steps["ask"].output["comment"] == "too much"


def test_without_a_decision_it_expires_and_goes_on_by_expired(
    worker: None, alice: Any, bob_api: APIClient, make_flow: Any
) -> None:
    run, task = waiting_task(alice, make_flow(approval_flow(assignee="bob", timeout_seconds=1)))
    done = wait_for_run(run.pk, timeout=15)
    steps = steps_of(done)
    assert done.status == RunStatus.SUCCEEDED and steps["ask"].port == "expired"
    assert steps["late"].output == {"late": True}
    assert steps["ask"].output["decision"] == "expired" and steps["ask"].output["by"] is None
    task.refresh_from_db()
    assert task.state == "expired"
    assert decide(bob_api, task, "approve").status_code == 409


def test_people_outside_the_task_get_403_or_404(
    worker: None, alice: Any, bob_api: APIClient, make_flow: Any
) -> None:
    # given a task of the default team's flow for bob
    _, task = waiting_task(alice, make_flow(approval_flow(assignee="bob")))
    # someone of another team does not see it at all; a viewer of the team sees the run but may not decide
    stranger = client_for(person("sam", "approver", teams=(Team.objects.create(name="Elsewhere"),)))
    assert decide(stranger, task, "approve").status_code == 404
    assert stranger.get(TASKS).json()["results"] == []
    from identity.services import team_default

    viewer = client_for(person("vic", "viewer", teams=(team_default(),)))
    assert decide(viewer, task, "approve").status_code == 403
    # an admin may decide any task, and sees every one
    admin = client_for(person("root", "admin"))
    assert [t["id"] for t in admin.get(f"{TASKS}?state=pending").json()["results"]] == [str(task.pk)]
    # a body that is not a decision names the field
    bad = bob_api.post(f"{TASKS}/{task.pk}/decide", {"decision": "maybe"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "decision"
    assert decide(admin, task, "approve").status_code == 200


def test_a_missing_assignee_fails_the_step_with_a_clear_message(
    worker: None, alice: Any, make_flow: Any
) -> None:
    started = services.run_test(flow=make_flow(approval_flow(assignee="nobody-here")), user=alice, payload={})
    run = wait_for_run(started.pk, timeout=10)
    assert run.status == RunStatus.FAILED and "nobody-here" in run.error


def test_cancelling_the_run_expires_its_open_task(
    worker: None, alice: Any, bob_api: APIClient, make_flow: Any
) -> None:
    run, task = waiting_task(alice, make_flow(approval_flow(assignee="bob")))
    services.run_cancel(run=run, user=alice)
    task.refresh_from_db()
    assert task.state == "expired"
    assert decide(bob_api, task, "approve").status_code == 409
    assert Run.objects.get(pk=run.pk).status == RunStatus.CANCELLED


def test_a_replay_from_the_failed_step_does_not_ask_again(
    worker: None, alice: Any, bob_api: APIClient, make_flow: Any
) -> None:
    # given a run approved by bob that then failed after the approval
    document = approval_flow(assignee="bob")
    document["nodes"][2]["config"] = {
        "fields": {"n": {"if": [{"var": "trigger.ok"}, 1, {"throw": "not ok"}]}}
    }
    run, task = waiting_task(alice, make_flow(document), {"ok": False})
    assert decide(bob_api, task, "approve").status_code == 200
    assert wait_for_run(run.pk, timeout=15).status == RunStatus.FAILED
    # when it is replayed from the failed step, the decision stands; from the start, it is asked anew
    from_failed = wait_for_run(services.run_replay(run=run, user=alice, mode="failed").pk, timeout=15)
    assert from_failed.status == RunStatus.FAILED and steps_of(from_failed)["ask"].port == "approved"
    assert ApprovalTask.objects.count() == 1
    from_start = services.run_replay(run=run, user=alice, mode="start")
    wait_for_run(from_start.pk, statuses=(RunStatus.WAITING,), timeout=10)
    assert ApprovalTask.objects.filter(run=from_start, state="pending").count() == 1


@pytest.mark.skipif(not django_settings.EMBEDDED, reason="worker processes do not share the test's settings")
def test_the_email_link_shows_the_task_and_only_its_post_decides(
    worker: None, alice: Any, bob: Any, make_flow: Any, smtp_sink: SmtpSink
) -> None:
    # given a waiting approval whose e-mail went to bob (sent by a worker after the step committed)
    run, task = waiting_task(alice, make_flow(approval_flow(assignee="bob", data={"order": 7})))
    deadline = time.monotonic() + 10
    while not smtp_sink.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.recipients for m in smtp_sink.messages] == [["bob@example.com"]]
    text = smtp_sink.messages[0].message.get_content()
    assert "Refund 40 EUR" in smtp_sink.messages[0].message["Subject"]
    link = re.search(r"/approval/\S+", text)
    assert link is not None
    browser = Client()
    # when the link is fetched (as a mail scanner would), the page shows the task and decides nothing
    page = browser.get(link.group(0))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "Refund 40 EUR" in html and "Approve" in html and "Reject" in html and "&quot;order&quot;: 7" in html
    )
    task.refresh_from_db()
    assert task.state == "pending"
    # a link with its signature altered is refused
    assert browser.get(link.group(0)[:-3] + "xyz").status_code == 404
    # when bob presses Approve, the decision is his, and the run goes on
    decided = browser.post(link.group(0), {"decision": "approve", "comment": "ok by mail"})
    assert decided.status_code == 200 and "your decision is recorded" in decided.content.decode()
    done = wait_for_run(run.pk, timeout=15)
    assert steps_of(done)["ask"].output["by"] == "bob" and steps_of(done)["ask"].port == "approved"
    assert AuditEntry.objects.get(action="approval.approved").detail["via"] == "link"
    # and pressing again answers that it is decided
    again = browser.post(link.group(0), {"decision": "reject"})
    assert again.status_code == 409 and "approved" in again.content.decode()
