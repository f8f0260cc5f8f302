"""Single sign-on in a real browser against a real OpenID provider (the certified `oidc-provider`, on
loopback): a person signs in through the provider, gets the roles their groups map to (and never
superuser), loses a role when the provider drops the group, signs out through the provider's
end-session endpoint, and is refused once deactivated; password sign-in is off on this instance."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import person
from tests.support.browser import browser
from tests.support.oidc import OpenIdProvider, openid_provider
from tests.support.processes import Stack, free_port, switchboard

pytestmark = pytest.mark.e2e

ROLE_GROUPS = {"builder": ["builders"], "approver": ["approvers"], "viewer": ["everyone"]}
CAROL = {
    "sub": "00u-carol-7f3a",
    "username": "carol",
    "email": "carol@example.com",
    "email_verified": True,
    "name": "Carol Chen",
    # "admins" and "superusers" are just groups: no claim makes anyone a superuser.
    "groups": ["builders", "approvers", "admins", "superusers"],
}


@pytest.fixture
def sso(tmp_path: Path) -> Iterator[tuple[Stack, OpenIdProvider]]:
    op_port = free_port()
    env = {
        "OIDC_ISSUER": f"http://127.0.0.1:{op_port}",
        "OIDC_CLIENT_ID": "switchboard",
        "OIDC_CLIENT_SECRET": "switchboard-test-secret",
        "OIDC_NAME": "Acme ID",
        "OIDC_SCOPES": "openid profile email groups",
        "ROLE_GROUPS": json.dumps(ROLE_GROUPS),
        "PASSWORD_LOGIN": "false",
    }
    with (
        switchboard(tmp_path, env, workers=0) as stack,
        openid_provider(
            tmp_path,
            port=op_port,
            redirect_uris=[f"{stack.url}/complete/oidc/"],
            post_logout_redirect_uris=[f"{stack.url}/login/"],
            users=[CAROL],
        ) as op,
    ):
        yield stack, op


def keep_to_loopback(page: Page) -> list[str]:
    """Nothing the pages load may leave the machine: such requests are stopped, and listed."""
    stopped: list[str] = []

    def route(r: Route) -> None:
        if re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/", r.request.url):
            r.continue_()
        else:
            stopped.append(r.request.url)
            r.abort()

    page.context.route("**/*", route)
    return stopped


def sign_in_through_provider(page: Page, stack: Stack, username: str) -> None:
    page.goto(stack.url + "/")
    expect(page).to_have_url(f"{stack.url}/login/?next=/")
    page.get_by_role("button", name="Sign in with Acme ID", exact=True).click()
    expect(page.get_by_role("heading", name="Test provider: sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("any-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    consent = page.get_by_role("button", name="Allow", exact=True)
    flows = page.get_by_role("heading", name="Flows", exact=True)
    expect(consent.or_(flows)).to_be_visible()
    if consent.is_visible():
        consent.click()
    expect(flows).to_be_visible()
    expect(page).to_have_url(stack.url + "/")


def me(page: Page) -> tuple[int, Any]:
    answer = page.evaluate(
        """async () => {
            const r = await fetch('/api/v1/me', {headers: {Accept: 'application/json'}});
            return [r.status, r.ok ? await r.json() : null];
        }"""
    )
    return int(answer[0]), answer[1]


def shell(stack: Stack, code: str) -> Any:
    """Run Python in `manage.py shell` against the stack's database; what it printed last, as JSON."""
    return json.loads(stack.manage("shell", "-c", code).strip().splitlines()[-1])


def test_single_sign_on_journey(sso: tuple[Stack, OpenIdProvider]) -> None:
    stack, op = sso
    assert op.discovery()["end_session_endpoint"] == op.issuer + "/session/end"
    with browser("oidc") as session:
        page = session.page
        outside = keep_to_loopback(page)

        # the sign-in page offers the provider, labelled by OIDC_NAME, and no password form
        page.goto(stack.url + "/")
        expect(page.get_by_role("button", name="Sign in with Acme ID", exact=True)).to_be_visible()
        expect(page.get_by_label("Password")).to_have_count(0)
        session.screenshot("sign-in-page")

        # sign in at the provider, consent, land on the flows list
        sign_in_through_provider(page, stack, "carol")
        session.screenshot("signed-in")
        status, who = me(page)
        assert status == 200
        assert who["username"] == "carol"
        assert who["email"] == "carol@example.com"
        assert who["roles"] == ["approver", "builder"]  # a superuser would hold all four
        assert who["teams"] == ["admins", "approvers", "builders", "superusers"]
        assert shell(
            stack,
            "import json; from identity.models import User; u = User.objects.get(username='carol'); "
            "print(json.dumps([u.is_superuser, u.is_staff, u.display_name, u.has_usable_password()]))",
        ) == [False, False, "Carol Chen", False]

        # the provider drops groups; sign out (through its end-session page) and in again
        op.set_users([{**CAROL, "groups": ["builders"]}])
        page.get_by_role("button", name=re.compile("^Account of ")).click()
        page.get_by_role("button", name="Sign out", exact=True).click()
        expect(page).to_have_url(re.compile("^" + re.escape(op.issuer + "/session/end?")))
        assert "id_token_hint=" in page.url and "post_logout_redirect_uri=" in page.url
        session.screenshot("provider-sign-out")
        page.get_by_role("button", name="Yes, sign me out").click()
        expect(page).to_have_url(stack.url + "/login/")
        assert me(page)[0] in (401, 403)
        page.goto(stack.url + "/")
        expect(page).to_have_url(f"{stack.url}/login/?next=/")

        # the provider's session ended too: it asks for the login again
        sign_in_through_provider(page, stack, "carol")
        status, who = me(page)
        assert status == 200
        assert who["roles"] == ["builder"]
        assert who["teams"] == ["builders"]

        # deactivated (as SCIM does): the session ends at once, and sign-in is refused with a reason
        shell(
            stack,
            "from identity.models import User; from identity.services import user_deactivate; "
            "user_deactivate(user=User.objects.get(username='carol'), reason='left the company'); print(1)",
        )
        assert me(page)[0] in (401, 403)
        page.goto(stack.url + "/")
        expect(page).to_have_url(f"{stack.url}/login/?next=/")
        page.get_by_role("button", name="Sign in with Acme ID", exact=True).click()
        expect(page).to_have_url(re.compile("^" + re.escape(stack.url + "/login/")))
        expect(page.get_by_role("alert")).to_contain_text("has been deactivated")
        session.screenshot("refused")
        assert me(page)[0] in (401, 403)
        assert outside == []

    entries = shell(
        stack,
        "import json; from hub.models import AuditEntry; "
        "print(json.dumps([[e.action, e.detail.get('method'), e.detail.get('reason')] for e in "
        "AuditEntry.objects.filter(action__startswith='auth.').order_by('id')]))",
    )
    assert entries == [
        ["auth.signed_in", "oidc", None],
        ["auth.signed_out", "oidc", None],
        ["auth.signed_in", "oidc", None],
        ["auth.sign_in_refused", "oidc", "deactivated"],
    ]


def test_password_sign_in_is_refused_when_turned_off(sso: tuple[Stack, OpenIdProvider]) -> None:
    stack, _ = sso
    person(stack, "root")  # a superuser with a password: still no way in by password
    with httpx.Client(base_url=stack.url) as client:
        page = client.get("/login/")
        assert 'name="password"' not in page.text
        assert "Sign in with Acme ID" in page.text
        answer = client.post(
            "/login/",
            data={
                "username": "root",
                "password": "root-password-1",
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
                "next": "/",
            },
        )
        assert answer.status_code == 403
        assert "Password sign-in is turned off" in answer.text
        assert "sessionid" not in client.cookies
