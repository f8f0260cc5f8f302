"""The REST API of CONTRACT §3, endpoint by endpoint, with its error cases."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from hub.models import AuditEntry
from identity.models import Team
from tests.conftest import client_for, person
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run

PROBLEM = "application/problem+json"


def manual_flow(**map_fields: Any) -> dict[str, Any]:
    return chain(
        node("start", "trigger.manual", sample={"n": 1}),
        node("shape", "transform.map", fields=map_fields or {"n": {"var": "trigger.n"}}),
    )


def create(api: APIClient, document: dict[str, Any] | None = None, name: str = "Orders") -> dict[str, Any]:
    response = api.post("/api/v1/flows", {"name": name, "graph": document or manual_flow()}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def live(api: APIClient, approver: APIClient, flow_id: str) -> None:
    number = api.post(f"/api/v1/flows/{flow_id}/versions", {"note": "first"}, format="json").json()["number"]
    response = approver.post(
        f"/api/v1/flows/{flow_id}/versions/{number}/approve", {"comment": "ok"}, format="json"
    )
    assert response.status_code == 200, response.content


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] and "detail" in body
    return body


# --- authentication and the basics ----------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_token_the_api_answers_401_as_a_problem() -> None:
    assert_problem(APIClient().get("/api/v1/flows"), 401)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer sb_not-a-token")
    assert_problem(bad.get("/api/v1/flows"), 401)


def test_me_names_the_person_and_their_roles(api: APIClient, bob_api: APIClient) -> None:
    me = api.get("/api/v1/me").json()
    assert {key: me[key] for key in ("username", "email", "roles", "teams")} == {
        "username": "alice",
        "email": "alice@example.com",
        "roles": ["viewer", "builder", "approver", "admin"],
        "teams": [],
    }
    assert bob_api.get("/api/v1/me").json()["roles"] == ["approver"]


def test_a_revoked_token_stops_working(alice: Any) -> None:
    client = client_for(alice)
    assert client.get("/api/v1/me").status_code == 200
    alice.api_tokens.update(revoked_at="2020-01-01T00:00:00Z")
    assert_problem(client.get("/api/v1/me"), 401)


def test_node_types_describe_themselves(api: APIClient) -> None:
    types = {t["type"]: t for t in api.get("/api/v1/node-types").json()}
    for required in [
        "trigger.webhook",
        "trigger.schedule",
        "trigger.manual",
        "transform.filter",
        "transform.branch",
        "transform.map",
        "transform.delay",
        "action.http",
        "action.webhook",
        "action.email",
    ]:
        assert required in types
        assert {"title", "category", "description", "config_schema", "ports"} <= set(types[required])
    assert types["transform.branch"]["ports"] == ["true", "false"]
    assert "condition" in types["transform.filter"]["config_schema"]["properties"]


# --- flows and drafts -----------------------------------------------------------------------------


def test_create_read_and_list_flows_with_cursor_pages(api: APIClient) -> None:
    created = [create(api, name=f"Flow {i}") for i in range(3)]
    assert created[0]["draft"]["nodes"][0]["id"] == "start"
    assert created[0]["live_version"] is None and created[0]["webhook_url"] is None
    assert api.get(f"/api/v1/flows/{created[0]['id']}").json()["name"] == "Flow 0"

    first = api.get("/api/v1/flows?limit=2").json()
    assert [f["name"] for f in first["results"]] == ["Flow 2", "Flow 1"]
    second = api.get(first["next"]).json()
    assert [f["name"] for f in second["results"]] == ["Flow 0"] and second["next"] is None
    assert [f["name"] for f in api.get("/api/v1/flows?search=flow 1").json()["results"]] == ["Flow 1"]


def test_the_flows_list_filters_by_team(api: APIClient) -> None:
    sales = Team.objects.create(name="Sales")
    create(api, name="General flow")
    body = {"name": "Sales flow", "graph": manual_flow(), "team": sales.pk}
    answer = api.post("/api/v1/flows", body, format="json")
    assert answer.status_code == 201, answer.json()

    listed = api.get(f"/api/v1/flows?team={sales.pk}").json()["results"]
    assert [(f["name"], f["team"]["name"]) for f in listed] == [("Sales flow", "Sales")]
    refused = api.get("/api/v1/flows?team=sales")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "team"


def test_an_invalid_graph_is_refused_with_every_problem(api: APIClient) -> None:
    document = {
        "nodes": [node("start", "trigger.manual"), node("f", "transform.filter")],
        "edges": [{"source": "start", "target": "f"}, {"source": "f", "target": "nowhere"}],
    }
    body = assert_problem(api.post("/api/v1/flows", {"name": "x", "graph": document}, format="json"), 400)
    assert {"node": "f", "field": "config.condition", "message": "'condition' is required"} in body["errors"]
    assert any(e["field"] == "edges[1].target" for e in body["errors"])


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"graph": {}}, {"name": "x" * 201, "graph": {}}])
def test_missing_or_bad_fields_are_named(api: APIClient, payload: dict[str, Any]) -> None:
    body = assert_problem(api.post("/api/v1/flows", payload, format="json"), 400)
    assert all(e["field"] for e in body["errors"])


def test_malformed_json_and_wrong_media_types_are_problems(api: APIClient) -> None:
    assert_problem(api.post("/api/v1/flows", "{not json", content_type="application/json"), 400)
    assert_problem(api.post("/api/v1/flows", "name=x", content_type="text/plain"), 415)


def test_unknown_and_malformed_ids_are_404(api: APIClient) -> None:
    assert_problem(api.get(f"/api/v1/flows/{uuid.uuid4()}"), 404)
    assert_problem(api.get("/api/v1/flows/not-a-uuid"), 404)
    assert_problem(api.get(f"/api/v1/runs/{uuid.uuid4()}"), 404)


def test_the_draft_is_replaced_only_by_a_valid_graph(api: APIClient) -> None:
    flow = create(api)
    new = manual_flow(total={"+": [1, 2]})
    response = api.put(f"/api/v1/flows/{flow['id']}/draft", {"graph": new}, format="json")
    assert response.status_code == 200
    assert response.json()["draft"]["nodes"][1]["config"]["fields"] == {"total": {"+": [1, 2]}}
    broken = {"nodes": [], "edges": []}
    assert_problem(api.put(f"/api/v1/flows/{flow['id']}/draft", {"graph": broken}, format="json"), 400)
    assert api.get(f"/api/v1/flows/{flow['id']}").json()["draft"]["nodes"][1]["config"]["fields"] == {
        "total": {"+": [1, 2]}
    }


def test_export_and_import_round_trip_the_flow_document(api: APIClient) -> None:
    flow = create(api, name="Round trip")
    exported = api.get(f"/api/v1/flows/{flow['id']}/export").json()
    assert exported["schema"] == "switchboard.flow/v1" and exported["name"] == "Round trip"
    imported = api.post("/api/v1/flows/import", exported, format="json")
    assert imported.status_code == 201
    assert imported.json()["draft"]["nodes"] == exported["nodes"]
    assert_problem(api.post("/api/v1/flows/import", {"nodes": []}, format="json"), 400)


def test_pause_and_resume(api: APIClient) -> None:
    flow = create(api)
    assert api.post(f"/api/v1/flows/{flow['id']}/pause").json()["paused"] is True
    assert api.post(f"/api/v1/flows/{flow['id']}/resume").json()["paused"] is False


# --- versions and decisions -----------------------------------------------------------------------


def test_submit_and_approve_by_someone_else(api: APIClient, bob_api: APIClient) -> None:
    flow = create(api)
    first = api.post(f"/api/v1/flows/{flow['id']}/versions", {"note": "v1"}, format="json")
    assert first.status_code == 201
    assert (
        first.json()["state"] == "pending"
        and first.json()["number"] == 1
        and first.json()["author"] == "alice"
    )
    # the author may not approve while someone else can
    body = assert_problem(api.post(f"/api/v1/flows/{flow['id']}/versions/1/approve", {}, format="json"), 403)
    assert "someone else" in body["detail"]
    approved = bob_api.post(
        f"/api/v1/flows/{flow['id']}/versions/1/approve", {"comment": "fine"}, format="json"
    )
    assert approved.json()["state"] == "approved" and approved.json()["decided_by"] == "bob"
    assert api.get(f"/api/v1/flows/{flow['id']}").json()["live_version"] == 1
    # a second approved version retires the first
    api.post(f"/api/v1/flows/{flow['id']}/versions", {"note": "v2"}, format="json")
    bob_api.post(f"/api/v1/flows/{flow['id']}/versions/2/approve", {}, format="json")
    states = {
        v["number"]: v["state"] for v in api.get(f"/api/v1/flows/{flow['id']}/versions").json()["results"]
    }
    assert states == {1: "retired", 2: "approved"}
    # a decided version cannot be decided again
    assert_problem(bob_api.post(f"/api/v1/flows/{flow['id']}/versions/2/reject", {}, format="json"), 409)
    assert api.get(f"/api/v1/flows/{flow['id']}/versions/2").json()["note"] == "v2"
    assert_problem(api.get(f"/api/v1/flows/{flow['id']}/versions/9"), 404)


def test_on_a_one_person_instance_the_author_approves_and_it_is_recorded(api: APIClient) -> None:
    flow = create(api)
    api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    response = api.post(f"/api/v1/flows/{flow['id']}/versions/1/approve", {}, format="json")
    assert response.status_code == 200 and response.json()["self_approved"] is True
    entry = AuditEntry.objects.get(action="version.approved")
    assert entry.detail["self_approved"] is True and entry.actor_name == "alice"


def test_an_approver_of_another_team_does_not_count_as_a_second_pair_of_eyes(db: Any) -> None:
    # Given dave, an approver-builder alone in team Ops, and erin, an approver only in team Sales
    ops, sales = Team.objects.create(name="Ops"), Team.objects.create(name="Sales")
    dave = client_for(person("dave", "builder", "approver", teams=(ops,)))
    erin = client_for(person("erin", "approver", teams=(sales,)))
    flow = create(dave)
    dave.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")

    # erin cannot see Ops' flow, so for it dave is a one-person instance: he may approve, marked so
    assert erin.post(f"/api/v1/flows/{flow['id']}/versions/1/approve", {}, format="json").status_code == 404
    response = dave.post(f"/api/v1/flows/{flow['id']}/versions/1/approve", {}, format="json")
    assert response.status_code == 200 and response.json()["self_approved"] is True

    # and once a second approver joins Ops, four eyes apply again
    person("frank", "approver", teams=(ops,))
    dave.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    assert dave.post(f"/api/v1/flows/{flow['id']}/versions/2/approve", {}, format="json").status_code == 403


def test_people_without_the_approver_role_cannot_decide(api: APIClient, carol_api: APIClient) -> None:
    # given a pending version, and carol, a builder in the flow's team (she sees it)
    flow = create(api)
    api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    assert carol_api.get(f"/api/v1/flows/{flow['id']}/versions/1").status_code == 200
    # then she may neither approve nor reject it
    for decision in ("approve", "reject"):
        body = assert_problem(
            carol_api.post(f"/api/v1/flows/{flow['id']}/versions/1/{decision}", {}, format="json"), 403
        )
        assert "versions:approve" in body["detail"]


def test_reject_records_the_comment(api: APIClient, bob_api: APIClient) -> None:
    flow = create(api)
    api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    rejected = bob_api.post(
        f"/api/v1/flows/{flow['id']}/versions/1/reject", {"comment": "too risky"}, format="json"
    )
    assert rejected.json()["state"] == "rejected" and rejected.json()["decision_comment"] == "too risky"
    assert api.get(f"/api/v1/flows/{flow['id']}").json()["live_version"] is None


def test_the_diff_lists_config_paths_and_ignores_moves(api: APIClient) -> None:
    flow = create(api, manual_flow(n={"var": "trigger.n"}))
    api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    changed = manual_flow(n={"var": "trigger.m"})
    changed["nodes"][0]["position"] = {"x": 500, "y": 20}
    changed["nodes"].append(node("extra", "transform.map", fields={}))
    changed["edges"].append({"source": "shape", "target": "extra"})
    api.put(f"/api/v1/flows/{flow['id']}/draft", {"graph": changed}, format="json")
    api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")

    diff = api.get(f"/api/v1/flows/{flow['id']}/versions/2/diff?against=1").json()
    assert [n["id"] for n in diff["nodes"]["added"]] == ["extra"]
    assert diff["nodes"]["removed"] == []
    assert diff["nodes"]["changed"] == [
        {
            "id": "shape",
            "type": "transform.map",
            "changes": [
                {"path": "config.fields.n.var", "old": "trigger.n", "new": "trigger.m", "kind": "changed"}
            ],
        }
    ]
    assert diff["edges"]["added"] == [{"source": "shape", "target": "extra"}]
    first = api.get(f"/api/v1/flows/{flow['id']}/versions/1/diff").json()
    assert first["from_version"] is None and len(first["nodes"]["added"]) == 2
    assert_problem(api.get(f"/api/v1/flows/{flow['id']}/versions/2/diff?against=x"), 400)
    assert_problem(api.get(f"/api/v1/flows/{flow['id']}/versions/2/diff?against=7"), 404)


# --- runs -----------------------------------------------------------------------------------------


def test_a_test_run_of_the_draft_runs_and_is_readable(worker: None, api: APIClient) -> None:
    flow = create(api)
    response = api.post(f"/api/v1/flows/{flow['id']}/test", {"payload": {"n": 7}}, format="json")
    assert response.status_code == 201
    run = response.json()
    assert run["version"] is None and run["trigger"] == "test" and run["correlation_id"]
    wait_for_run(run["id"])
    done = api.get(f"/api/v1/runs/{run['id']}").json()
    assert done["status"] == "succeeded"
    assert [(s["node"], s["status"], s["output"]) for s in done["steps"]] == [
        ("start", "succeeded", {"n": 7}),
        ("shape", "succeeded", {"n": 7}),
    ]
    listed = api.get(f"/api/v1/runs?flow={flow['id']}&status=succeeded").json()["results"]
    assert [r["id"] for r in listed] == [run["id"]]
    assert api.get("/api/v1/runs?status=failed").json()["results"] == []
    by_correlation = api.get(f"/api/v1/runs?correlation_id={run['correlation_id']}").json()["results"]
    assert [r["id"] for r in by_correlation] == [run["id"]]


@pytest.mark.parametrize("query", ["status=exploded", "flow=not-a-uuid"])
def test_bad_run_filters_are_named(api: APIClient, query: str) -> None:
    body = assert_problem(api.get(f"/api/v1/runs?{query}"), 400)
    assert body["errors"][0]["field"] == query.split("=")[0]


def test_manual_start_needs_a_live_version_and_honours_idempotency_keys(
    worker: None, api: APIClient, bob_api: APIClient
) -> None:
    flow = create(api)
    assert_problem(api.post(f"/api/v1/flows/{flow['id']}/runs", {"payload": {}}, format="json"), 409)
    live(api, bob_api, flow["id"])
    first = api.post(
        f"/api/v1/flows/{flow['id']}/runs",
        {"payload": {"n": 1}},
        format="json",
        HTTP_IDEMPOTENCY_KEY='"order-1"',
    )
    assert first.status_code == 201 and first.json()["version"] == 1
    again = api.post(
        f"/api/v1/flows/{flow['id']}/runs",
        {"payload": {"n": 1}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-1",
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert_problem(
        api.post(
            f"/api/v1/flows/{flow['id']}/runs",
            {"payload": {"n": 2}},
            format="json",
            HTTP_IDEMPOTENCY_KEY="order-1",
        ),
        422,
    )
    api.post(f"/api/v1/flows/{flow['id']}/pause")
    assert_problem(api.post(f"/api/v1/flows/{flow['id']}/runs", {"payload": {}}, format="json"), 409)


def test_replay_and_cancel(worker: None, api: APIClient) -> None:
    flow = create(api, chain(node("start", "trigger.manual"), node("wait", "transform.delay", seconds=30)))
    run = api.post(f"/api/v1/flows/{flow['id']}/test", {"payload": {}}, format="json").json()
    wait_for_run(run["id"], statuses=("waiting",))
    cancelled = api.post(f"/api/v1/runs/{run['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert_problem(api.post(f"/api/v1/runs/{run['id']}/cancel"), 409)
    replay = api.post(f"/api/v1/runs/{run['id']}/replay", {"from": "start"}, format="json")
    assert replay.status_code == 201 and replay.json()["replay_of"] == run["id"]
    assert_problem(api.post(f"/api/v1/runs/{run['id']}/replay", {"from": "middle"}, format="json"), 400)
    api.post(f"/api/v1/runs/{replay.json()['id']}/cancel")


# --- logic, audit, schema -------------------------------------------------------------------------


def test_logic_evaluate(api: APIClient) -> None:
    ok = api.post(
        "/api/v1/logic/evaluate",
        {"rule": {">": [{"var": "total"}, 100]}, "data": {"total": 120}},
        format="json",
    )
    assert ok.status_code == 200 and ok.json() == {"result": True}
    body = assert_problem(
        api.post("/api/v1/logic/evaluate", {"rule": {"no_such_op": [1]}}, format="json"), 400
    )
    assert body["errors"][0]["field"] == "rule"
    assert_problem(api.post("/api/v1/logic/evaluate", {"data": {}}, format="json"), 400)


def test_the_audit_log_lists_what_happened_newest_first(api: APIClient) -> None:
    flow = create(api)
    api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    actions = [e["action"] for e in api.get("/api/v1/audit").json()["results"]]
    assert actions[:2] == ["version.submitted", "flow.created"]


def test_the_openapi_document_describes_every_endpoint(api: APIClient, client: Any) -> None:
    schema = client.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/node-types",
        "/api/v1/flows",
        "/api/v1/flows/{flow_id}",
        "/api/v1/flows/{flow_id}/draft",
        "/api/v1/flows/{flow_id}/versions",
        "/api/v1/flows/{flow_id}/versions/{number}/diff",
        "/api/v1/flows/{flow_id}/versions/{number}/approve",
        "/api/v1/flows/{flow_id}/versions/{number}/reject",
        "/api/v1/flows/{flow_id}/pause",
        "/api/v1/flows/{flow_id}/resume",
        "/api/v1/flows/{flow_id}/test",
        "/api/v1/flows/{flow_id}/runs",
        "/api/v1/runs",
        "/api/v1/runs/{run_id}",
        "/api/v1/runs/{run_id}/replay",
        "/api/v1/runs/{run_id}/cancel",
        "/api/v1/logic/evaluate",
        "/api/v1/audit",
        "/api/v1/flows/{flow_id}/export",
        "/api/v1/flows/import",
        "/hooks/{key}",
        "/healthz",
        "/readyz",
    ]:
        assert path in paths, path
    create_op = paths["/api/v1/flows"]["post"]
    assert "201" in create_op["responses"]
    assert create_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "FlowCreateRequest"
    )
    assert client.get("/api/docs/").status_code == 200


# --- what the browser app needs -------------------------------------------------------------------


def test_an_unfinished_draft_is_saved_with_its_problems(api: APIClient) -> None:
    # given a draft being drawn: a trigger and a filter without its condition
    drawing = {"nodes": [node("start", "trigger.manual"), node("check", "transform.filter")], "edges": []}
    # when it is saved as a partial draft
    created = api.post("/api/v1/flows?partial=true", {"name": "Drawing", "graph": drawing}, format="json")
    # then it is kept, and the answer lists what is still wrong
    assert created.status_code == 201
    problems = created.json()["problems"]
    assert {"node": "check", "field": "config.condition", "message": "'condition' is required"} in problems
    assert any(p["node"] == "check" and "Nothing leads" in p["message"] for p in problems)
    flow_id = created.json()["id"]
    # and a later partial save still refuses what is not a flow at all
    bad_ids = {"nodes": [node("a b", "trigger.manual")], "edges": []}
    body = assert_problem(
        api.put(f"/api/v1/flows/{flow_id}/draft?partial=1", {"graph": bad_ids}, format="json"), 400
    )
    assert body["errors"][0]["field"] == "nodes[0].id"
    # and an unfinished draft can be neither tested nor submitted
    assert_problem(api.post(f"/api/v1/flows/{flow_id}/test", {"payload": {}}, format="json"), 400)
    assert_problem(api.post(f"/api/v1/flows/{flow_id}/versions", {}, format="json"), 400)


def test_validate_answers_with_the_servers_own_problems(api: APIClient) -> None:
    ok = api.post("/api/v1/flows/validate", {"graph": manual_flow()}, format="json")
    assert ok.status_code == 200 and ok.json() == {"problems": []}
    broken = {"nodes": [node("start", "trigger.manual"), node("b", "transform.branch")], "edges": []}
    problems = api.post("/api/v1/flows/validate", {"graph": broken}, format="json").json()["problems"]
    assert {p["node"] for p in problems} == {"b"}


def test_templates_are_valid_flows_that_import(api: APIClient) -> None:
    templates = api.get("/api/v1/templates").json()
    assert len(templates) >= 4
    assert any("CRM" in t["name"] for t in templates)
    for template in templates:
        assert template["description"]
        problems = api.post("/api/v1/flows/validate", {"graph": template["document"]}, format="json")
        assert problems.json()["problems"] == [], template["id"]
        assert api.post("/api/v1/flows/import", template["document"], format="json").status_code == 201


def test_the_flow_list_shows_state_and_last_run(worker: None, api: APIClient, bob_api: APIClient) -> None:
    flow = create(api)
    assert flow["state"] == "draft" and flow["last_run"] is None and flow["trigger_type"] == "trigger.manual"
    api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    assert api.get(f"/api/v1/flows/{flow['id']}").json()["state"] == "pending"
    bob_api.post(f"/api/v1/flows/{flow['id']}/versions/1/approve", {}, format="json")
    assert api.get(f"/api/v1/flows/{flow['id']}").json()["state"] == "live"
    run = api.post(f"/api/v1/flows/{flow['id']}/runs", {"payload": {"n": 1}}, format="json").json()
    wait_for_run(run["id"])
    listed = api.get("/api/v1/flows").json()["results"][0]
    assert listed["last_run"]["id"] == run["id"] and listed["last_run"]["status"] == "succeeded"
    api.post(f"/api/v1/flows/{flow['id']}/pause")
    assert api.get(f"/api/v1/flows/{flow['id']}").json()["state"] == "paused"


def test_the_approvals_inbox_lists_pending_versions_across_flows(api: APIClient, bob_api: APIClient) -> None:
    first, second = create(api, name="First"), create(api, name="Second")
    for flow in (first, second):
        api.post(f"/api/v1/flows/{flow['id']}/versions", {"note": "please"}, format="json")
    bob_api.post(f"/api/v1/flows/{first['id']}/versions/1/approve", {}, format="json")
    pending = bob_api.get("/api/v1/versions?state=pending").json()["results"]
    assert [(v["flow_name"], v["number"], v["note"]) for v in pending] == [("Second", 1, "please")]
    assert pending[0]["flow"] == second["id"]
    assert_problem(bob_api.get("/api/v1/versions?state=maybe"), 400)


def test_a_flow_can_be_renamed(api: APIClient) -> None:
    flow = create(api, name="Old name")
    renamed = api.patch(f"/api/v1/flows/{flow['id']}", {"name": "New name"}, format="json")
    assert renamed.json()["name"] == "New name" and renamed.json()["draft"]["name"] == "New name"
    assert_problem(api.patch(f"/api/v1/flows/{flow['id']}", {"name": ""}, format="json"), 400)


def test_node_schemas_tell_the_editor_which_input_to_offer(api: APIClient) -> None:
    types = {t["type"]: t["config_schema"] for t in api.get("/api/v1/node-types").json()}
    assert types["transform.filter"]["properties"]["condition"]["x-widget"] == "condition"
    assert types["action.http"]["properties"]["url"]["x-widget"] == "template"
    assert types["transform.map"]["properties"]["fields"]["additionalProperties"]["x-widget"] == "expression"
    assert types["trigger.manual"]["properties"]["sample"]["x-widget"] == "json"
    assert types["action.http"]["title"] == "HTTP request"


def test_a_run_shows_the_graph_it_executed(worker: None, api: APIClient) -> None:
    # given a test run of the draft, and then a changed draft
    flow = create(api)
    run = api.post(f"/api/v1/flows/{flow['id']}/test", {"payload": {"n": 1}}, format="json").json()
    changed = manual_flow(other={"var": "trigger.n"})
    api.put(f"/api/v1/flows/{flow['id']}/draft", {"graph": changed}, format="json")
    # then the run still shows the draft as it was when it started
    shown = api.get(f"/api/v1/runs/{run['id']}").json()["graph"]
    assert shown["nodes"][1]["config"]["fields"] == {"n": {"var": "trigger.n"}}
