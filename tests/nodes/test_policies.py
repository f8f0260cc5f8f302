"""Policies on node use: how hosts and types are matched, and the admin API that sets the policies."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from hub.models import AuditEntry
from identity.models import Team
from nodes import policies
from nodes.policies import DlpRules, Policies, TeamRules
from tests.conftest import client_for, person

# --- matching ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("crm.sales.example.com", True),
        ("eu.crm.sales.example.com", True),  # any depth
        ("CRM.Sales.Example.COM.", True),  # case and the root dot do not matter
        ("sales.example.com", False),  # a wildcard is for subdomains, not the domain itself
        ("evilsales.example.com", False),  # a label boundary, not a suffix of text
        ("sales.example.com.evil.org", False),
        ("api.example.org", True),  # listed exactly
        ("www.api.example.org", False),
    ],
)
def test_hosts_match_exactly_or_as_subdomains_of_a_wildcard(host: str, allowed: bool) -> None:
    assert policies.host_allowed(host, ["*.sales.example.com", "api.example.org"]) is allowed


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://api.example.org/leads", "api.example.org"),
        ("https://api.example.org/leads/{{ trigger.body.id }}", "api.example.org"),
        ("https://api.example.org?q={{ x }}", "api.example.org"),
        ("https://{{ trigger.body.host }}/leads", None),  # the host is known only at run time
        ("https://api.{{ trigger.body.region }}.example.org/", None),
        ("{{ trigger.body.url }}", None),
    ],
)
def test_the_host_of_a_url_is_known_before_the_run_only_when_it_is_literal(
    url: str, host: str | None
) -> None:
    assert policies.literal_host({"id": "n", "type": "action.http", "config": {"url": url}}) == host


def test_a_category_wildcard_allows_triggers_and_transforms_but_actions_are_named() -> None:
    allowed = ["trigger.*", "transform.*", "action.email"]
    assert policies.type_allowed("transform.map", allowed)
    assert policies.type_allowed("trigger.webhook", allowed)
    assert policies.type_allowed("action.email", allowed)
    assert not policies.type_allowed("action.http", allowed)
    assert policies.node_type_problem("action.*", wildcards=True) is not None
    assert policies.node_type_problem("transform.*", wildcards=False) is not None


def test_unclassified_types_take_the_default_group_except_those_that_move_no_data() -> None:
    rules = DlpRules({"action.http": "business", "transform.delay": "blocked"}, default_group="non_business")
    assert rules.group_of("action.http") == "business"
    assert rules.group_of("action.email") == "non_business"
    assert rules.group_of("trigger.webhook") == "non_business"  # it takes data in from outside
    assert rules.group_of("transform.map") == "exempt"
    assert rules.group_of("trigger.manual") == "exempt"
    assert rules.group_of("transform.delay") == "blocked"  # named explicitly: no longer exempt


def test_a_flow_with_only_exempt_and_business_types_does_not_mix() -> None:
    rules = Policies(TeamRules("Sales"), DlpRules({"action.http": "business"}))
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "trigger.manual"},
        {"id": "shape", "type": "transform.map"},
        {"id": "crm", "type": "action.http", "config": {"url": "https://a.example.com"}},
    ]
    assert rules.violations(nodes) == []


# --- the API ----------------------------------------------------------------------------------------


@pytest.fixture
def sales(db: Any) -> Team:
    return Team.objects.create(name="Sales")


def test_an_admin_sets_a_teams_policy_and_the_change_is_audited_with_before_and_after(
    api: APIClient, sales: Team
) -> None:
    # given a team with no policy: nothing is limited
    fresh = api.get(f"/api/v1/teams/{sales.pk}/policy")
    assert fresh.status_code == 200
    assert fresh.json() == {
        "team": {"id": sales.pk, "name": "Sales"},
        "allowed_node_types": [],
        "allowed_hosts": [],
        "require_sensitive": [],
        "updated_at": None,
        "updated_by": None,
    }
    # when the admin sets one
    body = {
        "allowed_node_types": ["trigger.*", "transform.*", "action.http"],
        "allowed_hosts": ["*.Sales.Example.com", "api.example.org.", "10.0.0.5"],
        "require_sensitive": ["action.http"],
    }
    saved = api.put(f"/api/v1/teams/{sales.pk}/policy", body, format="json")
    # then it is stored as given, hosts as compared (lower case, no root dot), and read back
    assert saved.status_code == 200, saved.content
    expected_hosts = ["*.sales.example.com", "10.0.0.5", "api.example.org"]
    assert saved.json()["allowed_hosts"] == expected_hosts
    assert saved.json()["updated_by"] == "alice"
    read = api.get(f"/api/v1/teams/{sales.pk}/policy").json()
    assert read["allowed_node_types"] == ["action.http", "transform.*", "trigger.*"]
    assert read["require_sensitive"] == ["action.http"]
    # and the audit log holds before and after
    entry = AuditEntry.objects.get(action="policy.team_updated")
    assert entry.actor_name == "alice" and entry.target_type == "team" and entry.target_id == str(sales.pk)
    assert entry.detail["before"] == {"allowed_node_types": [], "allowed_hosts": [], "require_sensitive": []}
    assert entry.detail["after"]["allowed_hosts"] == expected_hosts
    # saving the same policy again changes nothing and records nothing
    assert api.put(f"/api/v1/teams/{sales.pk}/policy", body, format="json").status_code == 200
    assert AuditEntry.objects.filter(action="policy.team_updated").count() == 1


def test_bad_policy_input_is_refused_naming_each_field(api: APIClient, sales: Team) -> None:
    body = {
        "allowed_node_types": ["trigger.*", "action.nope", "action.*"],
        "allowed_hosts": [
            "api.example.org",
            "https://x.example.com/path",
            "exa mple.com",
            "*.com",
            "a.com:8080",
        ],
        "require_sensitive": ["transform.*"],
    }
    refused = api.put(f"/api/v1/teams/{sales.pk}/policy", body, format="json")
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    fields = [e["field"] for e in refused.json()["errors"]]
    assert fields == [
        "allowed_node_types[1]",
        "allowed_node_types[2]",
        "allowed_hosts[1]",
        "allowed_hosts[2]",
        "allowed_hosts[3]",
        "allowed_hosts[4]",
        "require_sensitive[0]",
    ]
    messages = " ".join(e["message"] for e in refused.json()["errors"])
    assert "No node type 'action.nope'" in messages and "Actions are allowed one by one" in messages
    # and nothing was stored
    assert api.get(f"/api/v1/teams/{sales.pk}/policy").json()["allowed_hosts"] == []
    # a missing list is named too, and an unknown team is a 404
    missing = api.put(f"/api/v1/teams/{sales.pk}/policy", {"allowed_hosts": []}, format="json")
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"allowed_node_types", "require_sensitive"}
    assert api.get("/api/v1/teams/999999/policy").status_code == 404


def test_the_dlp_policy_classifies_node_types_and_is_audited(api: APIClient) -> None:
    # given no classification: actions take the default group, transforms are exempt
    fresh = api.get("/api/v1/policies/dlp").json()
    assert fresh["classification"] == {} and fresh["default_group"] == "non_business"
    assert fresh["effective"]["action.http"] == "non_business"
    assert fresh["effective"]["transform.map"] == "exempt"
    # when the admin classifies
    body = {
        "classification": {"action.http": "business", "action.webhook": "blocked"},
        "default_group": "business",
    }
    saved = api.put("/api/v1/policies/dlp", body, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["classification"] == {"action.http": "business", "action.webhook": "blocked"}
    assert saved.json()["effective"]["action.email"] == "business"  # the new default
    assert saved.json()["effective"]["action.webhook"] == "blocked"
    entry = AuditEntry.objects.get(action="policy.dlp_updated")
    assert entry.detail["before"] == {"classification": {}, "default_group": "non_business"}
    assert entry.detail["after"]["classification"]["action.webhook"] == "blocked"
    # bad input names the field: an unknown type, a group that does not exist
    bad = api.put(
        "/api/v1/policies/dlp",
        {"classification": {"action.nope": "business", "action.email": "secret"}},
        format="json",
    )
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == [
        "classification.action.nope",
        "classification.action.email",
    ]
    wrong_default = api.put(
        "/api/v1/policies/dlp", {"classification": {}, "default_group": "x"}, format="json"
    )
    assert [e["field"] for e in wrong_default.json()["errors"]] == ["default_group"]
    assert api.get("/api/v1/policies/dlp").json()["default_group"] == "business"


def test_only_admins_read_or_change_policies(sales: Team) -> None:
    for role in ("viewer", "builder", "approver"):
        client = client_for(person(f"someone-{role}", role, teams=(sales,)))
        assert client.get(f"/api/v1/teams/{sales.pk}/policy").status_code == 403
        assert client.put(f"/api/v1/teams/{sales.pk}/policy", {}, format="json").status_code == 403
        assert client.get("/api/v1/policies/dlp").status_code == 403
        assert client.put("/api/v1/policies/dlp", {"classification": {}}, format="json").status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="policy.").exists()
