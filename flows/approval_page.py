"""`/approval/<token>`: the page an approval e-mail links to. The signed token names the task and the
person it was sent to, and expires with the task. A GET only shows the task (mail scanners fetch
links, so a GET must never decide); the form's POST decides, in that person's name."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from flows.approvals import approval_decide, approval_link_read, approval_may_decide
from flows.models import ApprovalState
from hub.problems import Problem
from identity.selectors import is_admin


@require_http_methods(["GET", "POST"])
def approval_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        task, person = approval_link_read(token)
    except Problem as refused:
        return render(request, "flows/approval.html", {"refused": refused.detail}, status=refused.status)
    admin = is_admin(person)
    status, notice, problem = 200, "", ""
    if request.method == "POST":
        try:
            task = approval_decide(
                task_id=task.pk,
                user=person,
                decision=request.POST.get("decision", ""),
                comment=request.POST.get("comment", "").strip()[:4000],
                admin=admin,
                via="link",
            )
            notice = "Thank you: your decision is recorded, and the flow goes on."
        except Problem as error:
            status, problem = error.status, error.detail
            task.refresh_from_db()
    elif not approval_may_decide(task, person, admin=admin):
        status, problem = 403, "This approval is no longer yours to decide."
    context = {
        "task": task,
        "person": person,
        "data": None if task.data is None else json.dumps(task.data, indent=2, ensure_ascii=False),
        "pending": task.state == ApprovalState.PENDING and not problem,
        "notice": notice,
        "refused": problem,
    }
    return render(request, "flows/approval.html", context, status=status)
