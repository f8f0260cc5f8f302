"""People over the API: who is signed in (/me), and what admins do to people — list, create, edit
roles, deactivate and reactivate — with what the identity provider owns kept read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from hub.models import AuditEntry
from identity.models import ApiToken, MembershipSource, Team
from identity.services import apitoken_create, membership_add
from tests.conftest import client_for

# Everyone but an admin: each role alone, and no role at all.
NON_ADMIN_ROLES = ["viewer", "builder", "approver", None]


User = get_user_model()


def fields_of(response: Any) -> list[str | None]:
    return [e["field"] for e in response.json().get("errors", [])]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# --- /me ------------------------------------------------------------------------------------------


def test_me_says_who_is_signed_in_and_what_this_request_may_do(bob: Any, bob_api: APIClient) -> None:
    # given bob, an approver in the default team, also in Sales
    sales = Team.objects.create(name="Sales")
    membership_add(user=bob, team=sales, source=MembershipSource.LOCAL)
    general = Team.objects.get(name="General")
    # when he asks who he is
    me = bob_api.get("/api/v1/me").json()
    # then the contract's fields are there, and what an approver may do
    assert me["username"] == "bob" and me["email"] == "bob@example.com"
    assert me["roles"] == ["approver"] and me["teams"] == ["General", "Sales"]
    assert me["id"] == bob.pk and me["display_name"] == ""
    assert me["teams_detail"] == [{"id": general.pk, "name": "General"}, {"id": sales.pk, "name": "Sales"}]
    assert me["scopes"] == ["flows:read", "runs:read", "versions:approve"]
    assert me["is_admin"] is False


def test_me_scopes_are_narrowed_by_the_token(alice: Any, api: APIClient) -> None:
    # given alice (a superuser) with a full token and one that may only read flows
    assert api.get("/api/v1/me").json()["is_admin"] is True
    narrow = APIClient()
    narrow.credentials(HTTP_AUTHORIZATION=f"Bearer {apitoken_create(user=alice, scopes=['flows:read'])[1]}")
    # when she asks through the narrow one
    me = narrow.get("/api/v1/me").json()
    # then the request may only read flows, and may not act as an admin
    assert me["scopes"] == ["flows:read"] and me["is_admin"] is False
    assert me["roles"] == ["viewer", "builder", "approver", "admin"]


def test_me_without_credentials_is_401() -> None:
    assert problem(APIClient().get("/api/v1/me"), 401)["title"] == "Not authenticated"


# --- who may manage people ------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_admins_manage_people(role: str | None, role_api: Callable[..., APIClient], bob: Any) -> None:
    # given someone who is not an admin
    client = role_api(role)
    # when they try each people operation
    answers = [
        client.get("/api/v1/people"),
        client.get(f"/api/v1/people/{bob.pk}"),
        client.post("/api/v1/people", {"username": "x", "email": "x@example.com"}, format="json"),
        client.patch(f"/api/v1/people/{bob.pk}", {"roles": ["admin"]}, format="json"),
        client.post(f"/api/v1/people/{bob.pk}/deactivate"),
        client.post(f"/api/v1/people/{bob.pk}/reactivate"),
    ]
    # then every one is refused, and nothing changed
    for answer in answers:
        assert "`admin`" in problem(answer, 403)["detail"]
    bob.refresh_from_db()
    assert bob.is_active and not User.objects.filter(username="x").exists()


def test_an_admin_by_role_manages_people(admin_api: APIClient, bob: Any) -> None:
    assert admin_api.get("/api/v1/people").status_code == 200
    assert admin_api.get(f"/api/v1/people/{bob.pk}").json()["username"] == "bob"


def test_an_admin_token_without_the_admin_scope_cannot(alice: Any) -> None:
    # given alice's token limited to reading flows
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {apitoken_create(user=alice, scopes=['flows:read'])[1]}")
    # then people are out of its reach
    assert "this token" in problem(client.get("/api/v1/people"), 403)["detail"]


# --- reading --------------------------------------------------------------------------------------


def test_a_person_shows_effective_and_direct_roles_and_teams(
    api: APIClient, make_person: Callable[..., Any], settings: Any
) -> None:
    # given Ops gives the builder role, and hana is a viewer directly and in Ops through SCIM
    settings.ROLE_GROUPS = {"builder": ["Ops"]}
    ops = Team.objects.create(name="Ops", scim_managed=True)
    hana = make_person("hana", "viewer", display_name="Hana Hale")
    membership_add(user=hana, team=ops, source=MembershipSource.SCIM)
    # when an admin reads her
    person = api.get(f"/api/v1/people/{hana.pk}").json()
    # then every field of the shape is there
    assert person == {
        "id": hana.pk,
        "username": "hana",
        "email": "hana@example.com",
        "display_name": "Hana Hale",
        "active": True,
        "roles": ["builder", "viewer"],
        "direct_roles": ["viewer"],
        "teams": [{"id": ops.pk, "name": "Ops", "source": "scim"}],
        "scim_managed": False,
        "is_service_account": False,
        "last_login": None,
        "date_joined": person["date_joined"],
        "deactivated_at": None,
    }


def test_people_are_searched_and_filtered(api: APIClient, make_person: Callable[..., Any]) -> None:
    # given an active person, a deactivated one and a service account
    make_person("hana", display_name="Hana Hale")
    make_person("dan", email="dan@shop.example", is_active=False)
    User.objects.create(username="ci-bot", is_service_account=True)

    def usernames(query: str) -> list[str]:
        return [p["username"] for p in api.get(f"/api/v1/people{query}").json()["results"]]

    # then each filter narrows the list
    assert usernames("?q=hale") == ["hana"]
    assert usernames("?q=shop.example") == ["dan"]
    assert usernames("?active=false") == ["dan"]
    assert usernames("?service_account=true") == ["ci-bot"]
    assert "ci-bot" not in usernames("?service_account=false")
    assert usernames("") == ["alice", "ci-bot", "dan", "hana"]
    # and a filter that is not true or false is named
    assert fields_of(api.get("/api/v1/people?active=maybe")) == ["active"]


def test_people_are_paginated_by_cursor(api: APIClient, make_person: Callable[..., Any]) -> None:
    for name in ("hana", "dan", "fay"):
        make_person(name)
    first = api.get("/api/v1/people?limit=2").json()
    assert [p["username"] for p in first["results"]] == ["alice", "dan"]
    second = api.get(first["next"]).json()
    assert [p["username"] for p in second["results"]] == ["fay", "hana"] and second["next"] is None


def test_an_unknown_person_is_404(api: APIClient) -> None:
    assert problem(api.get("/api/v1/people/99999"), 404)
    assert problem(api.get(f"/api/v1/people/{2**70}"), 404)
    assert problem(api.post("/api/v1/people/99999/deactivate"), 404)


# --- creating -------------------------------------------------------------------------------------


def test_an_admin_creates_a_local_person_who_signs_in_with_the_password(alice: Any, api: APIClient) -> None:
    # when alice creates hana with a password and a role
    answer = api.post(
        "/api/v1/people",
        {
            "username": "hana",
            "email": "hana@example.com",
            "display_name": "Hana Hale",
            "password": "a-long-passphrase",
            "roles": ["builder"],
        },
        format="json",
    )
    # then hana exists as a local person holding the role, and can sign in
    assert answer.status_code == 201, answer.content
    hana = answer.json()
    assert hana["username"] == "hana" and hana["roles"] == ["builder"] and hana["scim_managed"] is False
    assert "password" not in hana
    assert APIClient().login(username="hana", password="a-long-passphrase")
    # and the audit log says who made her, without the password
    created = AuditEntry.objects.get(action="user.created")
    assert created.actor_name == "alice" and "a-long-passphrase" not in str(created.detail)
    assert AuditEntry.objects.filter(action="role.granted", target_id=str(hana["id"])).exists()


def test_a_person_without_a_password_cannot_sign_in_with_one(api: APIClient) -> None:
    answer = api.post("/api/v1/people", {"username": "hana", "email": "hana@example.com"}, format="json")
    assert answer.status_code == 201
    assert not User.objects.get(username="hana").has_usable_password()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "ALICE", "email": "new@example.com"}, "username"),
        ({"username": "hana", "email": "Alice@Example.com"}, "email"),
        ({"username": "hana", "email": "not-an-address"}, "email"),
        ({"username": "hana smith", "email": "hana@example.com"}, "username"),
        ({"email": "hana@example.com"}, "username"),
        ({"username": "hana"}, "email"),
        ({"username": "hana", "email": "hana@example.com", "password": "short"}, "password"),
        ({"username": "hana", "email": "hana@example.com", "roles": ["overlord"]}, "roles"),
        ({"username": "hana", "email": "hana@example.com", "is_superuser": True}, "is_superuser"),
    ],
)
def test_creating_names_the_field_that_is_wrong(api: APIClient, body: dict[str, Any], field: str) -> None:
    body_ = problem(api.post("/api/v1/people", body, format="json"), 400)
    assert field in [e["field"] for e in body_["errors"]]
    assert not User.objects.filter(username="hana").exists()


# --- editing --------------------------------------------------------------------------------------


def test_roles_set_the_direct_roles_and_are_audited(alice: Any, api: APIClient, bob: Any) -> None:
    # when alice makes bob (an approver) a builder instead
    answer = api.patch(f"/api/v1/people/{bob.pk}", {"roles": ["builder"]}, format="json")
    # then his direct roles are exactly that, and each change is in the audit log
    assert answer.status_code == 200, answer.content
    assert answer.json()["direct_roles"] == ["builder"] and answer.json()["roles"] == ["builder"]
    actions = {
        (e.action, e.detail["role"], e.actor_name) for e in AuditEntry.objects.filter(target_id=str(bob.pk))
    }
    assert {("role.granted", "builder", "alice"), ("role.revoked", "approver", "alice")} <= actions


def test_display_name_and_email_change_for_a_local_person(api: APIClient, bob: Any) -> None:
    answer = api.patch(
        f"/api/v1/people/{bob.pk}", {"display_name": "Bob B", "email": "bob@new.example"}, format="json"
    )
    assert answer.status_code == 200
    assert (answer.json()["display_name"], answer.json()["email"]) == ("Bob B", "bob@new.example")
    assert AuditEntry.objects.get(action="user.updated").detail["email"] == "bob@new.example"


def test_an_email_already_someone_elses_is_refused(api: APIClient, bob: Any) -> None:
    answer = api.patch(f"/api/v1/people/{bob.pk}", {"email": "alice@example.com"}, format="json")
    assert fields_of(answer) == ["email"] and answer.status_code == 400


def test_nobody_changes_their_own_roles(admin_person: Any, admin_api: APIClient) -> None:
    # when erin (an admin) tries to change her own roles
    answer = admin_api.patch(f"/api/v1/people/{admin_person.pk}", {"roles": ["builder"]}, format="json")
    # then it is a conflict naming roles, and she still holds hers
    assert problem(answer, 409)["errors"][0]["field"] == "roles"
    assert admin_api.get("/api/v1/me").json()["roles"] == ["admin"]
    # but sending her roles back unchanged (a form saving the whole record) is fine
    same = admin_api.patch(
        f"/api/v1/people/{admin_person.pk}", {"roles": ["admin"], "display_name": "Erin"}, format="json"
    )
    assert same.status_code == 200 and same.json()["display_name"] == "Erin"


def test_the_superuser_flag_is_never_set_through_the_api(api: APIClient, bob: Any) -> None:
    answer = api.patch(f"/api/v1/people/{bob.pk}", {"is_superuser": True, "is_staff": True}, format="json")
    assert problem(answer, 400)["errors"][0]["field"] in {"is_superuser", "is_staff"}
    bob.refresh_from_db()
    assert not bob.is_superuser and not bob.is_staff


def test_an_admin_by_role_may_not_change_a_superuser(admin_api: APIClient, alice: Any) -> None:
    assert problem(admin_api.post(f"/api/v1/people/{alice.pk}/deactivate"), 403)
    assert problem(admin_api.patch(f"/api/v1/people/{alice.pk}", {"display_name": "A"}, format="json"), 403)
    alice.refresh_from_db()
    assert alice.is_active and alice.display_name == ""


def test_what_the_identity_provider_owns_is_read_only(
    api: APIClient, make_person: Callable[..., Any]
) -> None:
    # given dora, provisioned by SCIM
    dora = make_person("dora", "viewer", scim_managed=True, display_name="Dora D")
    # when an admin changes her name and e-mail
    answer = api.patch(
        f"/api/v1/people/{dora.pk}", {"display_name": "Dora X", "email": "x@example.com"}, format="json"
    )
    # then it is a conflict naming both fields, and nothing changed
    body = problem(answer, 409)
    assert "identity provider" in body["detail"]
    assert sorted(fields_of(answer)) == ["display_name", "email"]
    dora.refresh_from_db()
    assert (dora.display_name, dora.email) == ("Dora D", "dora@example.com")
    # but her roles in Switchboard are Switchboard's to set, even with her unchanged name sent along
    answer = api.patch(
        f"/api/v1/people/{dora.pk}", {"display_name": "Dora D", "roles": ["builder"]}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["direct_roles"] == ["builder"]


# --- deactivating ---------------------------------------------------------------------------------


def test_deactivating_ends_sessions_and_tokens_at_once(api: APIClient, bob: Any, bob_api: APIClient) -> None:
    # given bob signed in in a browser and holding a token
    browser = APIClient()
    assert browser.login(username="bob", password="bob-password-1")
    assert browser.get("/api/v1/me").status_code == 200 and bob_api.get("/api/v1/me").status_code == 200
    # when an admin deactivates him
    answer = api.post(f"/api/v1/people/{bob.pk}/deactivate")
    # then he is inactive, holds no role, and neither his session nor his token works
    assert answer.status_code == 200
    assert answer.json()["active"] is False and answer.json()["deactivated_at"] is not None
    assert answer.json()["roles"] == [] and answer.json()["direct_roles"] == ["approver"]
    assert bob_api.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code in {401, 403}
    assert not ApiToken.objects.filter(user=bob, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.get(action="user.deactivated").detail["tokens_revoked"] == 1
    # and doing it again changes nothing
    assert api.post(f"/api/v1/people/{bob.pk}/deactivate").status_code == 200
    assert AuditEntry.objects.filter(action="user.deactivated").count() == 1


def test_reactivating_lets_a_person_sign_in_but_not_with_old_tokens(
    api: APIClient, bob: Any, bob_api: APIClient
) -> None:
    api.post(f"/api/v1/people/{bob.pk}/deactivate")
    answer = api.post(f"/api/v1/people/{bob.pk}/reactivate")
    assert answer.status_code == 200 and answer.json()["active"] is True
    assert answer.json()["roles"] == ["approver"]
    assert APIClient().login(username="bob", password="bob-password-1")
    assert bob_api.get("/api/v1/me").status_code == 401


def test_nobody_deactivates_themselves(alice: Any, api: APIClient) -> None:
    assert "themselves" in problem(api.post(f"/api/v1/people/{alice.pk}/deactivate"), 409)["detail"]
    alice.refresh_from_db()
    assert alice.is_active


def test_a_scim_managed_person_may_be_deactivated_but_only_the_provider_reactivates(
    api: APIClient, make_person: Callable[..., Any]
) -> None:
    # given dora, provisioned by SCIM, holding a token
    dora = make_person("dora", "builder", scim_managed=True)
    dora_api = client_for(dora)
    # when an admin deactivates her (break-glass)
    assert api.post(f"/api/v1/people/{dora.pk}/deactivate").status_code == 200
    # then her token stops at once
    assert dora_api.get("/api/v1/me").status_code == 401
    # and reactivating her is the identity provider's decision
    body = problem(api.post(f"/api/v1/people/{dora.pk}/reactivate"), 409)
    assert "managed by your identity provider through SCIM" in body["detail"]
    dora.refresh_from_db()
    assert not dora.is_active
