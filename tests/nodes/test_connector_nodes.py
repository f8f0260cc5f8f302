"""Imported connector operations as nodes: run in real flows against a local server, parameters checked,
and held to the team's policies like the other actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import services as flows
from flows.graph import validate
from flows.models import RunStatus
from identity.models import Team
from nodes import policies, registry, services
from nodes.context import NodeContext
from nodes.policies import DlpRules, Policies, TeamRules
from nodes.registry import NodeError
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run
from tests.support.sink import HttpSink

MakeContext = Callable[..., NodeContext]


def crm_spec(server: str) -> dict[str, Any]:
    """A small CRM API: one operation with path, query and header parameters and a JSON body."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "CRM", "version": "1"},
        "servers": [{"url": server}],
        "components": {
            "schemas": {
                "Lead": {
                    "type": "object",
                    "required": ["email"],
                    "properties": {"email": {"type": "string"}, "score": {"type": "integer"}},
                }
            },
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
        },
        "security": [{"key": []}],
        "paths": {
            "/orgs/{org}/leads/{id}": {
                "parameters": [{"name": "org", "in": "path", "required": True, "schema": {"type": "string"}}],
                "put": {
                    "operationId": "upsert-lead",
                    "summary": "Create or update a lead",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                        {"name": "notify", "in": "query", "schema": {"type": "boolean"}},
                        {
                            "name": "tags",
                            "in": "query",
                            "schema": {"type": "array", "items": {"type": "string"}},
                        },
                        {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "priority",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["low", "high"]},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Lead"}}},
                    },
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
    }


CONFIG = {
    "version": 1,
    "parameters": {
        "org": "{{ trigger.org }}",
        "id": "{{ trigger.id }}",
        "notify": True,
        "tags": ["a", "b"],
        "X-Tenant": "{{ trigger.tenant }}",
    },
    "body": {"email": "{{ trigger.email }}", "score": {"+": [{"var": "trigger.score"}, 1]}},
}
PAYLOAD = {"org": "acme co/eu", "id": "42", "tenant": "t-1", "email": "ann@example.com", "score": 9}


def test_an_imported_operation_runs_in_a_real_flow(worker: None, alice: Any, http_sink: HttpSink) -> None:
    # given a connector imported from a document whose server is a local server
    services.connector_import(user=alice, name="crm", spec=crm_spec(http_sink.url("/api")))
    http_sink.reply(json_body={"id": 42, "saved": True})
    document = chain(node("start", "trigger.manual"), node("lead", "connector.crm.upsert_lead", **CONFIG))
    assert validate(document) == []
    # when a flow using its operation runs
    flow = flows.flow_create(user=alice, name="Leads", graph=document)
    run = wait_for_run(flows.run_test(flow=flow, user=alice, payload=PAYLOAD).pk)
    # then the request carried the path (encoded), query and header parameters and the evaluated body
    assert run.status == RunStatus.SUCCEEDED, steps_of(run)["lead"].error
    (request,) = http_sink.requests
    assert request.method == "PUT"
    assert request.path.split("?")[0] == "/api/orgs/acme%20co%2Feu/leads/42"
    assert request.query == {"notify": ["true"], "tags": ["a", "b"]}
    assert request.headers["x-tenant"] == "t-1"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"email": "ann@example.com", "score": 10}
    # and the reply is the step's output
    assert steps_of(run)["lead"].output["body"] == {"id": 42, "saved": True}


@pytest.fixture
def crm(alice: Any, http_sink: HttpSink, settings: Any) -> registry.NodeType[Any]:
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    services.connector_import(user=alice, name="crm", spec=crm_spec(http_sink.url("/api")))
    found = registry.get("connector.crm.upsert_lead")
    assert found is not None
    return found


def _run(node_type: registry.NodeType[Any], make_context: MakeContext, config: dict[str, Any]) -> Any:
    assert node_type.validate_config(config) == []
    return node_type.execute(make_context(PAYLOAD, node_id="lead"), node_type.parse_config(config), PAYLOAD)


def test_a_value_that_does_not_fit_its_parameter_fails_naming_it(
    crm: registry.NodeType[Any], make_context: MakeContext, http_sink: HttpSink
) -> None:
    config = {**CONFIG, "parameters": {**CONFIG["parameters"], "priority": "urgent"}}
    with pytest.raises(NodeError, match=r"query parameter 'priority' is \"urgent\", which does not fit"):
        _run(crm, make_context, config)
    config = {**CONFIG, "parameters": {**CONFIG["parameters"], "id": "{{ trigger.email }}"}}
    with pytest.raises(NodeError, match="path parameter 'id'"):
        _run(crm, make_context, config)
    assert http_sink.requests == []


def test_a_required_parameter_without_a_value_fails_naming_it(
    crm: registry.NodeType[Any], make_context: MakeContext
) -> None:
    config = {**CONFIG, "parameters": {**CONFIG["parameters"], "X-Tenant": "{{ trigger.nothing }}"}}
    with pytest.raises(NodeError, match="header parameter 'X-Tenant' is required"):
        _run(crm, make_context, config)


def test_the_server_can_be_overridden(
    crm: registry.NodeType[Any], make_context: MakeContext, http_sink: HttpSink
) -> None:
    _run(crm, make_context, {**CONFIG, "server": http_sink.url("/other/")})
    assert http_sink.requests[0].path.startswith("/other/orgs/")


def test_the_config_schema_is_built_from_the_operation(crm: registry.NodeType[Any]) -> None:
    schema = crm.config_schema()
    parameters = schema["properties"]["parameters"]
    assert set(parameters["properties"]) == {"org", "id", "notify", "tags", "X-Tenant", "priority"}
    assert parameters["required"] == ["org", "id", "X-Tenant"]
    assert parameters["properties"]["priority"]["x-param-schema"] == {
        "type": "string",
        "enum": ["low", "high"],
    }
    assert parameters["properties"]["id"]["x-widget"] == "expression"
    assert "api_key connection" in schema["properties"]["connection"]["description"]
    assert schema["properties"]["body"]["x-body-schema"]["required"] == ["email"]
    assert set(schema["required"]) == {"version", "parameters", "body"}
    assert crm.validate_config({"version": 1, "parameters": {"org": "a", "id": 1}, "body": {}}) == [
        ("parameters.X-Tenant", "'X-Tenant' is required")
    ]


# --- policies ---------------------------------------------------------------------------------------


def test_connector_wildcards_allow_one_connector_or_all() -> None:
    assert policies.type_allowed("connector.crm.upsert_lead", ["connector.crm.*"])
    assert not policies.type_allowed("connector.billing.charge", ["connector.crm.*"])
    assert policies.type_allowed("connector.billing.charge", ["connector.*"])
    assert not policies.type_allowed("connector.crm.upsert_lead", ["action.*", "transform.*"])
    assert policies.node_type_problem("connector.*", wildcards=True) is None
    assert policies.node_type_problem("connector.crm.*", wildcards=True) is None
    assert policies.node_type_problem("connector.Bad-Name.*", wildcards=True) is not None


def test_the_teams_allowed_hosts_apply_to_connector_operations(
    crm: registry.NodeType[Any], make_context: MakeContext, http_sink: HttpSink
) -> None:
    rules = Policies(TeamRules("Sales", allowed_hosts=("api.example.com",)), DlpRules())
    lead = {"id": "lead", "type": "connector.crm.upsert_lead", "config": CONFIG}
    # at submit: the operation's server (127.0.0.1) is not allowed; the field named is the server
    (violation,) = rules.node_violations(lead)
    assert violation.field == "config.server" and "127.0.0.1" in violation.message
    overridden = {**lead, "config": {**CONFIG, "server": "https://api.example.com/v1"}}
    assert rules.node_violations(overridden) == []
    # at run time: the host actually called is checked
    guard = rules.host_guard(overridden)
    assert guard is not None
    ctx = make_context(PAYLOAD, node_id="lead")
    ctx.host_guard = rules.host_guard(lead)
    with pytest.raises(NodeError, match="which team Sales may not call"):
        crm.execute(ctx, crm.parse_config(CONFIG), PAYLOAD)
    assert http_sink.requests == []


def test_a_team_policy_may_name_connector_wildcards(api: Any) -> None:
    team = Team.objects.create(name="Sales")
    response = api.put(
        f"/api/v1/teams/{team.pk}/policy",
        {
            "allowed_node_types": ["trigger.*", "connector.crm.*"],
            "allowed_hosts": [],
            "require_sensitive": [],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["allowed_node_types"] == ["connector.crm.*", "trigger.*"]
