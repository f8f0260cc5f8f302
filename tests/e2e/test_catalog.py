"""The node catalog in a real browser: someone opens it from the main navigation, searches, finds a
node type with its config fields and example config, copies the example, and shares a link that
opens the catalog at that node type with the search kept."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import person
from tests.support.browser import browser
from tests.support.processes import Stack

pytestmark = pytest.mark.e2e


def sign_in(page: Page, stack: Stack, username: str) -> None:
    page.goto(stack.url + "/")
    expect(page).to_have_url(f"{stack.url}/login/?next=/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(f"{username}-password-1")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Flows", exact=True)).to_be_visible()


def test_search_the_node_catalog_and_copy_an_example(stack: Stack) -> None:
    if stack.backend == "rabbitmq":
        pytest.skip("the catalog reads node types; no run goes through the broker")
    api = person(stack, "cara")
    node_types = {t["type"]: t for t in api.get("/node-types").json()}
    http = node_types["action.http"]
    assert http["example"], "action.http declares an example config for the catalog"

    with browser(f"catalog-{stack.backend}") as session:
        page = session.page
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
        sign_in(page, stack, "cara")

        # every node type, grouped
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
        expect(page.get_by_role("heading", name="Node catalog", exact=True)).to_be_visible()
        expect(page.get_by_role("region", name="Triggers")).to_be_visible()
        expect(page.get_by_role("article")).to_have_count(len(node_types))

        # a search narrows it, and stays in the address
        page.get_by_role("searchbox", name="Search node types").fill("http request")
        expect(page).to_have_url(re.compile(r"/catalog\?q=http\+request$"))
        entry = page.get_by_role("article", name=re.compile(r"action\.http"))
        expect(entry).to_be_visible()
        expect(page.get_by_role("article", name=re.compile(r"trigger\.schedule"))).to_have_count(0)

        # its config fields and its example, copied as the JSON it shows
        fields = entry.get_by_role("table", name="Config of action.http")
        expect(fields.get_by_role("row", name=re.compile(r"^url\b"))).to_contain_text("required")
        example = entry.get_by_label("Example config", exact=True)
        expect(example).to_have_text(json.dumps(http["example"], indent=2, ensure_ascii=False))
        session.screenshot("search")
        entry.get_by_role("button", name="Copy Example config").click()
        assert json.loads(page.evaluate("navigator.clipboard.readText()")) == http["example"]

        # a shared link opens the catalog at that node type, with the search kept
        page.goto(f"{stack.url}/catalog?q=http#action.http")
        target = page.get_by_role("article", name=re.compile(r"action\.http"))
        expect(target).to_have_class(re.compile(r"\bis-target\b"))
        expect(target).to_be_in_viewport()
        expect(page.get_by_role("searchbox", name="Search node types")).to_have_value("http")
        session.screenshot("deep-link")
        assert not session.console_errors, session.console_errors
