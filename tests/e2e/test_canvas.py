"""A person builds a flow in a real browser: drags it together, configures it through the forms,
tests it and watches each step succeed live, then submits it for approval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import person
from tests.support.browser import browser
from tests.support.processes import Stack
from tests.support.sink import HttpSink

pytestmark = pytest.mark.e2e


def sign_in(page: Page, stack: Stack, username: str) -> None:
    page.goto(stack.url + "/")
    expect(page).to_have_url(f"{stack.url}/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(f"{username}-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Flows", exact=True)).to_be_visible()


def drop_on_canvas(page: Page, title: str, x: int, y: int) -> None:
    """Drag a node type from the palette onto the canvas, as a person does with the mouse."""
    page.get_by_role("button", name=f"Add {title}").drag_to(
        page.get_by_role("region", name="Flow canvas"), target_position={"x": x, "y": y}
    )


def connect(page: Page, source: str, target: str) -> None:
    page.get_by_label(f"Output of {source}").drag_to(page.get_by_label(f"Input of {target}"))


def open_settings(page: Page, node_id: str) -> Locator:
    page.locator(".react-flow__node", has=page.locator(f"code:text-is('{node_id}')")).click()
    panel = page.get_by_role("region", name=f"Settings of {node_id}")
    expect(panel).to_be_visible()
    return panel


def test_build_test_and_submit_a_flow_in_the_browser(stack: Stack, tmp_path: Path) -> None:
    if stack.backend == "rabbitmq":
        pytest.skip("the browser journey is the same whichever broker carries the runs")
    person(stack, "alice")
    with HttpSink() as sink, browser(f"canvas-{stack.backend}") as session:
        page = session.page
        sign_in(page, stack, "alice")
        session.screenshot("flows-list")

        # build: webhook → filter → map → HTTP, dragged from the palette and wired port to port
        page.get_by_role("link", name="New flow").click()
        page.get_by_label("Flow name").fill("Big orders to the CRM")
        for title, x, y in (
            ("Webhook", 40, 60),
            ("Filter", 380, 60),
            ("Map", 40, 300),
            ("HTTP request", 380, 300),
        ):
            drop_on_canvas(page, title, x, y)
        expect(page.locator(".react-flow__node")).to_have_count(4)
        page.get_by_role("button", name="Close panel").click()
        page.get_by_role("button", name="Auto layout").click()  # lays them out and brings all into view
        page.wait_for_timeout(600)  # the view glides into place for 250 ms; ports must not move mid-drag
        for source, target in (("webhook", "filter"), ("filter", "map"), ("map", "http")):
            connect(page, source, target)
        expect(page.locator(".react-flow__edge")).to_have_count(3)
        page.get_by_role("button", name="Auto layout").click()
        session.screenshot("wired")

        # configure each node through its form
        panel = open_settings(page, "filter")
        panel.get_by_role("button", name="Add rule").click()
        panel.get_by_label("Field").fill("trigger.body.total")
        panel.get_by_label("Operator").select_option(">")
        panel.get_by_label("Value").fill("100")

        panel = open_settings(page, "map")
        for index, (name, value) in enumerate(
            (("email", "{{ trigger.body.customer.email }}"), ("total", "{{ trigger.body.total }}")), start=1
        ):
            panel.get_by_role("button", name="Add field").click()
            panel.get_by_label(f"Fields name {index}").fill(name)
            panel.get_by_label(f"Fields value {name}").fill(value)

        panel = open_settings(page, "http")
        panel.get_by_label("Method").select_option("POST")
        panel.get_by_label("URL", exact=True).fill(sink.url("/leads"))
        panel.get_by_role("radio", name="JSON").first.click()
        panel.get_by_label("JSON body", exact=True).fill('{"var": "steps.map"}')
        expect(page.get_by_text("No problems")).to_be_visible()
        session.screenshot("configured")

        # save, then test with sample data and watch every step succeed live
        page.keyboard.press("Control+s")
        expect(page.get_by_text("Saved", exact=True)).to_be_visible()
        page.get_by_role("button", name="Test flow").click()
        sample = {
            "body": {"total": 150, "customer": {"email": "big@example.com"}},
            "headers": {},
            "query": {},
            "method": "POST",
        }
        page.get_by_label("Sample data (JSON)").fill(json.dumps(sample))
        page.get_by_role("button", name="Run test").click()
        for node_id in ("webhook", "filter", "map", "http"):
            card = page.locator(".react-flow__node", has=page.locator(f"code:text-is('{node_id}')"))
            expect(card.get_by_text("Succeeded")).to_be_visible(timeout=20_000)
        session.screenshot("tested")
        assert [r.json() for r in sink.requests] == [{"email": "big@example.com", "total": 150}]

        # a click on a step shows what went in and came out
        open_settings(page, "map").get_by_role("tab", name="Test run data").click()
        expect(page.get_by_text("big@example.com").first).to_be_visible()
        session.screenshot("step-data")

        # submit the draft for approval with a note
        page.get_by_role("button", name="Submit for approval").click()
        page.get_by_label("Note").fill("First version: big orders only")
        page.get_by_role("button", name="Submit", exact=True).click()
        page.get_by_role("button", name="Versions").first.click()
        expect(page.get_by_role("link", name="Version 1, pending")).to_contain_text("Waiting for approval")
        session.screenshot("submitted")

        # export the flow as its document, and import it back as a new flow from the list
        with page.expect_download() as download:
            page.get_by_role("button", name="Export flow").click()
        exported = tmp_path / download.value.suggested_filename
        download.value.save_as(exported)
        assert json.loads(exported.read_text())["schema"] == "switchboard.flow/v1"
        page.get_by_role("link", name="Flows", exact=True).click()
        page.get_by_label("Flow document to import").set_input_files(exported)
        expect(page.get_by_label("Flow name")).to_have_value("Big orders to the CRM")
        expect(page.locator(".react-flow__node")).to_have_count(4)

        # the runs list shows the test run; its page shows every step on the canvas
        page.get_by_role("link", name="Runs", exact=True).click()
        page.get_by_role("row").filter(has_text="Big orders to the CRM").first.click()
        expect(page.get_by_role("button", name="Replay from start")).to_be_visible()
        expect(page.locator(".react-flow__node")).to_have_count(4)
        session.screenshot("run-page")
        assert session.console_errors == []
