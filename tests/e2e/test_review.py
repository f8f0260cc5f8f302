"""An approver reviews a change in a real browser: a builder raises a filter's threshold and submits
it; the approver finds it in /approvals, sees both versions side by side with the changed node marked
and the sentence "… now checks total > 200 instead of total > 100", approves it with a comment, and
the new version is live."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import person
from tests.e2e.test_identity_screens import sign_in
from tests.support.browser import browser
from tests.support.processes import Stack

pytestmark = pytest.mark.e2e


def orders(threshold: int) -> dict[str, Any]:
    return {
        "schema": "switchboard.flow/v1",
        "name": "Big orders",
        "nodes": [
            {"id": "order", "type": "trigger.webhook", "config": {}, "position": {"x": 0, "y": 0}},
            {
                "id": "big",
                "type": "transform.filter",
                "config": {"condition": {">": [{"var": "trigger.body.total"}, threshold]}},
                "position": {"x": 300, "y": 0},
            },
            {
                "id": "shape",
                "type": "transform.map",
                "config": {"fields": {"total": {"var": "trigger.body.total"}}},
                "position": {"x": 600, "y": 0},
            },
        ],
        "edges": [{"source": "order", "target": "big"}, {"source": "big", "target": "shape"}],
    }


def local_person(stack: Stack, admin: httpx.Client, username: str, role: str, team: int) -> httpx.Client:
    """A person with a password and one role, in `team`, made through the people API; their API client."""
    made = admin.post(
        "/people",
        json={
            "username": username,
            "email": f"{username}@example.com",
            "password": f"{username}-password-1",
            "roles": [role],
        },
    )
    assert made.status_code == 201, made.text
    assert admin.post(f"/teams/{team}/members", json={"user": made.json()["id"]}).status_code in {200, 201}
    token = stack.manage("apitoken", username).strip().splitlines()[-1]
    return httpx.Client(
        base_url=stack.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_an_approver_reviews_the_side_by_side_diff_and_approves(stack: Stack) -> None:
    if stack.backend == "rabbitmq":
        pytest.skip("the browser journey is the same whichever broker carries the runs")
    root = person(stack, "root")
    made = root.post("/teams", json={"name": "Sales"})
    assert made.status_code == 201, made.text
    team = made.json()["id"]
    carol = local_person(stack, root, "carol", "builder", team)
    bob = local_person(stack, root, "bob", "approver", team)

    # given a live version 1 (filter > 100), and version 2 (filter > 200, the map moved) submitted by carol
    flow = carol.post("/flows", json={"name": "Big orders", "graph": orders(100), "team": team})
    assert flow.status_code == 201, flow.text
    flow_id = flow.json()["id"]
    assert carol.post(f"/flows/{flow_id}/versions", json={"note": "first"}).status_code == 201
    assert bob.post(f"/flows/{flow_id}/versions/1/approve", json={"comment": "ok"}).status_code == 200
    changed = orders(200)
    changed["nodes"][2]["position"] = {"x": 640, "y": 160}  # a move alone is no change to review
    assert carol.put(f"/flows/{flow_id}/draft", json={"graph": changed}).status_code == 200
    assert carol.post(f"/flows/{flow_id}/versions", json={"note": "only really big ones"}).status_code == 201

    with browser(f"review-{stack.backend}") as session:
        page = session.page
        # when bob opens his approvals inbox and the waiting version
        sign_in(page, stack, "bob", "bob-password-1")
        page.goto(stack.url + "/approvals")
        page.get_by_role("link", name=re.compile(r"Review Big orders version 2")).click()
        expect(page).to_have_url(re.compile(rf"/flows/{flow_id}/versions/2"))

        # then he sees both versions side by side, the changed filter marked on each, nothing else
        before = page.get_by_role("figure", name="Version 1, before")
        after = page.get_by_role("figure", name="Version 2, after")
        expect(before).to_be_visible()
        expect(after).to_be_visible()
        expect(page.get_by_role("note", name="Legend")).to_contain_text("Changed")
        expect(after.locator(".node-card.highlight-changed")).to_have_count(1)
        expect(before.locator(".node-card.highlight-changed")).to_have_count(1)
        expect(after.locator(".node-card.highlight-added")).to_have_count(0)
        # and the change in plain words
        changes = page.get_by_role("list", name="Changes")
        expect(changes).to_contain_text(re.compile(r"now checks total > 200 instead of total > 100"))
        expect(changes.get_by_role("listitem")).to_have_count(1)
        session.screenshot("side-by-side")

        # when he approves it with a comment
        page.get_by_label(re.compile("^Comment")).fill("Looks right: only orders over 200.")
        page.get_by_role("button", name="Approve", exact=True).click()

        # then version 2 is live, version 1 retired, and the comment recorded
        expect(page.get_by_text("Live", exact=True).first).to_be_visible()
        session.screenshot("approved")
    flow_now = carol.get(f"/flows/{flow_id}").json()
    assert flow_now["live_version"] == 2
    version = carol.get(f"/flows/{flow_id}/versions/2").json()
    assert version["state"] == "approved"
    assert version["decision_comment"] == "Looks right: only orders over 200."
    assert carol.get(f"/flows/{flow_id}/versions/1").json()["state"] == "retired"
