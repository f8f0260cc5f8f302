"""Deprovisioning over SCIM takes effect at once: `active: false` (PATCH or PUT, Entra's "False"
included) or DELETE ends the person's browser sessions and revokes their API tokens before the
response is sent, and the audit log says so. A DELETE also makes them gone for SCIM, while the row
stays for the history, and frees their userName."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from hub.models import AuditEntry
from identity.services import apitoken_create
from tests.identity.conftest import Scim

User = get_user_model()


class SignedIn:
    """A provisioned person signed in both ways: a browser session and an API token."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.browser = Client()
        self.browser.force_login(user)  # people provisioned over SCIM sign in through single sign-on
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {apitoken_create(user=user, name='laptop')[1]}")

    def sessions(self) -> int:
        return sum(
            1 for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id")) == str(self.user.pk)
        )


@pytest.fixture
def signed_in(scim: Scim) -> Callable[[], tuple[str, SignedIn]]:
    def make() -> tuple[str, SignedIn]:
        scim_id = scim.create_user(
            "dora@example.com", emails=[{"value": "dora@example.com", "primary": True}]
        )["id"]
        person = SignedIn(User.objects.get(scim_id=scim_id))
        assert person.api.get("/api/v1/me").status_code == 200
        assert person.browser.get("/api/v1/me").status_code == 200
        assert person.sessions() == 1
        return scim_id, person

    return make


DEACTIVATIONS = {
    "okta-patch": lambda scim, i: scim.patch(
        f"/Users/{i}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    ),
    "entra-patch-text": lambda scim, i: scim.patch(
        f"/Users/{i}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    ),
    "put": lambda scim, i: scim.put(
        f"/Users/{i}",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "dora@example.com",
            "active": False,
        },
    ),
}


@pytest.mark.parametrize("how", DEACTIVATIONS)
def test_active_false_ends_sessions_and_tokens_at_once(
    scim: Scim, signed_in: Callable[[], tuple[str, SignedIn]], how: str
) -> None:
    # Given a provisioned person with a browser session and an API token
    scim_id, person = signed_in()

    # when the identity provider sets them inactive
    answer = DEACTIVATIONS[how](scim, scim_id)

    # then on the very next request the token is refused and the session is gone
    assert answer.status_code == 200, answer.content
    assert answer.json()["active"] is False
    assert person.api.get("/api/v1/me").status_code == 401
    assert person.browser.get("/api/v1/me").status_code in (401, 403)
    assert person.sessions() == 0
    person.user.refresh_from_db()
    assert not person.user.is_active and person.user.deactivated_at is not None

    # and the audit log holds the deactivation, with its reason and what it ended
    entry = AuditEntry.objects.get(action="user.deactivated", target_id=str(person.user.pk))
    assert entry.actor_name == "scim"
    assert (entry.detail["reason"], entry.detail["sessions_ended"], entry.detail["tokens_revoked"]) == (
        "scim",
        1,
        1,
    )


def test_delete_deprovisions_and_makes_the_person_gone_for_scim_only(
    scim: Scim, signed_in: Callable[[], tuple[str, SignedIn]]
) -> None:
    # Given a provisioned person with a browser session and an API token
    scim_id, person = signed_in()

    # when the identity provider deletes them
    answer = scim.delete(f"/Users/{scim_id}")

    # then their token and session stop working at once
    assert answer.status_code == 204 and answer.content == b""
    assert person.api.get("/api/v1/me").status_code == 401
    assert person.sessions() == 0

    # and for SCIM they are gone: 404, in no list, in no filter
    gone = scim.get(f"/Users/{scim_id}")
    assert gone.status_code == 404 and gone.json()["status"] == "404"
    assert scim_id not in [r["id"] for r in scim.get("/Users").json()["Resources"]]
    assert scim.get("/Users", filter='userName eq "dora@example.com"').json()["totalResults"] == 0
    assert scim.delete(f"/Users/{scim_id}").status_code == 404

    # while the row stays for the history, deactivated, under a name that frees theirs
    person.user.refresh_from_db()
    assert not person.user.is_active and person.user.scim_deleted_at is not None
    assert person.user.username == f"dora@example.com~deleted~{person.user.pk}"

    # and both steps are audited
    actions = set(AuditEntry.objects.filter(target_id=str(person.user.pk)).values_list("action", flat=True))
    assert {"user.deactivated", "scim.user_deleted"} <= actions
    deleted = AuditEntry.objects.get(action="scim.user_deleted")
    assert deleted.detail["username"] == "dora@example.com"

    # when the provider provisions the same userName again, then that is a new person
    again = scim.create_user("dora@example.com")
    assert again["id"] != scim_id and again["active"] is True


def test_a_deleted_person_leaves_the_groups_they_were_in(scim: Scim) -> None:
    # Given a person in a group
    ada = scim.create_user("ada@example.com")["id"]
    group = scim.create_group("Engineering", ada)["id"]

    # when the provider deletes them, then the group no longer lists them
    scim.delete(f"/Users/{ada}")
    assert "members" not in scim.get(f"/Groups/{group}").json()


def test_active_true_reactivates_but_old_tokens_stay_revoked(
    scim: Scim, signed_in: Callable[[], tuple[str, SignedIn]]
) -> None:
    # Given a person the provider deactivated
    scim_id, person = signed_in()
    DEACTIVATIONS["okta-patch"](scim, scim_id)

    # when it reactivates them
    answer = scim.patch(
        f"/Users/{scim_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": True}],
        },
    )

    # then they may sign in again, but tokens revoked at deactivation stay revoked
    assert answer.json()["active"] is True
    person.user.refresh_from_db()
    assert person.user.is_active
    assert person.api.get("/api/v1/me").status_code == 401
    assert AuditEntry.objects.filter(action="user.reactivated", target_id=str(person.user.pk)).exists()
