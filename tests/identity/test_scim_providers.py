"""The requests Okta and Microsoft Entra ID document sending, replayed in their order, with what
Switchboard then holds. The bodies are in tests/fixtures/scim/, each file naming its source."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from hub.models import AuditEntry
from identity.models import Membership, Team
from tests.identity.conftest import Scim, filled, provider_requests

User = get_user_model()
OKTA = provider_requests("okta")
ENTRA = provider_requests("entra")


def test_okta_provisions_updates_and_deactivates_a_person(scim: Scim) -> None:
    # Given the connection test Okta runs when it is set up
    listed = scim.get("/Users", **OKTA["connection_test"])
    assert listed.status_code == 200 and listed.json()["itemsPerPage"] <= 2

    # when Okta looks for the person, finds nobody and creates them (with a password and `groups`)
    assert scim.get("/Users", **OKTA["find_user"]).json()["totalResults"] == 0
    created = scim.post("/Users", OKTA["create_user"])

    # then they exist, provisioned, without the password Okta sent, with what Okta sent kept
    assert created.status_code == 201, created.content
    body = created.json()
    user = User.objects.get(scim_id=body["id"])
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "test.user@okta.local",
        "test.user@okta.local",
        "Test",
        "User",
    )
    assert user.scim_managed and user.is_active and not user.has_usable_password()
    assert body["externalId"] == "00ujl29u0le5T6Aj10h7" and body["locale"] == "en-US"
    assert "password" not in body and "1mz050nq" not in str(user.scim_attributes)
    assert created["Location"] == body["meta"]["location"]
    found = scim.get("/Users", **OKTA["find_user"]).json()
    assert [r["id"] for r in found["Resources"]] == [body["id"]]

    # when Okta pushes a profile change (a whole replacement)
    replaced = scim.put(f"/Users/{body['id']}", filled(OKTA["replace_user"], user_id=body["id"]))
    assert replaced.status_code == 200, replaced.content
    user.refresh_from_db()
    assert (user.first_name, user.display_name) == ("Another", "Another User")

    # and deactivates them, then reactivates them
    deactivated = scim.patch(f"/Users/{body['id']}", OKTA["deactivate_user"])
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    user.refresh_from_db()
    assert not user.is_active and user.deactivated_at is not None
    reactivated = scim.patch(f"/Users/{body['id']}", OKTA["reactivate_user"])
    assert reactivated.json()["active"] is True
    user.refresh_from_db()
    assert user.is_active

    # then each step is in the audit log, as done by the SCIM service account
    actions = list(AuditEntry.objects.filter(target_id=str(user.pk)).values_list("action", "actor_name"))
    assert actions[:5] == [
        ("scim.user_created", "scim"),
        ("scim.user_updated", "scim"),
        ("user.deactivated", "scim"),
        ("scim.user_updated", "scim"),
        ("user.reactivated", "scim"),
    ]


def test_okta_pushes_a_group_renames_it_and_changes_its_members(scim: Scim) -> None:
    # Given a person Okta provisioned
    user_id = scim.post("/Users", OKTA["create_user"]).json()["id"]
    user = User.objects.get(scim_id=user_id)

    # when Okta pushes a group, renames it (repeating its id), adds the person and removes them again
    assert scim.get("/Groups", **OKTA["list_groups"]).status_code == 200
    assert scim.get("/Groups", **OKTA["find_group"]).json()["totalResults"] == 0
    created = scim.post("/Groups", OKTA["create_group"])
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    renamed = scim.patch(f"/Groups/{group_id}", filled(OKTA["rename_group"], group_id=group_id))
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["displayName"] == "Test SCIMv2 Renamed"
    added = scim.patch(f"/Groups/{group_id}", filled(OKTA["add_members"], user_id=user_id))
    assert [m["value"] for m in added.json()["members"]] == [user_id]
    team = Team.objects.get(scim_id=group_id)
    assert Membership.objects.get(team=team, user=user).source == "scim"
    removed = scim.patch(f"/Groups/{group_id}", filled(OKTA["remove_member"], user_id=user_id))
    assert removed.status_code == 200 and "members" not in removed.json()

    # and finally replaces the whole group
    replaced = scim.put(
        f"/Groups/{group_id}", filled(OKTA["replace_group"], group_id=group_id, user_id=user_id)
    )

    # then the team has Okta's name and members, is marked as provisioned, and the changes are audited
    assert replaced.status_code == 200, replaced.content
    team.refresh_from_db()
    assert team.name == "Test SCIMv2" and team.scim_managed
    assert list(team.members.all()) == [user]
    assert scim.get("/Groups", **OKTA["find_group"]).json()["Resources"][0]["id"] == group_id
    actions = set(AuditEntry.objects.filter(target_type="team").values_list("action", flat=True))
    assert {"scim.group_created", "scim.group_updated", "team.member_added", "team.member_removed"} <= actions


def test_entra_provisions_updates_and_disables_a_person(scim: Scim) -> None:
    # Given Entra looks a person up, finds nobody, and creates them with the enterprise extension
    assert scim.get("/Users", **ENTRA["find_user_zero_results"]).json()["totalResults"] == 0
    created = scim.post("/Users", ENTRA["create_user"])
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    assert scim.get("/Users", **ENTRA["find_user"]).json()["Resources"][0]["id"] == user_id

    # when Entra replaces the work e-mail through a value-filter path and the family name
    updated = scim.patch(f"/Users/{user_id}", ENTRA["update_user_multi_valued"])

    # then the work address is the new one (and the primary one), the rest of the value unchanged
    assert updated.status_code == 200, updated.content
    assert updated.json()["emails"] == [
        {"primary": True, "type": "work", "value": "updatedEmail@microsoft.com"}
    ]
    assert updated.json()["name"]["familyName"] == "updatedFamilyName"
    user = User.objects.get(scim_id=user_id)
    assert user.email == "updatedEmail@microsoft.com" and user.last_name == "updatedFamilyName"
    assert (
        scim.get("/Users", filter='emails.value eq "updatedemail@microsoft.com"').json()["totalResults"] == 1
    )

    # when Entra renames the person, adds a nickname its old way ("Add"), and replaces several
    # attributes at once with a path-less value whose keys are paths
    assert scim.patch(f"/Users/{user_id}", ENTRA["update_user_single_valued"]).status_code == 200
    assert (
        scim.patch(f"/Users/{user_id}", ENTRA["compatibility_add_single_value"]).json()["nickName"] == "Babs"
    )
    replaced = scim.patch(f"/Users/{user_id}", ENTRA["compatibility_replace_multiple_attributes"]).json()

    # then every one of them landed where it belongs, the enterprise extension included
    assert replaced["userName"] == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    assert replaced["displayName"] == "Pvlo" and replaced["externalId"] == "Eqpj"
    assert replaced["name"] == {
        "formatted": "givenName familyName",
        "familyName": "Pkqf",
        "givenName": "Gtfd",
    }
    assert replaced["emails"][0]["value"] == "TestBcwqnm@test.microsoft.com"
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    assert replaced[enterprise] == {"employeeNumber": "Eoys"} and enterprise in replaced["schemas"]
    user.refresh_from_db()
    assert (user.username, user.first_name, user.scim_external_id) == (
        "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
        "Gtfd",
        "Eqpj",
    )

    # when Entra sets the manager by id alone
    manager_id = scim.create_user("manager@testuser.com")["id"]
    with_manager = scim.patch(
        f"/Users/{user_id}", filled(ENTRA["compatibility_add_manager"], manager_id=manager_id)
    )
    assert with_manager.json()[enterprise]["manager"] == {"value": manager_id}

    # when Entra disables the person with its "False" text, enables them with "True", and disables
    # them with a real boolean
    assert (
        scim.patch(f"/Users/{user_id}", ENTRA["compatibility_disable_user_with_text"]).json()["active"]
        is False
    )
    user.refresh_from_db()
    assert not user.is_active
    assert (
        scim.patch(f"/Users/{user_id}", ENTRA["compatibility_enable_user_with_text"]).json()["active"] is True
    )
    assert scim.patch(f"/Users/{user_id}", ENTRA["disable_user"]).json()["active"] is False

    # then the person is deactivated, and each change is in the audit log
    user.refresh_from_db()
    assert not user.is_active
    reasons = AuditEntry.objects.filter(target_id=str(user.pk), action="user.deactivated")
    assert [e.detail["reason"] for e in reasons] == ["scim", "scim"]
    update = AuditEntry.objects.filter(target_id=str(user.pk), action="scim.user_updated").first()
    assert (
        update is not None and update.detail["changes"]["name"]["after"]["familyName"] == "updatedFamilyName"
    )


def test_entra_creates_a_group_and_manages_members_in_both_remove_shapes(scim: Scim) -> None:
    # Given two people Entra provisioned
    first = scim.create_user("first@testuser.com")["id"]
    second = scim.create_user("second@testuser.com")["id"]

    # when Entra creates a group (naming a schema of its own), reads it without members, and finds it
    created = scim.post("/Groups", ENTRA["create_group"])
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    read = scim.get(f"/Groups/{group_id}", **ENTRA["get_group"]).json()
    assert (
        read["displayName"] == "displayName" and read["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
    )
    assert "members" not in read
    found = scim.get("/Groups", **ENTRA["find_group"]).json()
    assert [g["id"] for g in found["Resources"]] == [group_id]

    # and renames it, adds both people, removes one by a `value` list and the other by a filter path
    renamed = scim.patch(f"/Groups/{group_id}", ENTRA["update_group_non_member_attributes"])
    assert renamed.json()["displayName"] == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    for user_id in (first, second):
        answer = scim.patch(f"/Groups/{group_id}", filled(ENTRA["update_group_add_members"], user_id=user_id))
        assert answer.status_code == 200, answer.content
    team = Team.objects.get(scim_id=group_id)
    assert team.members.count() == 2
    scim.patch(f"/Groups/{group_id}", filled(ENTRA["update_group_remove_members"], user_id=first))
    assert [m["value"] for m in scim.get(f"/Groups/{group_id}").json()["members"]] == [second]
    scim.patch(f"/Groups/{group_id}", filled(ENTRA["compatibility_remove_member_by_filter"], user_id=second))

    # then the team is empty again, and removing someone already gone is no error
    assert team.members.count() == 0
    again = scim.patch(f"/Groups/{group_id}", filled(ENTRA["update_group_remove_members"], user_id=first))
    assert again.status_code == 200
