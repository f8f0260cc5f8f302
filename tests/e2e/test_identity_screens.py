"""The identity screens in a real browser: an admin makes a team and a local person, gives them a role
and a team, makes an API token (seen once, copied), revokes it; the person then signs in as a viewer and
sees the flows list without "New flow", and a flow's canvas read-only."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import person
from tests.support.browser import browser
from tests.support.processes import Stack

pytestmark = pytest.mark.e2e

VIEWER_PASSWORD = "Ledger-lantern-2024!"


def sign_in(page: Page, stack: Stack, username: str, password: str) -> None:
    page.goto(stack.url + "/")
    expect(page).to_have_url(f"{stack.url}/login/?next=/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Flows", exact=True)).to_be_visible()


def dismiss_toasts(page: Page) -> None:
    """Clear the corner notices so that a screenshot shows the page."""
    dismiss = page.locator(".toasts").get_by_role("button", name="Dismiss")
    while dismiss.count():
        dismiss.first.click()


def me_with_token(stack: Stack, token: str) -> httpx.Response:
    return httpx.get(stack.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def settings_tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Settings").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_an_admin_manages_people_teams_and_tokens_and_a_viewer_only_looks(stack: Stack) -> None:
    if stack.backend == "rabbitmq":
        pytest.skip("the browser journey is the same whichever broker carries the runs")
    api = person(stack, "root")  # a superuser: every role
    with browser(f"identity-{stack.backend}") as session:
        page = session.page
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
        sign_in(page, stack, "root", "root-password-1")

        # a local team
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
        expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
        settings_tab(page, "Teams")
        page.get_by_role("button", name="New team").click()
        page.get_by_label("Team name").fill("Field sales")
        page.get_by_role("button", name="Make team").click()
        team_panel = page.get_by_role("region", name="Team Field sales")
        expect(team_panel).to_contain_text("No role: members hold only the roles given to them")

        # a local person, given the viewer role
        settings_tab(page, "People")
        page.get_by_role("button", name="Add person").click()
        form = page.get_by_role("form", name="Add a person")
        form.get_by_label("Username", exact=True).fill("vera")
        form.get_by_label("E-mail", exact=True).fill("vera@example.com")
        form.get_by_label("Name (optional)", exact=True).fill("Vera Viewer")
        form.get_by_label("Password (optional)", exact=True).fill(VIEWER_PASSWORD)
        form.get_by_role("button", name="Add person").click()
        panel = page.get_by_role("region", name="Person vera")
        expect(panel).to_contain_text("No role yet")
        roles = panel.get_by_role("group", name="Roles given here")
        roles.get_by_role("checkbox", name=re.compile("^Viewer")).check()
        panel.get_by_role("button", name="Save roles").click()
        expect(panel.locator(".effective-roles")).to_contain_text("Viewer")
        expect(page.get_by_role("row", name=re.compile("Vera Viewer"))).to_contain_text("Viewer")

        # …and put in the team
        settings_tab(page, "Teams")
        page.get_by_role("link", name="Field sales").click()
        team_panel = page.get_by_role("region", name="Team Field sales")
        team_panel.get_by_label("Add a member").fill("vera")
        team_panel.get_by_role("button", name="Add vera to Field sales").click()
        expect(team_panel.get_by_role("list", name="Members of Field sales")).to_contain_text("Vera Viewer")
        expect(team_panel.get_by_role("list", name="Members of Field sales")).to_contain_text("Added here")
        dismiss_toasts(page)
        session.screenshot("team")

        settings_tab(page, "People")
        page.get_by_role("link", name="Vera Viewer").click()
        expect(page.get_by_role("region", name="Person vera")).to_contain_text("Field sales")
        dismiss_toasts(page)
        session.screenshot("people")

        # an API token: shown once, copied, working; then revoked
        settings_tab(page, "API tokens")
        page.get_by_role("button", name="New token").click()
        token_form = page.get_by_role("form", name="New API token")
        token_form.get_by_label("Name", exact=True).fill("Nightly export")
        token_form.get_by_role("checkbox", name=re.compile("flows:write")).check()
        session.screenshot("token-form")
        token_form.get_by_role("button", name="Make token").click()
        reveal = page.get_by_role("dialog", name="Your new token")
        expect(reveal).to_contain_text("shown only this once")
        token = reveal.get_by_label("API token").input_value()
        assert token.startswith("sb_")
        reveal.get_by_role("button", name="Copy token").click()
        expect(reveal.get_by_role("button", name="Copy token")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == token
        dismiss_toasts(page)
        session.screenshot("token-shown-once")
        me = me_with_token(stack, token)
        assert me.status_code == 200, me.text
        assert me.json()["username"] == "root"
        assert sorted(me.json()["scopes"]) == ["flows:read", "flows:write", "runs:read"]
        reveal.get_by_role("button", name="Done").click()
        expect(page.get_by_text(token)).to_have_count(0)

        row = page.get_by_role("row", name=re.compile("Nightly export"))
        expect(row).to_contain_text(token[:10])
        expect(row).to_contain_text("Active")
        row.get_by_role("button", name="Revoke Nightly export").click()
        confirm = page.get_by_role("dialog", name="Revoke Nightly export?")
        confirm.get_by_role("button", name="Revoke token").click()
        expect(row).to_contain_text("Revoked")
        expect(row.get_by_role("button", name=re.compile("Revoke"))).to_have_count(0)
        dismiss_toasts(page)
        session.screenshot("tokens")
        assert me_with_token(stack, token).status_code == 401

        # a flow in Vera's team, made over the API
        teams = api.get("/teams").json()["results"]
        field_sales = next(team["id"] for team in teams if team["name"] == "Field sales")
        made = api.post(
            "/flows",
            json={
                "name": "Leads to the CRM",
                "team": field_sales,
                "graph": {
                    "schema": "switchboard.flow/v1",
                    "nodes": [{"id": "hook", "type": "trigger.webhook", "config": {}}],
                    "edges": [],
                },
            },
        )
        assert made.status_code == 201, made.text

        # sign out through the user menu
        page.get_by_role("button", name="Account of root").click()
        page.get_by_role("region", name="Signed in as").get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/login/"))

        # the viewer sees the flows list, the team's flow, and no way to make or change flows
        sign_in(page, stack, "vera", VIEWER_PASSWORD)
        flow_row = page.get_by_role("row", name=re.compile("Leads to the CRM"))
        expect(flow_row).to_contain_text("Field sales")
        expect(page.get_by_role("link", name="New flow")).to_have_count(0)
        expect(page.get_by_role("button", name="Import flow")).to_have_count(0)
        session.screenshot("viewer-flows")
        page.get_by_role("link", name="Leads to the CRM").click()
        expect(page.get_by_text("View only")).to_be_visible()
        expect(page.get_by_role("button", name="Submit for approval")).to_have_count(0)
        expect(page.get_by_label("Node palette")).to_have_count(0)
        session.screenshot("viewer-canvas")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
        expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
        expect(page.get_by_role("navigation", name="Settings").get_by_role("link")).to_have_count(1)
        assert session.console_errors == []
