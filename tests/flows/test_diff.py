"""The version diff (CONTRACT §3 `…/versions/{n}/diff`) on crafted pairs of versions: what counts as a
change, how it reads in plain words, and that secrets never show."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rest_framework.test import APIClient

from flows.diff import graph_diff, rule_words
from flows.masking import MASK
from tests.support.flows import chain, edge, node

pytestmark = pytest.mark.django_db


def orders() -> dict[str, Any]:
    """Webhook → filter 'big' (a rule nested three levels deep) → HTTP 'crm' → e-mail 'Send mail'."""
    document = chain(
        node("order", "trigger.webhook"),
        node(
            "big",
            "transform.filter",
            condition={
                "and": [
                    {">": [{"var": "trigger.body.total"}, 100]},
                    {
                        "or": [
                            {"==": [{"var": "trigger.body.country"}, "NL"]},
                            {"!": [{"var": "trigger.body.test"}]},
                        ]
                    },
                ]
            },
        ),
        node(
            "crm",
            "action.http",
            method="POST",
            url="https://crm.example.com/leads",
            headers={"Authorization": "Bearer old-secret-value", "Accept": "application/json"},
        ),
        node(
            "mail",
            "action.email",
            to="team@example.com",
            subject="Big order",
            text="{{ trigger.body.total }}",
        ),
    )
    document["nodes"][3]["name"] = "Send mail"
    return document


def nodes_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in document["nodes"]}


def test_a_rule_changed_three_levels_deep_names_its_path_and_reads_as_words() -> None:
    # given a filter whose rule's `or` → `==` → value changes
    old, new = orders(), orders()
    nodes_of(new)["big"]["config"]["condition"]["and"][1]["or"][0]["=="][1] = "BE"
    # when they are compared
    diff = graph_diff(old, new)
    # then the one change is at the full path, with the old and new value
    assert diff["nodes"]["changed"] == [
        {
            "id": "big",
            "type": "transform.filter",
            "changes": [
                {"path": "config.condition.and.1.or.0.==.1", "old": "NL", "new": "BE", "kind": "changed"}
            ],
        }
    ]
    # and the summary reads the whole rule, before and after, in words
    assert diff["summary"] == [
        "Filter 'big' now checks total > 100 and (country is \"BE\" or not test) "
        'instead of total > 100 and (country is "NL" or not test)'
    ]


def test_the_threshold_sentence_of_the_issue() -> None:
    old = chain(
        node("order", "trigger.webhook"),
        node("big", "transform.filter", condition={">": [{"var": "trigger.body.total"}, 100]}),
    )
    new = copy.deepcopy(old)
    new["nodes"][1]["config"]["condition"][">"][1] = 200
    assert graph_diff(old, new)["summary"] == ["Filter 'big' now checks total > 200 instead of total > 100"]


def test_a_node_only_moved_on_the_canvas_is_not_a_change() -> None:
    old, new = orders(), orders()
    nodes_of(old)["crm"]["position"] = {"x": 0, "y": 0}
    nodes_of(new)["crm"]["position"] = {"x": 480, "y": 320}
    nodes_of(new)["mail"]["position"] = {"x": 10, "y": 10}  # a position where there was none
    diff = graph_diff(old, new)
    assert diff["nodes"] == {"added": [], "removed": [], "changed": [], "renamed": []}
    assert diff["edges"] == {"added": [], "removed": []}
    assert diff["summary"] == []


def test_a_renamed_node_is_reported_as_renamed_not_changed() -> None:
    old, new = orders(), orders()
    nodes_of(new)["mail"]["name"] = "Tell the team"
    nodes_of(new)["big"]["name"] = "Big orders"  # had no name: it was called by its id
    diff = graph_diff(old, new)
    assert diff["nodes"]["changed"] == []
    assert diff["nodes"]["renamed"] == [
        {"id": "big", "from": "big", "to": "Big orders"},
        {"id": "mail", "from": "Send mail", "to": "Tell the team"},
    ]
    assert diff["summary"] == ["Renamed 'big' to 'Big orders'", "Renamed 'Send mail' to 'Tell the team'"]


def test_added_and_removed_nodes_and_edges_read_as_sentences() -> None:
    # given a new HTTP node after 'big', the e-mail removed, and 'big' → 'crm' rewired through a branch
    old, new = orders(), orders()
    new["nodes"] = [n for n in new["nodes"] if n["id"] != "mail"]
    new["edges"] = [e for e in new["edges"] if e["target"] != "mail"]
    notify = node("notify", "action.http", url="https://crm.example.com/notify")
    notify["name"] = "Notify CRM"
    new["nodes"].append(notify)
    new["edges"].append(edge("big", "notify"))
    new["edges"].append(edge("notify", "crm"))
    new["edges"].remove(edge("big", "crm"))
    # when compared
    diff = graph_diff(old, new)
    # then the lists say it
    assert [n["id"] for n in diff["nodes"]["added"]] == ["notify"]
    assert [n["id"] for n in diff["nodes"]["removed"]] == ["mail"]
    assert diff["edges"]["added"] == [edge("big", "notify"), edge("notify", "crm")]
    assert diff["edges"]["removed"] == [edge("big", "crm"), edge("crm", "mail")]
    # and so do the sentences (the edges that came and went with a node are told with it)
    assert diff["summary"] == [
        "Added HTTP request 'Notify CRM' after 'big'",
        "Removed Send e-mail 'Send mail'",
        "Connected 'Notify CRM' to 'crm'",
        "Removed the connection from 'big' to 'crm'",
    ]
    assert [d["node"] for d in diff["details"]] == ["notify", "mail", None, None]


def test_a_changed_recipient_reads_as_sends_to() -> None:
    old, new = orders(), orders()
    nodes_of(new)["mail"]["config"]["to"] = ["boss@example.com", "team@example.com"]
    assert graph_diff(old, new)["summary"] == [
        "Send e-mail 'Send mail' now sends to boss@example.com, team@example.com instead of team@example.com"
    ]


def test_a_secret_header_change_shows_no_value_anywhere() -> None:
    # given the Authorization header's token changes, and a plain header too
    old, new = orders(), orders()
    nodes_of(new)["crm"]["config"]["headers"]["Authorization"] = "Bearer new-secret-value"
    nodes_of(new)["crm"]["config"]["headers"]["Accept"] = "text/csv"
    # when compared
    diff = graph_diff(old, new)
    # then the secret is only "changed", its values masked; the plain header shows its values
    assert diff["nodes"]["changed"][0]["changes"] == [
        {"path": "config.headers.Accept", "old": "application/json", "new": "text/csv", "kind": "changed"},
        {"path": "config.headers.Authorization", "old": MASK, "new": MASK, "kind": "changed", "masked": True},
    ]
    assert diff["summary"] == [
        "HTTP request 'crm' now sets the header Accept to text/csv instead of application/json",
        "HTTP request 'crm' now uses a different value for the header Authorization (a secret, not shown)",
    ]
    assert "secret-value" not in repr(diff)


def test_token_looking_strings_and_secret_names_are_masked_in_whole_nodes_too() -> None:
    # given a new node holding a whsec_ secret in a payload and an X-Api-Key header
    old = orders()
    new = orders()
    new["nodes"].append(
        node(
            "hook",
            "action.webhook",
            url="https://hooks.example.com/in",
            payload={"note": "signed with whsec_c2VjcmV0LXZhbHVl", "plain": "hello"},
        )
    )
    new["nodes"].append(
        node("api", "action.http", url="https://api.example.com", headers={"X-Api-Key": "k-123"})
    )
    new["edges"] += [edge("crm", "hook"), edge("crm", "api")]
    # when compared
    added = {n["id"]: n for n in graph_diff(old, new)["nodes"]["added"]}
    # then the secrets are masked and the rest is shown
    assert added["hook"]["config"]["payload"] == {"note": MASK, "plain": "hello"}
    assert added["api"]["config"]["headers"] == {"X-Api-Key": MASK}
    # and a config schema field marked writeOnly or format: password is a secret by its schema
    from flows.masking import schema_marks_secret

    schema = {
        "properties": {"auth": {"$ref": "#/$defs/Auth"}},
        "$defs": {
            "Auth": {
                "properties": {"pw": {"type": "string", "format": "password"}, "user": {"type": "string"}}
            }
        },
    }
    assert schema_marks_secret(schema, ["auth", "pw"]) and not schema_marks_secret(schema, ["auth", "user"])
    assert schema_marks_secret({"properties": {"key": {"writeOnly": True}}}, ["key"])


def test_jsonlogic_reads_as_words_and_falls_back_to_json() -> None:
    assert rule_words({">=": [{"var": "input.total"}, 5]}) == "total ≥ 5"
    assert rule_words({"!=": [{"var": "steps.shape.email"}, ""]}) == 'steps.shape.email is not ""'
    assert (
        rule_words({"in": [{"var": "trigger.body.country"}, ["NL", "BE"]]}) == 'country is one of "NL", "BE"'
    )
    assert rule_words({"in": ["vip", {"var": "trigger.body.tags"}]}) == 'tags contains "vip"'
    assert rule_words({"<": [1, {"var": "trigger.body.n"}, 9]}) == "n is between 1 and 9"
    assert rule_words({"cat": ["a", "b"]}) == '{"cat": ["a", "b"]}'


def test_changes_of_type_and_sensitivity_read_as_sentences() -> None:
    old, new = orders(), orders()
    nodes_of(new)["mail"]["sensitive"] = True
    assert graph_diff(old, new, reveal_sensitive=True)["summary"] == [
        "Send e-mail 'Send mail' is now marked sensitive"
    ]


# --- over the API ---------------------------------------------------------------------------------


def submit(api: APIClient, flow_id: str, document: dict[str, Any]) -> int:
    assert api.put(f"/api/v1/flows/{flow_id}/draft", {"graph": document}, format="json").status_code == 200
    response = api.post(f"/api/v1/flows/{flow_id}/versions", {"note": "change"}, format="json")
    assert response.status_code == 201, response.content
    return int(response.json()["number"])


def test_the_diff_endpoint_returns_the_summary_against_any_version(
    api: APIClient, carol_api: APIClient
) -> None:
    # given three versions: v2 raises the threshold, v3 also renames the filter
    old = chain(
        node("order", "trigger.webhook"),
        node("big", "transform.filter", condition={">": [{"var": "trigger.body.total"}, 100]}),
    )
    flow = carol_api.post("/api/v1/flows", {"name": "Orders", "graph": old}, format="json").json()
    submit(carol_api, flow["id"], old)
    second = copy.deepcopy(old)
    second["nodes"][1]["config"]["condition"][">"][1] = 200
    submit(carol_api, flow["id"], second)
    third = copy.deepcopy(second)
    third["nodes"][1]["name"] = "Big orders"
    submit(carol_api, flow["id"], third)
    # when v3 is compared with the one before (the default) and with v1
    before = carol_api.get(f"/api/v1/flows/{flow['id']}/versions/3/diff").json()
    first = carol_api.get(f"/api/v1/flows/{flow['id']}/versions/3/diff?against=1").json()
    # then each says what changed since
    assert before["from_version"] == 2 and before["summary"] == ["Renamed 'big' to 'Big orders'"]
    assert first["from_version"] == 1 and first["summary"] == [
        "Renamed 'big' to 'Big orders'",
        "Filter 'Big orders' now checks total > 200 instead of total > 100",
    ]
    assert first["details"][1] == {
        "text": first["summary"][1],
        "kind": "changed",
        "subject": "node",
        "node": "big",
    }


def test_a_bad_against_is_a_problem_naming_the_field(carol_api: APIClient) -> None:
    document = chain(
        node("order", "trigger.webhook"), node("big", "transform.filter", condition={">": [1, 0]})
    )
    flow = carol_api.post("/api/v1/flows", {"name": "Orders", "graph": document}, format="json").json()
    submit(carol_api, flow["id"], document)
    response = carol_api.get(f"/api/v1/flows/{flow['id']}/versions/1/diff?against=one")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "against"
