"""The SCIM protocol at /scim/v2/: who may call it, the token command, the media type, error
documents, conflicts, pagination, `.search`, partial representations, discovery and deletion."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from identity.models import ApiToken, Team
from identity.services import apitoken_create, apitoken_revoke, user_deactivate
from tests.identity.conftest import SCIM_JSON, Scim

User = get_user_model()
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def assert_error(answer: Any, status: int, scim_type: str | None = None) -> None:
    """A SCIM error document (RFC 7644 §3.12): its status as a string, a detail, maybe a scimType."""
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == SCIM_JSON
    body = answer.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status) and body["detail"]
    assert body.get("scimType") == scim_type


# --- who may call it ------------------------------------------------------------------------------


def test_the_scimtoken_command_prints_a_hashed_scim_only_token_of_a_service_account(db: Any) -> None:
    # When an admin runs the command twice
    out, err = StringIO(), StringIO()
    call_command("scimtoken", "--name", "okta", stdout=out, stderr=err)
    first = out.getvalue().strip().splitlines()[-1]
    out2 = StringIO()
    call_command("scimtoken", stdout=out2, stderr=StringIO())
    second = out2.getvalue().strip().splitlines()[-1]

    # then each run prints a new working token on its last line (the message goes to stderr)
    assert first != second and first not in err.getvalue() and "SCIM" in err.getvalue()
    assert Scim(first).get("/Users").status_code == 200

    # and both belong to one service account, hold only the `scim` scope, and are stored hashed
    account = User.objects.get(username="scim")
    assert account.is_service_account and not account.has_usable_password()
    tokens = ApiToken.objects.filter(user=account).order_by("pk")
    assert [(t.name, t.scopes) for t in tokens] == [("okta", ["scim"]), ("scim", ["scim"])]
    assert all(first not in (t.digest, t.prefix) for t in tokens)


def test_the_scimtoken_command_never_hands_a_persons_account_to_scim(db: Any) -> None:
    User.objects.create_user("scim", "scim@example.com", "a-person-1")
    with pytest.raises(CommandError, match="a person's account"):
        call_command("scimtoken", stdout=StringIO(), stderr=StringIO())


def test_requests_without_a_scim_token_are_401_with_a_bearer_challenge(
    scim_token: str, alice: Any, api: Any
) -> None:
    # Given alice, a superuser with an ordinary API token and a browser session
    browser = Client()
    browser.force_login(alice)
    ordinary = apitoken_create(user=alice, name="all scopes")[1]

    # when SCIM is called with no credentials, a session, a token without the scope, or nonsense
    answers = [
        Scim(None).get("/Users"),
        browser.get("/scim/v2/Users"),
        Scim(ordinary).get("/Users"),
        Scim("sb_not-a-token").get("/Users"),
        Scim(None).get("/ServiceProviderConfig"),
        Scim(None).get("/nowhere"),
    ]

    # then each is a 401 SCIM error document asking for a bearer token
    for answer in answers:
        assert_error(answer, 401)
        assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_or_expired_token_or_one_whose_owner_is_deactivated_is_refused(db: Any) -> None:
    account = User.objects.create(username="provisioner", is_service_account=True)
    revoked_row, revoked = apitoken_create(user=account, scopes=["scim"])
    apitoken_revoke(token=revoked_row, actor=None)
    _, expired = apitoken_create(
        user=account, scopes=["scim"], expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_error(Scim(revoked).get("/Users"), 401)
    assert_error(Scim(expired).get("/Users"), 401)

    _, valid = apitoken_create(user=account, scopes=["scim"])
    assert Scim(valid).get("/Users").status_code == 200
    user_deactivate(user=account, actor=None, reason="test")
    assert_error(Scim(valid).get("/Users"), 401)


def test_the_service_account_itself_is_not_a_scim_user(scim: Scim, bob: Any) -> None:
    # Given the service account behind the token, and bob, a local person
    account = User.objects.get(username="scim")

    # then SCIM lists bob (so a provider can match and take him over) but never the service account
    names = [r["userName"] for r in scim.get("/Users").json()["Resources"]]
    assert names == ["bob"]
    assert_error(scim.get(f"/Users/{account.scim_id}"), 404)
    assert_error(scim.delete(f"/Users/{account.scim_id}"), 404)


# --- media type, errors, conflicts -----------------------------------------------------------------


def test_every_answer_is_scim_json_and_plain_json_requests_are_accepted(scim: Scim) -> None:
    created = scim.client.post(
        "/scim/v2/Users", '{"userName": "plain@example.com"}', content_type="application/json"
    )
    assert created.status_code == 201 and created["Content-Type"] == SCIM_JSON
    for answer in (scim.get("/Users"), scim.get(f"/Users/{created.json()['id']}"), scim.get("/Schemas")):
        assert answer["Content-Type"] == SCIM_JSON


def test_a_duplicate_user_name_is_409_uniqueness_whatever_its_case(scim: Scim) -> None:
    # Given Ada, and Grace
    scim.create_user("ada@example.com")
    grace = scim.create_user("grace@example.com")["id"]

    # when a provider creates Ada again (in another case), or renames Grace to Ada
    again = scim.post("/Users", {"userName": "ADA@example.com"})
    renamed = scim.patch(
        f"/Users/{grace}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "userName", "value": "Ada@Example.com"}],
        },
    )
    replaced = scim.put(f"/Users/{grace}", {"userName": "ada@example.com"})

    # then each is a 409 with scimType uniqueness, and nothing changed
    for answer in (again, renamed, replaced):
        assert_error(answer, 409, "uniqueness")
    assert User.objects.filter(username__iexact="ada@example.com").count() == 1
    assert scim.get(f"/Users/{grace}").json()["userName"] == "grace@example.com"


def test_a_duplicate_group_name_is_409(scim: Scim) -> None:
    scim.create_group("Sales")
    assert_error(scim.post("/Groups", {"displayName": "Sales"}), 409, "uniqueness")


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({}, "invalidValue"),  # no userName
        ({"userName": "  "}, "invalidValue"),
        ({"userName": "x" * 151}, "invalidValue"),
        ({"userName": "ada", "active": "maybe"}, "invalidValue"),
        ({"userName": "ada", "emails": [{"value": "not an address", "primary": True}]}, "invalidValue"),
        ({"userName": "ada", "name": "Ada Lovelace"}, "invalidValue"),
        ({"userName": "ada", "title": ["a", "b"]}, "invalidValue"),
        ({"userName": "ada", "title": "nul\u0000byte"}, "invalidValue"),  # alike on both databases
        ([{"userName": "ada"}], "invalidSyntax"),
    ],
)
def test_an_invalid_user_is_a_400_naming_what_is_wrong(scim: Scim, body: Any, scim_type: str) -> None:
    assert_error(scim.post("/Users", body), 400, scim_type)
    assert not User.objects.filter(username="ada").exists()


def test_a_body_that_is_not_json_is_invalid_syntax(scim: Scim) -> None:
    answer = scim.client.post("/scim/v2/Users", "{nope", content_type=SCIM_JSON)
    assert_error(answer, 400, "invalidSyntax")


@pytest.mark.parametrize(
    ("operations", "status", "scim_type"),
    [
        ([{"op": "move", "path": "title", "value": "x"}], 400, "invalidSyntax"),
        ([{"op": "remove"}], 400, "noTarget"),
        ([{"op": "replace", "path": "id", "value": "x"}], 400, "mutability"),
        ([{"op": "add", "path": "groups", "value": [{"value": "x"}]}], 400, "mutability"),
        ([{"op": "replace", "value": {"id": "another"}}], 400, "mutability"),
        ([{"op": "replace", "path": 'emails[type eq "work"', "value": "x"}], 400, "invalidPath"),
        ([{"op": "replace", "path": 'emails[type co "w"].value', "value": "a@b.example"}], 400, "noTarget"),
        ([{"op": "replace", "path": "title", "value": {"a": 1}}], 400, "invalidValue"),
        ([{"op": "remove", "path": "userName"}], 400, "invalidValue"),
    ],
)
def test_a_patch_that_cannot_apply_changes_nothing(
    scim: Scim, operations: list[Any], status: int, scim_type: str
) -> None:
    ada = scim.create_user("ada@example.com", title="Countess")["id"]
    answer = scim.patch(
        f"/Users/{ada}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "title", "value": "Engineer"}, *operations],
        },
    )
    assert_error(answer, status, scim_type)
    assert scim.get(f"/Users/{ada}").json()["title"] == "Countess"


def test_a_patch_without_operations_is_invalid_syntax(scim: Scim) -> None:
    ada = scim.create_user("ada@example.com")["id"]
    assert_error(scim.patch(f"/Users/{ada}", {"schemas": [PATCH], "Operations": []}), 400, "invalidSyntax")
    assert_error(scim.patch(f"/Users/{ada}", {"schemas": [PATCH]}), 400, "invalidSyntax")


def test_unknown_ids_are_404(scim: Scim) -> None:
    for path in ("/Users/0b7b3f5c-8c4a-4a9e-9a53-3f1d2c6b1a00", "/Users/not-a-uuid", "/Groups/42"):
        assert_error(scim.get(path), 404)
        assert_error(
            scim.patch(path, {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "title"}]}), 404
        )


def test_a_member_who_is_not_a_provisioned_user_is_invalid(scim: Scim) -> None:
    answer = scim.post(
        "/Groups", {"displayName": "Ops", "members": [{"value": "0b7b3f5c-8c4a-4a9e-9a53-3f1d2c6b1a00"}]}
    )
    assert_error(answer, 400, "invalidValue")
    assert not Team.objects.filter(name="Ops").exists()


# --- reading: meta, pagination, .search, partial representations ----------------------------------


def test_a_user_carries_meta_and_its_version_changes_with_it(scim: Scim) -> None:
    created = scim.post("/Users", {"userName": "ada@example.com"})
    body = created.json()
    meta = body["meta"]
    assert meta["resourceType"] == "User" and meta["location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert meta["created"] and meta["lastModified"] and meta["version"].startswith('W/"')
    assert created["Location"] == meta["location"]
    assert scim.get(f"/Users/{body['id']}").json()["meta"]["version"] == meta["version"]
    changed = scim.patch(
        f"/Users/{body['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "add", "path": "title", "value": "Countess"}]},
    ).json()["meta"]
    assert changed["version"] != meta["version"] and changed["lastModified"] >= meta["lastModified"]


def test_lists_page_with_start_index_and_count(scim: Scim) -> None:
    # Given seven people
    made = [scim.create_user(f"person{n}@example.com")["id"] for n in range(7)]

    # when a provider pages through them three at a time
    pages = [scim.get("/Users", startIndex=start, count=3).json() for start in (1, 4, 7)]

    # then each page says where it starts and how many it holds, and together they hold everyone once
    assert [(p["startIndex"], p["itemsPerPage"], p["totalResults"]) for p in pages] == [
        (1, 3, 7),
        (4, 3, 7),
        (7, 1, 7),
    ]
    assert [r["id"] for p in pages for r in p["Resources"]] == made
    assert all(p["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"] for p in pages)

    # and out-of-range values are read as the nearest valid one; a count of 0 only counts
    assert scim.get("/Users", startIndex=0, count=2).json()["startIndex"] == 1
    counted = scim.get("/Users", count=0).json()
    assert (counted["totalResults"], counted["Resources"]) == (7, [])
    assert scim.get("/Users", startIndex=99).json()["Resources"] == []
    assert_error(scim.get("/Users", count="ten"), 400, "invalidValue")


def test_search_takes_the_query_in_the_body(scim: Scim) -> None:
    # Given people and a group with similar names
    for name in ("ops.anna", "ops.ben", "sales.cem"):
        scim.create_user(f"{name}@example.com", displayName=name)
    scim.create_group("ops")

    # when a provider searches users with a filter, a page and chosen attributes
    found = scim.post(
        "/Users/.search",
        {
            "schemas": [SEARCH],
            "filter": 'userName sw "ops."',
            "startIndex": 2,
            "count": 5,
            "attributes": ["userName"],
        },
    )

    # then it gets the second match alone, trimmed to id and userName
    assert found.status_code == 200, found.content
    body = found.json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (2, 2, 1)
    assert set(body["Resources"][0]) == {"schemas", "id", "userName"}

    # and searching at the root finds users and groups together
    both = scim.post("/.search", {"schemas": [SEARCH], "filter": 'displayName sw "ops"'}).json()
    assert sorted(r["meta"]["resourceType"] for r in both["Resources"]) == ["Group", "User", "User"]
    groups = scim.post("/Groups/.search", {"schemas": [SEARCH]}).json()
    assert [g["displayName"] for g in groups["Resources"]] == ["ops"]

    # and a body that is not a SearchRequest is refused
    assert_error(scim.post("/Users/.search", {"filter": 'userName sw "ops."'}), 400, "invalidSyntax")


def test_attributes_and_excluded_attributes_trim_what_is_returned(scim: Scim) -> None:
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    ada = scim.create_user(
        "ada@example.com",
        name={"givenName": "Ada", "familyName": "Lovelace"},
        emails=[{"value": "ada@example.com", "type": "work", "primary": True}],
        **{enterprise: {"department": "Engines", "employeeNumber": "1815"}},
    )["id"]

    only = scim.get(f"/Users/{ada}", attributes="userName,name.givenName,emails.value").json()
    assert only == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": ada,
        "userName": "ada@example.com",
        "name": {"givenName": "Ada"},
        "emails": [{"value": "ada@example.com"}],
    }
    extension = scim.get(f"/Users/{ada}", attributes=f"{enterprise}:department").json()
    assert extension[enterprise] == {"department": "Engines"} and enterprise in extension["schemas"]

    without = scim.get(f"/Users/{ada}", excludedAttributes=f"emails,meta,{enterprise}").json()
    assert "emails" not in without and "meta" not in without and enterprise not in without
    assert without["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"] and without["id"] == ada
    listed = scim.get("/Users", excludedAttributes="name", filter='userName eq "ada@example.com"').json()
    assert "name" not in listed["Resources"][0]


# --- discovery ---------------------------------------------------------------------------------------


def test_discovery_says_what_is_supported_and_what_is_not(scim: Scim) -> None:
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["filter"]["supported"]
    assert not any(config[f]["supported"] for f in ("bulk", "sort", "etag", "changePassword"))
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"

    types = {t["id"]: t for t in scim.get("/ResourceTypes").json()["Resources"]}
    assert (types["User"]["endpoint"], types["Group"]["endpoint"]) == ("/Users", "/Groups")
    assert types["User"]["schemaExtensions"] == [
        {"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": False}
    ]
    assert scim.get("/ResourceTypes/Group").json()["schema"] == "urn:ietf:params:scim:schemas:core:2.0:Group"
    assert_error(scim.get("/ResourceTypes/Device"), 404)

    user_schema = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    names = {a["name"] for a in user_schema["attributes"]}
    assert {"userName", "name", "emails", "active", "groups"} <= names and "password" not in names
    assert_error(scim.get("/Schemas/urn:example:nothing"), 404)


def test_what_switchboard_does_not_offer_is_said_plainly(scim: Scim) -> None:
    assert_error(scim.post("/ServiceProviderConfig", {}), 405)
    assert_error(scim.delete("/Schemas"), 405)
    assert_error(scim.post("/Bulk", {}), 501)
    assert_error(scim.get("/Me"), 501)
    assert_error(scim.get("/Devices"), 404)


# --- groups ------------------------------------------------------------------------------------------


def test_deleting_a_group_deletes_the_team_but_never_the_default_one(scim: Scim, settings: Any) -> None:
    # Given a provisioned group and the default team
    sales = scim.create_group("Sales")["id"]
    default = Team.objects.create(name=settings.DEFAULT_TEAM)

    # when the provider deletes both
    deleted = scim.delete(f"/Groups/{sales}")
    refused = scim.delete(f"/Groups/{default.scim_id}")

    # then the group is gone, and the default team stays with a 409 saying why
    assert deleted.status_code == 204
    assert_error(scim.get(f"/Groups/{sales}"), 404)
    assert not Team.objects.filter(name="Sales").exists()
    assert_error(refused, 409)
    assert Team.objects.filter(pk=default.pk).exists()


def test_break_glass_superusers_are_out_of_scims_reach(scim_token: str, alice: Any) -> None:
    # Given alice, a local superuser kept for when the identity provider fails
    scim = Scim(scim_token)

    # then the provider neither lists nor finds her, cannot deactivate her, nor take her userName
    assert "alice" not in [u["userName"] for u in scim.get("/Users").json()["Resources"]]
    assert scim.get("/Users", filter='userName eq "alice"').json()["totalResults"] == 0
    assert_error(scim.get(f"/Users/{alice.scim_id}"), 404)
    taken = scim.post(
        "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ALICE"}
    )
    assert_error(taken, 409, "uniqueness")
    alice.refresh_from_db()
    assert alice.is_active


def test_a_scim_token_opens_nothing_in_the_rest_api(scim_token: str) -> None:
    answer = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {scim_token}")
    assert answer.status_code == 403


def test_a_provider_is_rate_limited_per_token_with_a_scim_error(scim_token: str, settings: Any) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    if datetime.now(UTC).second > 50:  # keep the requests in one fixed window
        time.sleep(61 - datetime.now(UTC).second)
    answers = [Scim(scim_token).get("/Users") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert_error(answers[-1], 429)
    assert int(answers[-1]["Retry-After"]) >= 1
