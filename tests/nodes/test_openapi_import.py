"""OpenAPI import on real documents (tests/fixtures/openapi): what becomes a node type, what is skipped and
why, versions, imports from a URL, and the connectors API."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rest_framework.test import APIClient

from flows import services as flows
from flows.graph import validate
from hub.models import AuditEntry
from nodes import registry, services
from nodes.connectors import openapi
from nodes.models import Connector, ConnectorVersion
from tests.conftest import client_for
from tests.support.flows import chain, node
from tests.support.local_server import Answer, LocalServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "openapi"
SMALL = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in {".json", ".yaml"})


def fixture_text(name: str) -> str:
    path = FIXTURES / name
    return gzip.decompress(path.read_bytes()).decode() if name.endswith(".gz") else path.read_text()


def imported(user: Any, name: str, fixture: str) -> ConnectorVersion:
    return services.connector_import(user=user, name=name, spec=fixture_text(fixture))


def node_types_of(version: ConnectorVersion) -> list[registry.NodeType[Any]]:
    found = [registry.get(name) for name in services.connector_node_types(version)]
    assert all(t is not None for t in found)
    return [t for t in found if t is not None]


def operation(version: ConnectorVersion, operation_id: str) -> dict[str, Any]:
    return next(op for op in version.operations if op["operation_id"] == operation_id)


def tiny_spec(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Tiny CRM", "version": "1"},
        "servers": [{"url": "https://crm.example.com/api"}],
        "paths": {
            "/leads/{id}": {
                "get": {
                    "operationId": "getLead",
                    "summary": "Read a lead",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    spec.update(overrides)
    return spec


# --- every fixture ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", SMALL)
def test_every_fixture_imports_into_node_types_with_valid_schemas_and_examples(
    alice: Any, fixture: str
) -> None:
    # given a real document from @readme/oas-examples
    # when it is imported
    version = imported(alice, "fixture", fixture)
    # then each operation is a node type whose config schema is valid JSON Schema and whose example is valid
    for node_type in node_types_of(version):
        jsonschema.Draft202012Validator.check_schema(node_type.config_schema())
        assert node_type.category == "action" and node_type.title and node_type.description
        assert node_type.example is not None
        assert node_type.validate_config(node_type.example) == [], (node_type.type, node_type.example)
        assert node_type.type.startswith("connector.fixture.")
    # and every skipped operation says which one and why
    for skipped in version.skipped:
        assert skipped["operation"].split(" ")[0] in {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"}
        assert len(skipped["reason"]) > 20
    assert version.operations or version.skipped


def test_githubs_whole_api_imports_hundreds_of_operations_quickly(alice: Any) -> None:
    # given GitHub's published OpenAPI document (@octokit/openapi, 13 MB)
    text = fixture_text("api.github.com.json.gz")
    # when it is imported
    started = time.monotonic()
    version = services.connector_import(user=alice, name="github", spec=text)
    seconds = time.monotonic() - started
    print(
        f"\nGitHub: {len(version.operations)} operations, {len(version.skipped)} skipped in {seconds:.1f} s"
    )
    # then there are hundreds of node types, in reasonable time, and the two binary uploads are skipped
    assert len(version.operations) > 800
    assert seconds < 120
    assert {s["operation"] for s in version.skipped} >= {
        "POST /repos/{owner}/{repo}/releases/{release_id}/assets"
    }
    repo = registry.get("connector.github.repos_get")
    assert repo is not None
    assert repo.config_schema()["properties"]["parameters"]["required"] == ["owner", "repo"]
    assert operation(version, "repos_get")["server_url"] == "https://api.github.com"
    # and the node-type list serves them, compiled once (the second listing is from memory)
    started = time.monotonic()
    listed = [t.type for t in registry.registry.all()]
    again = [t.type for t in registry.registry.all()]
    print(f"listing twice: {time.monotonic() - started:.2f} s")
    assert "connector.github.issues_create" in listed and listed == again


# --- the edge cases ---------------------------------------------------------------------------------


def test_a_ref_cycle_becomes_a_permissive_schema_that_says_so(alice: Any) -> None:
    version = imported(alice, "circular", "schema-circular.json")
    text = json.dumps(version.operations)
    assert "contains itself: not expanded further" in text
    swagger = imported(alice, "circular2", "swagger2-schema-circular.json")
    (op,) = swagger.operations
    children = op["body"]["schema"]["properties"]["children"]["items"]
    assert children == {"description": "node (contains itself: not expanded further, any value is accepted)"}
    assert op["operation_id"] == "post_post"  # no operationId: made from method and path


def test_all_of_is_flattened_and_one_of_kept(alice: Any) -> None:
    version = imported(alice, "poly", "polymorphism.json")
    text = json.dumps([op["body"] for op in version.operations if op["body"]])
    assert '"oneOf"' in text
    for op in version.operations:
        schema = (op["body"] or {}).get("schema") or {}
        if "properties" in schema:
            assert "allOf" not in schema or all("properties" not in part for part in schema["allOf"])
    names = [op["operation_id"] for op in version.operations]
    assert all(name.replace("_", "").isalnum() for name in names) and len(set(names)) == len(names)


def test_swagger_2_is_read_with_its_host_body_form_and_security(alice: Any) -> None:
    version = imported(alice, "petstore", "swagger2-petstore.yaml")
    add = operation(version, "addPet")
    assert add["server_url"] == "http://petstore.swagger.io/v2"  # the document's only scheme
    assert add["body"]["media_type"] == "application/json"
    assert "name" in add["body"]["schema"]["properties"]  # the $ref to #/definitions/Pet expanded
    form = operation(version, "updatePetWithForm")
    assert form["body"]["media_type"] == "application/x-www-form-urlencoded"
    assert [p["key"] for p in form["parameters"]] == ["petId"]
    assert [s["operation"] for s in version.skipped] == ["POST /pet/{petId}/uploadImage"]
    assert "multipart/form-data" in version.skipped[0]["reason"]
    auth = {entry["scheme"]: entry for entry in version.auth}
    assert auth["api_key"]["kind"] == "api_key" and auth["api_key"]["settings"] == {
        "in": "header",
        "name": "api_key",
    }
    assert auth["petstore_auth"]["kind"] is None and "implicit" in auth["petstore_auth"]["unsupported"]


def test_security_schemes_map_to_connection_kinds(alice: Any) -> None:
    version = imported(alice, "secure", "security.json")
    kinds = {(e["scheme"], e["kind"]) for e in version.auth}
    assert {("apiKey_header", "api_key"), ("apiKey_query", "api_key"), ("basic", "basic")} <= kinds
    assert {("bearer", "bearer"), ("oauth2", "oauth2"), ("apiKey_cookie", None)} <= kinds
    grants = {e["settings"]["grant"]: e["settings"] for e in version.auth if e["scheme"] == "oauth2"}
    assert grants["client_credentials"]["token_url"] == "http://example.com/oauth/token"
    assert grants["authorization_code"]["authorize_url"] == "http://example.com/oauth/dialog"
    assert grants["authorization_code"]["scopes"] == ["write:things"]
    # and a node's connection field names the kind its operation needs
    needing_basic = next(op for op in version.operations if op["security"] == [["basic"]])
    node_type = registry.get(f"connector.secure.{needing_basic['operation_id']}")
    assert node_type is not None
    assert "basic connection" in node_type.config_schema()["properties"]["connection"]["description"]


def test_openapi_3_1_yaml_with_oauth2_authorization_code(alice: Any) -> None:
    version = imported(alice, "trains", "train-travel-3.1.yaml")
    assert len(version.operations) == 7
    (auth,) = version.auth
    assert auth["kind"] == "oauth2"
    assert auth["settings"] == {
        "grant": "authorization_code",
        "token_url": "https://example.com/oauth/token",
        "authorize_url": "https://example.com/oauth/authorize",
        "scopes": ["read", "write"],
    }


def test_server_variables_take_their_defaults(alice: Any) -> None:
    # given servers with variables at the document, path and operation levels
    version = imported(alice, "servers", "server-variables.json")
    urls = {(op["method"], op["path"]): op["server_url"] for op in version.operations}
    # then the innermost list wins, its first server with every variable at its default
    assert urls[("POST", "/global")] == "https://demo.example.com:443/v2"
    assert urls[("PUT", "/path")] == "https://httpbin.com/anything/common/demo"
    assert urls[("POST", "/operation")] == "https://httpbin.com/anything/demo"


def test_operations_that_cannot_be_mapped_are_skipped_with_a_reason(alice: Any) -> None:
    # given a document with a duplicate name, a relative server, an XML-only body and a cookie it needs
    spec = tiny_spec()
    spec["paths"]["/leads"] = {
        "post": {
            "operationId": "getLead",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {},
        },
        "put": {
            "operationId": "putLeads",
            "requestBody": {"content": {"application/xml": {"schema": {}}}, "required": True},
            "responses": {},
        },
        "patch": {"parameters": [{"name": "s", "in": "cookie", "required": True}], "responses": {}},
        "delete": {"servers": [{"url": "/relative"}], "responses": {}},
        "get": {"parameters": [{"$ref": "#/components/parameters/missing"}], "responses": {}},
    }
    # when it is imported
    version = services.connector_import(user=alice, name="messy", spec=spec)
    # then the good operation is kept and each other one is skipped, saying why
    assert [op["operation_id"] for op in version.operations] == ["getLead"]
    reasons = {s["operation"]: s["reason"] for s in version.skipped}
    assert "already named 'getLead'" in reasons["POST /leads"]
    assert "application/xml" in reasons["PUT /leads"]
    assert "cookie parameter 's'" in reasons["PATCH /leads"]
    assert "/relative" in reasons["DELETE /leads"] and "not an absolute" in reasons["DELETE /leads"]
    assert "points at nothing" in reasons["GET /leads"]


def test_a_document_that_is_not_openapi_is_refused() -> None:
    for text in ('{"hello": "world"}', "- just\n- a list\n", '{"openapi": "2.5"}', "{not json: [yaml"):
        with pytest.raises(openapi.SpecError):
            openapi.load(text)


def test_yaml_aliases_cannot_expand_without_end() -> None:
    layers = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        layers.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    bomb = "openapi: 3.0.0\n" + "\n".join(layers) + "\n"
    with pytest.raises(openapi.SpecError, match="too many values"):
        openapi.load(bomb)


# --- versions -----------------------------------------------------------------------------------------


def test_reimport_makes_version_2_and_a_node_pinned_to_version_1_keeps_its_schema(alice: Any) -> None:
    # given version 1 of a connector, and a node built with it
    services.connector_import(user=alice, name="crm", spec=tiny_spec())
    v1_config = {"version": 1, "parameters": {"id": 7}}
    # when the document changes (a new required header) and is imported again
    spec = tiny_spec()
    spec["paths"]["/leads/{id}"]["get"]["parameters"].append(
        {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
    )
    v2 = services.connector_import(user=alice, name="crm", spec=spec)
    # then it is version 2, which the editor offers by default
    assert v2.number == 2 and Connector.objects.get(name="crm").versions.count() == 2
    node_type = registry.get("connector.crm.getLead")
    assert node_type is not None
    assert node_type.config_schema()["properties"]["version"]["default"] == 2
    assert node_type.validate_config({"version": 2, "parameters": {"id": 7}}) == [
        ("parameters.X-Tenant", "'X-Tenant' is required")
    ]
    # and the node pinned to version 1 is still valid by version 1's schema
    assert node_type.validate_config(v1_config) == []
    # and a version that does not exist is named as the problem
    problems = node_type.validate_config({"version": 9, "parameters": {"id": 7}})
    assert [field for field, _ in problems] == ["version"]
    assert "no version 9" in problems[0][1]


def test_a_flow_pinned_to_a_missing_version_gets_a_problem_naming_config_version(alice: Any) -> None:
    services.connector_import(user=alice, name="crm", spec=tiny_spec())
    document = chain(
        node("start", "trigger.manual"),
        node("lead", "connector.crm.getLead", version=3, parameters={"id": 1}),
    )
    problems = validate(document)
    assert [(p.node, p.field) for p in problems] == [("lead", "config.version")]


# --- from a URL ---------------------------------------------------------------------------------------


class SpecServer(LocalServer):
    def __init__(self, body: bytes, content_type: str = "application/yaml") -> None:
        super().__init__()
        self.body, self.content_type = body, content_type

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, client_port: int
    ) -> Answer:
        if path == "/moved":
            return Answer(302, b"", {"Location": "/openapi.yaml"})
        return Answer(200, self.body, {"Content-Type": self.content_type})


def test_import_from_a_url_goes_through_the_egress_guard(alice: Any, settings: Any) -> None:
    # given a document served on a local address, with a relative server URL
    spec = tiny_spec(servers=[{"url": "/api/v1"}])
    with SpecServer(json.dumps(spec).encode()) as server:
        # when it is imported from there without EGRESS_ALLOW, it is refused, naming the address class
        settings.EGRESS_ALLOW = []
        api = _api(alice)
        refused = api.post(
            "/api/v1/connectors/import", {"name": "local", "url": server.url("/openapi.yaml")}, format="json"
        )
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "url"
        assert "loopback" in refused.json()["errors"][0]["message"]
        # and with 127.0.0.1 allowed it is imported (after a redirect), the server resolved against the URL
        settings.EGRESS_ALLOW = ["127.0.0.1"]
        done = api.post(
            "/api/v1/connectors/import", {"name": "local", "url": server.url("/moved")}, format="json"
        )
    assert done.status_code == 201, done.json()
    version = ConnectorVersion.objects.get(connector__name="local")
    assert version.operations[0]["server_url"] == f"http://127.0.0.1:{server.port}/api/v1"
    assert version.source_url == server.url("/moved")


def test_a_url_answering_too_much_is_refused(alice: Any, settings: Any) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    settings.CONNECTOR_SPEC_MAX_BYTES = 1000
    with SpecServer(b"x" * 5000) as server:
        response = _api(alice).post(
            "/api/v1/connectors/import", {"name": "big", "url": server.url("/spec")}, format="json"
        )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "url"
    assert error["message"] == "The document is larger than 1,000 bytes, the most an import reads."


# --- the API --------------------------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    return client_for(user)


def test_the_api_imports_lists_reads_and_deletes_a_connector(carol_api: APIClient, alice: Any) -> None:
    # when a builder imports a document given as YAML text
    text = fixture_text("swagger2-petstore.yaml")
    created = carol_api.post("/api/v1/connectors/import", {"name": "petstore", "spec": text}, format="json")
    # then it answers with the connector, its version and its node types
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "petstore" and body["version"] == 1
    assert "connector.petstore.addPet" in body["node_types"]
    assert body["skipped"][0]["operation"] == "POST /pet/{petId}/uploadImage"
    # and the import is audited
    entry = AuditEntry.objects.get(action="connector.imported")
    assert entry.detail["name"] == "petstore" and entry.detail["operations"] == len(body["node_types"])
    # and a second import (as a JSON object) is version 2
    again = carol_api.post(
        "/api/v1/connectors/import", {"name": "petstore", "spec": openapi.load(text)}, format="json"
    )
    assert again.status_code == 201 and again.json()["version"] == 2
    # and it is listed with its latest version and counts, and read with every version
    listed = carol_api.get("/api/v1/connectors").json()["results"]
    assert [(c["name"], c["latest_version"], c["version_count"]) for c in listed] == [("petstore", 2, 2)]
    assert listed[0]["operation_count"] == len(body["node_types"]) and listed[0]["skipped_count"] == 1
    detail = carol_api.get(f"/api/v1/connectors/{body['id']}").json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    first_op = detail["versions"][0]["operations"][0]
    assert first_op["node_type"].startswith("connector.petstore.") and "config_schema" in first_op
    assert detail["versions"][0]["auth"] and detail["versions"][0]["skipped"]
    # and its operations are node types for the editor
    types = {t["type"]: t for t in carol_api.get("/api/v1/node-types").json()}
    assert types["connector.petstore.addPet"]["category"] == "action"
    assert types["connector.petstore.addPet"]["config_schema"]["properties"]["version"]["default"] == 2
    # when it is deleted, it is gone, and so are its node types
    assert carol_api.delete(f"/api/v1/connectors/{body['id']}").status_code == 204
    assert registry.get("connector.petstore.addPet") is None
    assert AuditEntry.objects.filter(action="connector.deleted").exists()


def test_a_connector_a_flow_uses_is_not_deleted(alice: Any, api: APIClient) -> None:
    version = services.connector_import(user=alice, name="crm", spec=tiny_spec())
    document = chain(
        node("start", "trigger.manual"),
        node("lead", "connector.crm.getLead", version=1, parameters={"id": 1}),
    )
    flows.flow_create(user=alice, name="Leads", graph=document)
    response = api.delete(f"/api/v1/connectors/{version.connector.pk}")
    assert response.status_code == 409
    assert "flow 'Leads' (draft)" in response.json()["detail"]
    assert Connector.objects.filter(name="crm").exists()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": "crm", "spec": '{"hello": "world"}'}, "spec", "not an OpenAPI document"),
        ({"name": "crm", "spec": {"swagger": "1.2"}}, "spec", "only OpenAPI 3.0"),
        ({"name": "crm", "spec": [1, 2]}, "spec", "JSON or YAML text"),
        ({"name": "crm"}, "spec", "either as `spec` or as `url`"),
        ({"name": "Bad-Name", "spec": {"openapi": "3.0.0", "paths": {}}}, "name", "a-z, 0-9 and _"),
        ({"spec": {"openapi": "3.0.0"}}, "name", "required"),
        ({"name": "crm", "url": "ftp://example.com/spec"}, "url", ""),
    ],
)
def test_import_errors_name_the_field(
    carol_api: APIClient, body: dict[str, Any], field: str, words: str
) -> None:
    response = carol_api.post("/api/v1/connectors/import", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["field"] == field and words in error["message"]


def test_viewers_read_connectors_but_do_not_import_them(bob_api: APIClient) -> None:
    assert bob_api.get("/api/v1/connectors").status_code == 200
    refused = bob_api.post("/api/v1/connectors/import", {"name": "crm", "spec": tiny_spec()}, format="json")
    assert refused.status_code == 403


def test_a_request_too_large_to_read_names_spec_and_suggests_a_url(
    carol_api: APIClient, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "big", "spec": "x" * 5000})
    response = carol_api.post("/api/v1/connectors/import", body, content_type="application/json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "spec" and "by `url`" in error["message"]
