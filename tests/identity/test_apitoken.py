"""`manage.py apitoken USERNAME` prints a working bearer token on its last line."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from identity.models import ApiToken


def test_apitoken_prints_a_token_that_signs_in(alice: Any) -> None:
    out = StringIO()
    call_command("apitoken", "alice", stdout=out, stderr=StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/me").json()["username"] == "alice"
    stored = ApiToken.objects.get(user=alice)
    assert token not in (stored.digest, stored.prefix) and stored.last_used_at is not None


@pytest.mark.django_db
def test_apitoken_for_nobody_is_an_error() -> None:
    with pytest.raises(CommandError, match="No user named"):
        call_command("apitoken", "nobody", stdout=StringIO(), stderr=StringIO())


def test_grantrole_gives_and_takes_roles(alice: Any, bob: Any) -> None:
    call_command("grantrole", "bob", "builder", stdout=StringIO())
    from identity.selectors import user_roles

    assert user_roles(bob) == ["approver", "builder"]
    call_command("grantrole", "bob", "approver", "--revoke", stdout=StringIO())
    assert user_roles(bob) == ["builder"]


def run_apitoken(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("apitoken", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines()[-1], err.getvalue()


def test_apitoken_limits_scopes_and_lifetime(alice: Any) -> None:
    # when a token is made that may only read runs, for a week
    token, _ = run_apitoken("alice", "--scope", "runs:read", "--days", "7", "--name", "reports")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # then the API lists it as such, made on the command line (by nobody signed in)
    listed = client.get("/api/v1/tokens").json()["results"]
    assert [(t["name"], t["scopes"], t["created_by"]) for t in listed] == [("reports", ["runs:read"], None)]
    assert listed[0]["expires_at"] is not None
    assert client.get("/api/v1/me").json()["scopes"] == ["runs:read"]
    assert client.get("/api/v1/people").status_code == 403


def test_apitoken_says_when_the_roles_do_not_reach_a_scope(bob: Any) -> None:
    token, err = run_apitoken("bob", "--scope", "flows:write")
    assert "do not give flows:write" in err and token.startswith("sb_")


def test_apitoken_for_a_deactivated_person_is_an_error(bob: Any) -> None:
    bob.is_active = False
    bob.save()
    with pytest.raises(CommandError, match="deactivated"):
        run_apitoken("bob")


def test_apitoken_refuses_a_scim_scope(alice: Any) -> None:
    with pytest.raises(CommandError):
        run_apitoken("alice", "--scope", "scim")
