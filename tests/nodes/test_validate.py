"""`transform.validate` and the canonical schemas: valid data continues on `out`, invalid data leaves by
`invalid` with its reasons; schemas are checked when the flow is; `GET /api/v1/schemas` lists them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from rest_framework.test import APIClient

from flows.models import RunStatus
from nodes import canonical
from nodes.builtin.transform.validate import Validate
from nodes.context import NodeContext
from nodes.registry import Route
from tests.flows.conftest import steps_of
from tests.support.flows import edge, node

MakeContext = Callable[..., NodeContext]

ADDRESS = {"line1": "Keizersgracht 1", "city": "Amsterdam", "postal_code": "1015 CJ", "country": "NL"}
SAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any], set[str]]] = {
    # name: (valid, invalid, the paths the invalid one is refused at)
    "customer": (
        {
            "id": "cus_1",
            "email": "ann@example.com",
            "name": "Ann Smith",
            "phone": "+31 20 123 4567",
            "company": "Acme BV",
            "address": ADDRESS,
            "created_at": "2024-05-01T09:30:00Z",
            "crm_score": 7,  # a field the schema does not name is allowed
        },
        {
            "id": 1,
            "email": "ann@",
            "address": {**ADDRESS, "country": "Netherlands"},
            "created_at": "yesterday",
        },
        {"/email", "/address/country", "/created_at"},
    ),
    "order": (
        {
            "id": 1001,
            "customer_id": "cus_1",
            "currency": "EUR",
            "total": 59.9,
            "items": [{"sku": "MUG-1", "quantity": 2, "unit_price": 29.95}],
            "status": "paid",
            "created_at": "2024-05-01T09:30:00+02:00",
        },
        {
            "id": 1002,
            "customer_id": "cus_1",
            "currency": "euro",
            "total": -1,
            "items": [{"sku": "MUG-1", "quantity": 0}],
            "status": "lost",
        },
        {"/currency", "/total", "/items/0", "/items/0/quantity", "/status"},
    ),
    "product": (
        {
            "sku": "MUG-1",
            "name": "Mug",
            "price": 14.5,
            "currency": "USD",
            "stock": 12,
            "gtin": "8712345678906",
        },
        {"sku": "", "price": "14.50", "currency": "USD", "stock": -3},
        {"", "/sku", "/price", "/stock"},
    ),
    "ticket": (
        {
            "id": "T-9",
            "subject": "Cannot log in",
            "status": "open",
            "priority": "urgent",
            "requester_email": "bob@example.com",
            "assignee": None,
            "created_at": "2024-05-01T09:30:00.123Z",
        },
        {"id": "T-10", "subject": "Help", "status": "done", "priority": "asap", "requester_email": "bob"},
        {"/status", "/priority", "/requester_email"},
    ),
}


def check(make_context: MakeContext, config: dict[str, Any], input: Any) -> Route:
    node_type = Validate()
    assert node_type.validate_config(config) == []
    result = node_type.execute(make_context(input), node_type.parse_config(config), input)
    assert isinstance(result, Route)
    return result


@pytest.mark.parametrize("name", canonical.NAMES)
def test_each_canonical_schema_passes_its_valid_sample_and_refuses_its_invalid_one(
    make_context: MakeContext, name: str
) -> None:
    valid, invalid, paths = SAMPLES[name]
    # a valid record continues on out, as it was
    passed = check(make_context, {"canonical": name}, valid)
    assert passed == Route(output=valid, port="out")
    # an invalid one leaves by invalid, with the record and one reason per problem, each with its path
    refused = check(make_context, {"canonical": name}, invalid)
    assert refused.port == "invalid" and refused.output["data"] == invalid
    assert {error["path"] for error in refused.output["errors"]} == paths
    assert all(error["message"] for error in refused.output["errors"])


def test_the_canonical_schemas_are_valid_documented_2020_12_schemas() -> None:
    for entry in canonical.all_schemas():
        schema = entry["schema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"https://switchboard.dev/schemas/{entry['name']}.json"
        assert entry["title"] == schema["title"] and schema["description"]
        assert all("type" in p or "enum" in p or "$ref" in p for p in schema["properties"].values())


def test_formats_are_checked(make_context: MakeContext) -> None:
    schema = {
        "type": "object",
        "properties": {
            "email": {"format": "email"},
            "at": {"format": "date-time"},
            "day": {"format": "date"},
        },
    }
    good = {"email": "ann@example.com", "at": "2024-02-29T23:59:59+01:00", "day": "2024-02-29"}
    assert check(make_context, {"schema": schema}, good).port == "out"
    for field, value in [
        ("email", "ann@@example.com"),
        ("at", "2024-02-30T10:00:00Z"),
        ("at", "2024-02-01 10:00"),
        ("day", "2024-13-01"),
    ]:
        refused = check(make_context, {"schema": schema}, {**good, field: value})
        assert refused.port == "invalid", (field, value)
        assert refused.output["errors"] == [
            {"path": f"/{field}", "message": refused.output["errors"][0]["message"]}
        ]
        assert value in refused.output["errors"][0]["message"]


def test_an_inline_schema_and_data_other_than_the_input(make_context: MakeContext) -> None:
    schema = {"type": "object", "required": ["sku"], "properties": {"qty": {"type": "integer", "minimum": 1}}}
    config = {"schema": schema, "data": {"var": "input.line"}}
    assert check(make_context, config, {"line": {"sku": "A", "qty": 2}}) == Route(
        {"sku": "A", "qty": 2}, "out"
    )
    refused = check(make_context, config, {"line": {"qty": 0}})
    assert refused.output == {
        "data": {"qty": 0},
        "errors": [
            {"path": "", "message": "'sku' is required"},
            {"path": "/qty", "message": "0 is less than the minimum of 1"},
        ],
    }


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        ({"schema": {"type": "strange"}}, "schema", "Not a valid JSON Schema at type"),
        ({"schema": {"properties": {"a": {"minimum": "one"}}}}, "schema", "properties/a/minimum"),
        ({"schema": {"type": "object"}, "canonical": "order"}, "canonical", "either schema or canonical"),
        ({}, "canonical", "Give a schema, or name a canonical one"),
        ({"canonical": "invoice"}, "canonical", ""),
    ],
)
def test_bad_configs_are_refused_at_validation(config: dict[str, Any], field: str, message: str) -> None:
    problems = Validate().validate_config(config)
    assert any(path == field and message in text for path, text in problems), problems


def test_a_bad_schema_is_refused_when_the_flow_is_validated(api: APIClient) -> None:
    graph = {
        "nodes": [node("start", "trigger.manual"), node("check", "transform.validate", schema={"type": 5})],
        "edges": [edge("start", "check")],
    }
    problems = api.post("/api/v1/flows/validate", {"graph": graph}, format="json").json()["problems"]
    assert [(p["node"], p["field"]) for p in problems] == [("check", "config.schema")]


def test_the_schemas_endpoint_lists_the_canonical_schemas(api: APIClient) -> None:
    listed = api.get("/api/v1/schemas")
    assert listed.status_code == 200
    assert [(s["name"], s["title"]) for s in listed.json()] == [
        ("customer", "Customer"),
        ("order", "Order"),
        ("product", "Product"),
        ("ticket", "Ticket"),
    ]
    assert listed.json()[1]["schema"]["properties"]["currency"]["pattern"] == "^[A-Z]{3}$"


def test_in_a_real_flow_invalid_orders_take_the_invalid_port(worker: None, test_run: Any) -> None:
    document = {
        "nodes": [
            node("start", "trigger.manual"),
            node("check", "transform.validate", canonical="order"),
            node("accept", "transform.map", fields={"id": {"var": "input.id"}}),
            node("park", "transform.map", fields={"reasons": {"var": "input.errors"}}),
        ],
        "edges": [edge("start", "check"), edge("check", "accept", "out"), edge("check", "park", "invalid")],
    }
    valid, invalid, _ = SAMPLES["order"]
    good = steps_of(test_run(document, valid))
    assert good["check"].port == "out" and good["accept"].output == {"id": 1001}
    assert good["park"].status == "skipped"
    bad_run = test_run(document, invalid)
    bad = steps_of(bad_run)
    assert bad_run.status == RunStatus.SUCCEEDED and bad["check"].port == "invalid"
    assert bad["accept"].status == "skipped"
    assert {r["path"] for r in bad["park"].output["reasons"]} == SAMPLES["order"][2]
