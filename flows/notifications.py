"""Telling the people who may decide that a version waits for them: an e-mail each, and optionally one
chat message (a Slack or Microsoft Teams incoming webhook, `APPROVAL_CHAT_WEBHOOK_URL`).

Sent by a Dramatiq actor (`flows.tasks.notify_version_submitted`) once the submission has committed:
a slow or broken mail server or chat is logged and never fails, nor slows, the submission itself.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from flows.diff import graph_diff
from flows.models import FlowVersion, VersionState
from flows.selectors import version_other_deciders
from hub import egress

log = logging.getLogger("switchboard.notifications")

CHAT_TIMEOUT_SECONDS = 10.0
MAX_CHANGE_LINES = 20
EMPTY_FLOW: dict[str, Any] = {"nodes": [], "edges": []}


def version_submitted_queue(version_id: int) -> None:
    """Queue the notifications of a new version for when the current transaction commits."""
    from flows.tasks import notify_version_submitted

    # robust: a broker that is down must not turn a stored submission into an error answer.
    transaction.on_commit(lambda: notify_version_submitted.send(version_id), robust=True)


def version_link(version: FlowVersion) -> str:
    """Where the version is reviewed: absolute with `PUBLIC_URL`, else the path alone."""
    return f"{settings.PUBLIC_URL}/flows/{version.flow_id}/versions/{version.number}"


def deciders_to_tell(version: FlowVersion) -> list[Any]:
    """Everyone who may decide on this version, with an e-mail address, but its author."""
    return list(version_other_deciders(version).exclude(email=""))


def change_lines(version: FlowVersion) -> tuple[str, list[str]]:
    """What approving would change, compared with the live version (or an empty flow): a heading and
    plain sentences. Best effort — a diff that cannot be made leaves the list out, not the e-mail."""
    live = FlowVersion.objects.filter(flow_id=version.flow_id, state=VersionState.APPROVED).first()
    heading = (
        f"Compared with the live version {live.number}:" if live else "The flow has no live version yet:"
    )
    try:
        diff = graph_diff(live.graph if live else EMPTY_FLOW, version.graph)
    except Exception:  # the diff is a courtesy here; the link shows it in full
        log.exception("no change list for version %s of flow %s", version.number, version.flow_id)
        return heading, []
    lines: list[str] = diff["summary"]
    if len(lines) > MAX_CHANGE_LINES:
        lines = [*lines[:MAX_CHANGE_LINES], f"… and {len(lines) - MAX_CHANGE_LINES} more"]
    return heading, lines or ["No change in what the flow does."]


def _author(version: FlowVersion) -> str:
    return version.author.get_username() if version.author else "Someone"


def email_text(version: FlowVersion) -> tuple[str, str]:
    """The subject and body of the e-mail to a person who may decide."""
    flow = version.flow
    subject = f"Approval needed: {flow.name}, version {version.number}"
    heading, lines = change_lines(version)
    needs = "one approval" if version.required_approvals == 1 else f"{version.required_approvals} approvals"
    body = [
        f"{_author(version)} submitted version {version.number} of the flow “{flow.name}” "
        f"(team {flow.team.name}) for approval.",
        "",
        f"Note: {version.note}" if version.note else "No note was given.",
        "",
        heading,
        *[f"- {line}" for line in lines],
        "",
        f"It needs {needs} from someone other than its author before it goes live.",
        "",
        f"Review it: {version_link(version)}",
    ]
    return subject, "\n".join(body) + "\n"


def chat_text(version: FlowVersion) -> str:
    note = f" — “{version.note}”" if version.note else ""
    return (
        f"{_author(version)} submitted version {version.number} of “{version.flow.name}” "
        f"(team {version.flow.team.name}) for approval{note}. Review it: {version_link(version)}"
    )


def _send_emails(version: FlowVersion) -> int:
    """One e-mail per person (nobody sees who else was told); returns how many were sent."""
    recipients = deciders_to_tell(version)
    if not recipients:
        return 0
    subject, body = email_text(version)
    messages = [EmailMessage(subject=subject, body=body, to=[person.email]) for person in recipients]
    try:
        with get_connection() as connection:
            return int(connection.send_messages(messages) or 0)
    except Exception:  # SMTP refusals, timeouts, a wrong host: logged, the version still waits
        log.exception("approval e-mails for version %s of flow %s not sent", version.number, version.flow_id)
        return 0


def _send_chat(version: FlowVersion) -> bool:
    """Post `{"text": …}` (what Slack and Teams incoming webhooks accept) through the egress guard."""
    url = settings.APPROVAL_CHAT_WEBHOOK_URL
    if not url:
        return False
    try:
        egress.check_url(url)
        with httpx.Client(
            transport=egress.transport(), timeout=CHAT_TIMEOUT_SECONDS, follow_redirects=False
        ) as client:
            response = client.post(url, json={"text": chat_text(version)})
    except egress.EgressRefused as refused:
        log.warning("approval chat message not sent: %s", refused.message)
        return False
    except httpx.HTTPError as error:
        log.warning("approval chat message not sent: %s", error or type(error).__name__)
        return False
    if response.status_code >= 300:
        log.warning("approval chat message refused: the chat answered %s", response.status_code)
        return False
    return True


def version_submitted_notify(version_id: int) -> dict[str, Any]:
    """Tell the deciders of a version, once: a version already told (a redelivered message), decided
    meanwhile, or gone, tells nobody. Returns what was sent, for the log and the tests."""
    claimed = FlowVersion.objects.filter(
        pk=version_id, notified_at__isnull=True, state=VersionState.PENDING
    ).update(notified_at=timezone.now())
    if not claimed:
        return {"emails": 0, "chat": False}
    version = FlowVersion.objects.select_related("flow__team", "author").get(pk=version_id)
    sent = {"emails": _send_emails(version), "chat": _send_chat(version)}
    log.info(
        "version %s of flow %s: %s approval e-mail(s), chat %s",
        version.number,
        version.flow_id,
        sent["emails"],
        "sent" if sent["chat"] else "not sent",
    )
    return sent


# --- Approval steps inside runs (transform.approval) ---------------------------------------------


def approval_link(token: str) -> str:
    """The signed link's page: absolute with `PUBLIC_URL`, else the path alone."""
    return f"{settings.PUBLIC_URL}/approval/{token}"


def approval_email_text(task: Any, link: str) -> tuple[str, str]:
    body = [
        f"The flow “{task.flow.name}” waits for your decision: {task.title}",
        "",
        *([task.message, ""] if task.message else []),
        *(
            ["Data:", json.dumps(task.data, indent=2, ensure_ascii=False, default=str), ""]
            if task.data is not None
            else []
        ),
        f"Decide before {task.expires_at:%Y-%m-%d %H:%M} UTC; after that the flow goes on as expired.",
        "",
        f"Approve or reject: {link}",
        "",
        "The link is yours alone: whoever uses it decides in your name.",
    ]
    return f"Approval needed: {task.title}", "\n".join(body) + "\n"


def approval_task_notify(task_id: str) -> dict[str, Any]:
    """E-mail everyone who may decide the task a link of their own, once: a task already told (a
    redelivered message), decided meanwhile, or gone, tells nobody."""
    from flows.approvals import approval_deciders, approval_link_token
    from flows.models import ApprovalState, ApprovalTask

    claimed = ApprovalTask.objects.filter(
        pk=task_id, notified_at__isnull=True, state=ApprovalState.PENDING
    ).update(notified_at=timezone.now())
    if not claimed:
        return {"emails": 0}
    task = ApprovalTask.objects.select_related("flow").get(pk=task_id)
    messages = []
    for person in approval_deciders(task):
        subject, body = approval_email_text(task, approval_link(approval_link_token(task, person)))
        messages.append(EmailMessage(subject=subject, body=body, to=[person.email]))
    sent = 0
    if messages:
        try:
            with get_connection() as connection:
                sent = int(connection.send_messages(messages) or 0)
        except Exception:  # SMTP refusals, timeouts: logged; the task is in the inbox regardless
            log.exception("approval e-mails for task %s not sent", task_id)
    log.info("approval task %s: %s e-mail(s)", task_id, sent)
    return {"emails": sent}
