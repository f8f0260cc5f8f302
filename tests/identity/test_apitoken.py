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
