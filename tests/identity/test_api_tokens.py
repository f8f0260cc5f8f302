"""API tokens and service accounts over the API: a token is shown once and only its digest is kept;
it never gives more than its owner's roles (nor more than the token that asked for it); revoked,
expired and deactivated owners' tokens stop at once; admins run service accounts and their tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from hub.models import AuditEntry
from identity.models import ApiToken
from identity.services import apitoken_create, role_grant

User = get_user_model()

# Everyone but an admin: each role alone, and no role at all.
NON_ADMIN_ROLES = ["viewer", "builder", "approver", None]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def fields_of(response: Any, status: int = 400) -> list[str | None]:
    return [e["field"] for e in problem(response, status)["errors"]]


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def new_token(client: APIClient, **body: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/tokens", {"name": "script", **body}, format="json")
    assert answer.status_code == 201, answer.content
    made: dict[str, Any] = answer.json()
    return made


# --- making tokens --------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_digest_is_kept(bob: Any, bob_api: APIClient) -> None:
    # when bob makes a token for reading runs
    made = new_token(bob_api, name="reporting", scopes=["runs:read"])
    token = made["token"]
    # then it is answered with its row, made by and for bob, and it works
    assert token.startswith("sb_") and made["prefix"] == token[:10]
    assert made["scopes"] == ["runs:read"] and made["name"] == "reporting" and made["active"] is True
    assert made["owner"] == {"id": bob.pk, "username": "bob", "is_service_account": False}
    assert made["created_by"] == "bob" and made["revoked_at"] is None and made["expires_at"] is None
    assert bearer(token).get("/api/v1/me").json()["scopes"] == ["runs:read"]
    # and it is never shown again
    listed = bob_api.get("/api/v1/tokens").json()["results"]
    assert {t["name"] for t in listed} == {"reporting", "test"}
    assert all("token" not in t for t in listed) and token not in str(listed)
    # and nowhere in the database — not the token row, not the audit log, not anything else
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    assert token not in dump.getvalue() and token[10:] not in dump.getvalue()
    row = ApiToken.objects.get(pk=made["id"])
    assert len(row.digest) == 64 and AuditEntry.objects.filter(action="token.created", target_id=str(row.pk))


def test_a_browser_session_makes_tokens_too(bob: Any) -> None:
    browser = APIClient()
    assert browser.login(username="bob", password="bob-password-1")
    made = new_token(browser, scopes=["flows:read"])
    assert bearer(made["token"]).get("/api/v1/me").json()["username"] == "bob"


def test_without_scopes_a_token_gets_all_its_owner_may(bob_api: APIClient) -> None:
    assert new_token(bob_api)["scopes"] == ["flows:read", "runs:read", "versions:approve"]


@pytest.mark.parametrize(
    "scopes",
    [
        ["flows:write"],  # an approver does not build
        ["admin"],
        ["scim"],  # made by `manage.py scimtoken` only
        ["everything"],
        [],
    ],
)
def test_a_scope_beyond_the_owners_roles_is_refused(bob_api: APIClient, bob: Any, scopes: list[str]) -> None:
    answer = bob_api.post("/api/v1/tokens", {"name": "x", "scopes": ["flows:read", *scopes]}, format="json")
    if scopes:
        assert fields_of(answer) == ["scopes"]
        assert ApiToken.objects.filter(user=bob).count() == 1  # only the fixture's
    else:
        assert answer.status_code == 201


def test_a_token_needs_a_scope(bob_api: APIClient) -> None:
    assert fields_of(bob_api.post("/api/v1/tokens", {"name": "x", "scopes": []}, format="json")) == ["scopes"]


def test_even_an_admin_cannot_make_a_scim_token_here(api: APIClient) -> None:
    answer = api.post("/api/v1/tokens", {"name": "idp", "scopes": ["scim"]}, format="json")
    assert "scimtoken" in problem(answer, 400)["errors"][0]["message"]


def test_a_narrow_token_cannot_make_a_wider_one(alice: Any) -> None:
    # given alice's token that may only read flows
    narrow = bearer(apitoken_create(user=alice, scopes=["flows:read"])[1])
    # then it cannot make one that writes flows, nor by default more than it has itself
    answer = narrow.post("/api/v1/tokens", {"name": "x", "scopes": ["flows:write"]}, format="json")
    assert fields_of(answer) == ["scopes"]
    assert new_token(narrow)["scopes"] == ["flows:read"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["runs:read"]}, "name"),
        ({"name": "", "scopes": ["runs:read"]}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "x", "expires_at": "yesterday"}, "expires_at"),
        ({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "scopes": "runs:read"}, "scopes"),
    ],
)
def test_a_bad_token_request_names_the_field(bob_api: APIClient, body: dict[str, Any], field: str) -> None:
    assert fields_of(bob_api.post("/api/v1/tokens", body, format="json")) == [field]


# --- tokens that stop working ---------------------------------------------------------------------


def test_an_expiring_token_works_until_it_expires(bob_api: APIClient) -> None:
    # given a token that expires in an hour
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    made = new_token(bob_api, expires_at=soon)
    client = bearer(made["token"])
    assert made["expires_at"] is not None and client.get("/api/v1/me").status_code == 200
    # when the hour has passed
    ApiToken.objects.filter(pk=made["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    # then it is refused, and listed as inactive
    assert problem(client.get("/api/v1/me"), 401)
    listed = {t["id"]: t for t in bob_api.get("/api/v1/tokens").json()["results"]}
    assert listed[made["id"]]["active"] is False
    assert [t["id"] for t in bob_api.get("/api/v1/tokens?active=false").json()["results"]] == [made["id"]]


def test_a_revoked_token_is_refused_at_once(bob_api: APIClient) -> None:
    made = new_token(bob_api)
    client = bearer(made["token"])
    assert client.get("/api/v1/me").status_code == 200
    # when bob revokes it
    assert bob_api.delete(f"/api/v1/tokens/{made['id']}").status_code == 204
    # then it no longer signs in, it is listed as revoked, and revoking it again changes nothing
    assert problem(client.get("/api/v1/me"), 401)["detail"] == "The token is unknown, expired or revoked."
    listed = {t["id"]: t for t in bob_api.get("/api/v1/tokens").json()["results"]}
    assert listed[made["id"]]["revoked_at"] is not None and listed[made["id"]]["active"] is False
    assert bob_api.delete(f"/api/v1/tokens/{made['id']}").status_code == 204
    assert AuditEntry.objects.filter(action="token.revoked", target_id=str(made["id"])).count() == 1


def test_a_token_may_revoke_itself(bob_api: APIClient, bob: Any) -> None:
    own = ApiToken.objects.get(user=bob)
    assert bob_api.delete(f"/api/v1/tokens/{own.pk}").status_code == 204
    assert problem(bob_api.get("/api/v1/me"), 401)


def test_deactivating_the_owner_ends_their_tokens(api: APIClient, bob: Any, bob_api: APIClient) -> None:
    spare = bearer(new_token(bob_api)["token"])
    api.post(f"/api/v1/people/{bob.pk}/deactivate")
    assert problem(bob_api.get("/api/v1/me"), 401) and problem(spare.get("/api/v1/me"), 401)
    tokens = api.get(f"/api/v1/tokens?owner={bob.pk}").json()["results"]
    assert len(tokens) == 2 and all(t["revoked_at"] and not t["active"] for t in tokens)


# --- whose tokens ---------------------------------------------------------------------------------


def test_everyone_lists_their_own_tokens_only(
    alice: Any, api: APIClient, bob: Any, bob_api: APIClient, carol: Any, carol_api: APIClient
) -> None:
    new_token(carol_api, name="carol's")
    # then bob sees only his own, and may not ask for carol's or everyone's
    assert [t["owner"]["username"] for t in bob_api.get("/api/v1/tokens").json()["results"]] == ["bob"]
    assert bob_api.get(f"/api/v1/tokens?owner={bob.pk}").status_code == 200
    assert problem(bob_api.get(f"/api/v1/tokens?owner={carol.pk}"), 403)
    assert problem(bob_api.get("/api/v1/tokens?all=true"), 403)
    # while an admin may
    assert {t["name"] for t in api.get(f"/api/v1/tokens?owner={carol.pk}").json()["results"]} == {
        "carol's",
        "test",
    }
    everyone = {t["owner"]["username"] for t in api.get("/api/v1/tokens?all=true").json()["results"]}
    assert everyone == {"alice", "bob", "carol"}


@pytest.mark.parametrize("query", ["owner=bob", "owner=0", f"owner={2**70}", "all=perhaps", "active=2"])
def test_bad_token_filters_are_named(api: APIClient, query: str) -> None:
    assert fields_of(api.get(f"/api/v1/tokens?{query}")) == [query.split("=")[0]]


def test_nobody_but_an_admin_revokes_someone_elses_token(
    api: APIClient, bob: Any, carol_api: APIClient
) -> None:
    bobs, _ = apitoken_create(user=bob, name="bob's")
    # carol cannot even tell it exists
    assert problem(carol_api.delete(f"/api/v1/tokens/{bobs.pk}"), 404)
    assert ApiToken.objects.get(pk=bobs.pk).revoked_at is None
    # an admin can
    assert api.delete(f"/api/v1/tokens/{bobs.pk}").status_code == 204
    assert AuditEntry.objects.get(action="token.revoked").actor_name == "alice"


def test_an_admins_token_without_the_admin_scope_acts_for_her_alone(alice: Any, bob: Any) -> None:
    client = bearer(apitoken_create(user=alice, scopes=["flows:read", "runs:read"])[1])
    assert problem(client.get("/api/v1/tokens?all=true"), 403)
    assert problem(client.get(f"/api/v1/tokens?owner={bob.pk}"), 403)
    assert problem(client.delete(f"/api/v1/tokens/{apitoken_create(user=bob)[0].pk}"), 404)
    assert client.get("/api/v1/tokens").status_code == 200


# --- service accounts -----------------------------------------------------------------------------


@pytest.fixture
def ci_bot(api: APIClient) -> dict[str, Any]:
    answer = api.post(
        "/api/v1/service-accounts",
        {"username": "ci-bot", "display_name": "Deploys", "roles": ["builder"]},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    made: dict[str, Any] = answer.json()
    return made


def test_an_admin_makes_a_service_account_that_holds_tokens(api: APIClient, ci_bot: dict[str, Any]) -> None:
    # then it is a service account with its roles, no password and no tokens yet
    assert ci_bot["is_service_account"] is True and ci_bot["roles"] == ["builder"]
    assert ci_bot["active_tokens"] == 0 and ci_bot["display_name"] == "Deploys"
    account = User.objects.get(pk=ci_bot["id"])
    assert not account.has_usable_password()
    # when the admin makes a token for it
    made = new_token(api, name="deploys", owner=ci_bot["id"], scopes=["flows:write"])
    # then the token acts as the service account, and the admin is recorded as its maker
    assert made["owner"] == {"id": ci_bot["id"], "username": "ci-bot", "is_service_account": True}
    assert made["created_by"] == "alice"
    assert bearer(made["token"]).get("/api/v1/me").json()["username"] == "ci-bot"
    assert api.get(f"/api/v1/service-accounts/{ci_bot['id']}").json()["active_tokens"] == 1
    assert ci_bot["id"] in [p["id"] for p in api.get("/api/v1/people?service_account=true").json()["results"]]
    assert [t["name"] for t in api.get(f"/api/v1/tokens?owner={ci_bot['id']}").json()["results"]] == [
        "deploys"
    ]


def test_a_service_account_token_is_bounded_by_its_roles(api: APIClient, ci_bot: dict[str, Any]) -> None:
    answer = api.post(
        "/api/v1/tokens", {"name": "x", "owner": ci_bot["id"], "scopes": ["versions:approve"]}, format="json"
    )
    assert fields_of(answer) == ["scopes"]


def test_tokens_for_other_people_are_refused(
    api: APIClient, bob: Any, bob_api: APIClient, ci_bot: Any
) -> None:
    # an admin makes tokens for service accounts, not for other people
    assert fields_of(api.post("/api/v1/tokens", {"name": "x", "owner": bob.pk}, format="json")) == ["owner"]
    assert fields_of(api.post("/api/v1/tokens", {"name": "x", "owner": 99999}, format="json")) == ["owner"]
    # and nobody but an admin makes them for a service account
    assert problem(bob_api.post("/api/v1/tokens", {"name": "x", "owner": ci_bot["id"]}, format="json"), 403)
    assert not ApiToken.objects.filter(user_id=ci_bot["id"]).exists()


def test_a_revoked_service_account_token_is_refused(api: APIClient, ci_bot: dict[str, Any]) -> None:
    made = new_token(api, owner=ci_bot["id"])
    client = bearer(made["token"])
    assert client.get("/api/v1/me").status_code == 200
    assert api.delete(f"/api/v1/tokens/{made['id']}").status_code == 204
    assert problem(client.get("/api/v1/me"), 401)


def test_deleting_a_service_account_ends_its_tokens(api: APIClient, ci_bot: dict[str, Any]) -> None:
    client = bearer(new_token(api, owner=ci_bot["id"])["token"])
    # when the admin deletes the service account
    assert api.delete(f"/api/v1/service-accounts/{ci_bot['id']}").status_code == 204
    # then its token stops at once, it leaves the list, and it is kept (deactivated) for the audit log
    assert problem(client.get("/api/v1/me"), 401)
    assert api.get("/api/v1/service-accounts").json()["results"] == []
    gone = api.get("/api/v1/service-accounts?active=false").json()["results"]
    assert [(a["username"], a["active"], a["active_tokens"]) for a in gone] == [("ci-bot", False, 0)]
    assert AuditEntry.objects.get(action="user.deactivated").detail["tokens_revoked"] == 1
    # and no new token can be made for it
    assert problem(api.post("/api/v1/tokens", {"name": "x", "owner": ci_bot["id"]}, format="json"), 409)


def test_a_service_account_does_not_delete_itself(db: Any) -> None:
    # given a service account holding the admin role, acting through its token
    account = User.objects.create(username="ops-bot", is_service_account=True)
    role_grant(user=account, role="admin")
    client = bearer(apitoken_create(user=account)[1])
    # then it may manage service accounts, but not delete itself
    assert client.get("/api/v1/service-accounts").status_code == 200
    assert problem(client.delete(f"/api/v1/service-accounts/{account.pk}"), 409)
    account.refresh_from_db()
    assert account.is_active


def test_a_person_is_not_deleted_as_a_service_account(api: APIClient, bob: Any) -> None:
    assert problem(api.delete(f"/api/v1/service-accounts/{bob.pk}"), 404)
    bob.refresh_from_db()
    assert bob.is_active


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "Bob"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "bot", "roles": ["root"]}, "roles"),
        ({"username": "bot", "is_superuser": True}, "is_superuser"),
    ],
)
def test_a_bad_service_account_names_the_field(
    api: APIClient, bob: Any, body: dict[str, Any], field: str
) -> None:
    assert fields_of(api.post("/api/v1/service-accounts", body, format="json")) == [field]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_admins_run_service_accounts(
    role: str | None, role_api: Callable[..., APIClient], api: APIClient, ci_bot: dict[str, Any]
) -> None:
    client = role_api(role)
    for answer in (
        client.get("/api/v1/service-accounts"),
        client.post("/api/v1/service-accounts", {"username": "bot"}, format="json"),
        client.get(f"/api/v1/service-accounts/{ci_bot['id']}"),
        client.delete(f"/api/v1/service-accounts/{ci_bot['id']}"),
    ):
        assert problem(answer, 403)
    assert User.objects.get(pk=ci_bot["id"]).is_active and not User.objects.filter(username="bot").exists()


def test_scim_tokens_are_listed_and_revocable_here(api: APIClient, ci_bot: dict[str, Any]) -> None:
    # given a provisioning token, as `manage.py scimtoken` makes
    account = User.objects.get(pk=ci_bot["id"])
    row, _ = apitoken_create(user=account, name="scim", scopes=["scim"])
    # then an admin sees it among everyone's, and revokes it
    listed = {t["id"]: t for t in api.get("/api/v1/tokens?all=true").json()["results"]}
    assert listed[row.pk]["scopes"] == ["scim"]
    assert api.delete(f"/api/v1/tokens/{row.pk}").status_code == 204
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_tokens_are_paginated_newest_first(bob_api: APIClient) -> None:
    for name in ("one", "two", "three"):
        new_token(bob_api, name=name)
    first = bob_api.get("/api/v1/tokens?limit=2").json()
    assert [t["name"] for t in first["results"]] == ["three", "two"]
    assert [t["name"] for t in bob_api.get(first["next"]).json()["results"]] == ["one", "test"]
