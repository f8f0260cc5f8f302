"""Teams over the API: everyone sees their own teams and admins all of them; admins make, rename and
delete teams made in Switchboard and choose their members, while SCIM-provisioned teams stay as the
identity provider sent them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from flows import services as flow_services
from flows.models import Flow
from hub.models import AuditEntry
from identity.models import Membership, MembershipSource, Team
from identity.services import membership_add
from tests.support.flows import chain, node

SCIM_OWNS = "managed by your identity provider through SCIM"

# Everyone but an admin: each role alone, and no role at all.
NON_ADMIN_ROLES = ["viewer", "builder", "approver", None]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [t["name"] for t in response.json()["results"]]


@pytest.fixture
def sales(db: Any) -> Team:
    return Team.objects.create(name="Sales")


# --- reading --------------------------------------------------------------------------------------


def test_people_see_their_teams_and_admins_see_all(
    api: APIClient, bob: Any, bob_api: APIClient, sales: Team, role_api: Callable[..., APIClient]
) -> None:
    # given bob in the default team only, and Sales
    # then bob sees his team, an admin sees both, someone in no team sees none
    assert names(bob_api.get("/api/v1/teams")) == ["General"]
    assert names(api.get("/api/v1/teams")) == ["General", "Sales"]
    assert names(role_api("viewer").get("/api/v1/teams")) == []


def test_a_team_shows_its_roles_members_and_whether_it_is_the_default(
    api: APIClient, bob: Any, make_person: Callable[..., Any], sales: Team, settings: Any
) -> None:
    # given Sales gives the builder role, with dora (through SCIM) and bob (added in Switchboard)
    settings.ROLE_GROUPS = {"builder": ["Sales"], "viewer": ["Sales", "Support"]}
    dora = make_person("dora", display_name="Dora D")
    membership_add(user=dora, team=sales, source=MembershipSource.SCIM)
    membership_add(user=bob, team=sales, source=MembershipSource.LOCAL)
    # when an admin lists teams and reads Sales
    listed = {t["name"]: t for t in api.get("/api/v1/teams").json()["results"]}
    detail = api.get(f"/api/v1/teams/{sales.pk}").json()
    # then each has the shape the screens use
    assert listed["Sales"] == {
        "id": sales.pk,
        "name": "Sales",
        "scim_managed": False,
        "member_count": 2,
        "roles": ["builder", "viewer"],
        "is_default": False,
        "required_approvals": 1,
    }
    assert listed["General"]["is_default"] is True and listed["General"]["roles"] == []
    assert detail["members"] == [
        {"id": bob.pk, "username": "bob", "display_name": "", "source": "local"},
        {"id": dora.pk, "username": "dora", "display_name": "Dora D", "source": "scim"},
    ]
    assert {k: v for k, v in detail.items() if k != "members"} == listed["Sales"]


def test_a_team_one_is_not_in_is_404_as_if_it_did_not_exist(bob_api: APIClient, sales: Team) -> None:
    assert problem(bob_api.get(f"/api/v1/teams/{sales.pk}"), 404)
    assert problem(bob_api.get("/api/v1/teams/99999"), 404)


def test_teams_are_paginated_by_cursor(api: APIClient) -> None:
    for name in ("A", "B", "C"):
        Team.objects.create(name=name)
    first = api.get("/api/v1/teams?limit=2").json()
    assert [t["name"] for t in first["results"]] == ["A", "B"]
    assert [t["name"] for t in api.get(first["next"]).json()["results"]] == ["C"]


# --- who may change teams -------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_admins_change_teams(
    role: str | None, role_api: Callable[..., APIClient], bob: Any, sales: Team
) -> None:
    client = role_api(role)
    answers = [
        client.post("/api/v1/teams", {"name": "New"}, format="json"),
        client.patch(f"/api/v1/teams/{sales.pk}", {"name": "Renamed"}, format="json"),
        client.delete(f"/api/v1/teams/{sales.pk}"),
        client.post(f"/api/v1/teams/{sales.pk}/members", {"user": bob.pk}, format="json"),
        client.delete(f"/api/v1/teams/{sales.pk}/members/{bob.pk}"),
    ]
    for answer in answers:
        assert "`admin`" in problem(answer, 403)["detail"]
    assert list(Team.objects.values_list("name", flat=True)) == ["General", "Sales"]
    assert not Membership.objects.filter(team=sales).exists()


# --- changing teams -------------------------------------------------------------------------------


def test_an_admin_creates_renames_and_deletes_a_team(admin_api: APIClient) -> None:
    # when an admin (by role) creates a team
    made = admin_api.post("/api/v1/teams", {"name": "Ops"}, format="json")
    assert made.status_code == 201, made.content
    team = made.json()
    assert (team["name"], team["members"], team["member_count"], team["scim_managed"]) == (
        "Ops",
        [],
        0,
        False,
    )
    # and renames it
    renamed = admin_api.patch(f"/api/v1/teams/{team['id']}", {"name": "Operations"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Operations"
    # and deletes it
    assert admin_api.delete(f"/api/v1/teams/{team['id']}").status_code == 204
    assert problem(admin_api.get(f"/api/v1/teams/{team['id']}"), 404)
    # then each step is in the audit log
    actions = list(
        AuditEntry.objects.filter(target_type="team").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["team.created", "team.renamed", "team.deleted"]


@pytest.mark.parametrize("body", [{"name": "sales"}, {"name": ""}, {}, {"name": "x" * 151}])
def test_a_bad_or_taken_team_name_is_named(api: APIClient, sales: Team, body: dict[str, Any]) -> None:
    assert [e["field"] for e in problem(api.post("/api/v1/teams", body, format="json"), 400)["errors"]] == [
        "name"
    ]
    other = Team.objects.create(name="Support")
    renamed = api.patch(f"/api/v1/teams/{other.pk}", body or {"name": "SALES"}, format="json")
    assert [e["field"] for e in problem(renamed, 400)["errors"]] == ["name"]


def test_the_default_team_is_neither_deleted_nor_renamed(api: APIClient, bob: Any) -> None:
    general = Team.objects.get(name="General")
    assert "default team" in problem(api.delete(f"/api/v1/teams/{general.pk}"), 409)["detail"]
    assert problem(api.patch(f"/api/v1/teams/{general.pk}", {"name": "Everyone"}, format="json"), 409)
    assert Team.objects.filter(pk=general.pk, name="General").exists()


def test_deleting_a_team_moves_its_flows_to_the_default_team(alice: Any, api: APIClient, sales: Team) -> None:
    # given a flow of Sales
    flow = flow_services.flow_create(
        user=alice, name="Leads", graph=chain(node("s", "trigger.manual")), team_id=sales.pk
    )
    # when Sales is deleted
    assert api.delete(f"/api/v1/teams/{sales.pk}").status_code == 204
    # then the flow belongs to the default team, and the audit log says it moved
    assert Flow.objects.get(pk=flow.pk).team.name == "General"
    deleted = AuditEntry.objects.get(action="team.deleted")
    assert deleted.detail["team"] == "Sales" and deleted.actor_name == "alice"


def test_an_admin_adds_and_removes_members(api: APIClient, bob: Any, sales: Team) -> None:
    # when bob is added to Sales
    added = api.post(f"/api/v1/teams/{sales.pk}/members", {"user": bob.pk}, format="json")
    # then he is a local member
    assert added.status_code == 201, added.content
    assert added.json()["members"] == [
        {"id": bob.pk, "username": "bob", "display_name": "", "source": "local"}
    ]
    # and adding him again changes nothing
    again = api.post(f"/api/v1/teams/{sales.pk}/members", {"user": bob.pk}, format="json")
    assert again.status_code == 200 and again.json()["member_count"] == 1
    # when he is removed
    assert api.delete(f"/api/v1/teams/{sales.pk}/members/{bob.pk}").status_code == 204
    # then he is not a member, and removing him again is 404
    assert not Membership.objects.filter(team=sales, user=bob).exists()
    assert problem(api.delete(f"/api/v1/teams/{sales.pk}/members/{bob.pk}"), 404)
    assert list(
        AuditEntry.objects.filter(target_type="team", target_id=str(sales.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["team.member_added", "team.member_removed"]


def test_membership_gives_the_roles_of_role_groups(
    api: APIClient, make_person: Callable[..., Any], sales: Team, settings: Any
) -> None:
    # given Sales gives the builder role, and dan holds none
    settings.ROLE_GROUPS = {"builder": ["Sales"]}
    dan = make_person("dan")
    # when dan joins Sales
    api.post(f"/api/v1/teams/{sales.pk}/members", {"user": dan.pk}, format="json")
    # then he is a builder
    assert api.get(f"/api/v1/people/{dan.pk}").json()["roles"] == ["builder"]


@pytest.mark.parametrize("user", [99999, "bob", None, 0])
def test_adding_someone_who_does_not_exist_names_user(api: APIClient, sales: Team, user: Any) -> None:
    answer = api.post(f"/api/v1/teams/{sales.pk}/members", {"user": user}, format="json")
    assert [e["field"] for e in problem(answer, 400)["errors"]] == ["user"]


def test_a_team_provisioned_by_scim_is_read_only(
    api: APIClient, bob: Any, make_person: Callable[..., Any]
) -> None:
    # given Engineering, pushed by the identity provider, with dora in it
    engineering = Team.objects.create(name="Engineering", scim_managed=True)
    dora = make_person("dora")
    membership_add(user=dora, team=engineering, source=MembershipSource.SCIM)
    # when an admin tries to change it
    answers = [
        api.patch(f"/api/v1/teams/{engineering.pk}", {"name": "Eng"}, format="json"),
        api.delete(f"/api/v1/teams/{engineering.pk}"),
        api.post(f"/api/v1/teams/{engineering.pk}/members", {"user": bob.pk}, format="json"),
        api.delete(f"/api/v1/teams/{engineering.pk}/members/{dora.pk}"),
    ]
    # then each is a conflict saying who owns it, and the team is as it was
    for answer in answers:
        assert SCIM_OWNS in problem(answer, 409)["detail"]
    engineering.refresh_from_db()
    assert engineering.name == "Engineering"
    assert list(engineering.members.values_list("username", flat=True)) == ["dora"]
    # but reading it is fine
    assert api.get(f"/api/v1/teams/{engineering.pk}").json()["scim_managed"] is True
