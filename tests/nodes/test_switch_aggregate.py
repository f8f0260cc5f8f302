"""`transform.switch` and `transform.aggregate`: their configs, their results against a real context,
and a switch routing real runs; plus the loop node's own config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import services
from flows.graph import validate
from flows.models import RunStatus, StepStatus
from nodes import registry
from nodes.builtin.transform.aggregate import Aggregate
from nodes.builtin.transform.loop import Loop
from nodes.builtin.transform.switch import Switch
from nodes.context import NodeContext
from nodes.registry import NodeError, Route
from tests.support.flows import edge, node
from tests.support.runs import wait_for_run

MakeContext = Callable[..., NodeContext]
CASES = [
    {"port": "urgent", "condition": {"==": [{"var": "input.priority"}, "high"]}},
    {"port": "billing", "condition": {"in": ["invoice", {"var": "input.subject"}]}},
    {"port": "nl", "condition": {"==": [{"var": "input.country"}, "NL"]}},
]

# --- switch -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticket", "port"),
    [
        ({"priority": "high", "subject": "invoice 7", "country": "NL"}, "urgent"),
        ({"priority": "low", "subject": "invoice 7", "country": "NL"}, "billing"),
        ({"priority": "low", "subject": "hello", "country": "NL"}, "nl"),
        ({"priority": "low", "subject": "hello", "country": "BE"}, "default"),
    ],
)
def test_switch_routes_through_the_first_case_that_holds(
    make_context: MakeContext, ticket: dict[str, Any], port: str
) -> None:
    node_type = Switch()
    result = node_type.execute(make_context(ticket), node_type.parse_config({"cases": CASES}), ticket)
    assert result == Route(output=ticket, port=port)


def test_switch_ports_are_its_cases_and_default() -> None:
    assert Switch().ports_for({"cases": CASES}) == ("default", "urgent", "billing", "nl")
    assert Switch().validate_config(Switch.example) == []


@pytest.mark.parametrize(
    ("cases", "expected"),
    [
        (
            [{"port": "a", "condition": True}, {"port": "a", "condition": False}],
            [("cases[1].port", "Another case already uses the port 'a'.")],
        ),
        (
            [{"port": "default", "condition": True}],
            [("cases[0].port", "The port name 'default' is reserved; choose another.")],
        ),
        (
            [{"port": "ok", "condition": True}, {"port": "error", "condition": True}],
            [("cases[1].port", "The port name 'error' is reserved; choose another.")],
        ),
        ([{"port": "two words", "condition": True}], [("cases[0].port", None)]),
        ([{"port": "x" * 65, "condition": True}], [("cases[0].port", None)]),
        ([{"port": "a"}], [("cases[0].condition", "'condition' is required")]),
        ([], [("cases", "[] should be non-empty")]),
    ],
)
def test_switch_config_problems_name_the_case(
    cases: list[Any], expected: list[tuple[str, str | None]]
) -> None:
    problems = Switch().validate_config({"cases": cases})
    assert [
        (path, message if want is not None else None)
        for (path, message), (_, want) in zip(problems, expected, strict=True)
    ] == expected


def test_a_flow_edge_may_leave_only_from_a_declared_case_port(db: Any) -> None:
    document = {
        "nodes": [node("start", "trigger.manual"), node("route", "transform.switch", cases=CASES)],
        "edges": [edge("start", "route")],
    }
    document["nodes"].append(node("x", "transform.map", fields={"a": 1}))
    document["edges"].append(edge("route", "x", "nowhere"))
    ((problem,),) = [[p for p in validate(document) if p.field == "edges[1].sourcePort"]]
    assert "its ports are default, urgent, billing, nl" in problem.message


def test_switch_in_a_real_flow_takes_one_branch_per_run(worker: None, alice: Any) -> None:
    # given a ticket flow: a switch with three cases and a default, each leading to its own step
    document = {
        "schema": "switchboard.flow/v1",
        "name": "Tickets",
        "nodes": [
            node("start", "trigger.manual"),
            node("route", "transform.switch", cases=CASES),
            *[node(port, "transform.map", fields={"via": port, "id": {"var": "input.id"}}) for port in PORTS],
        ],
        "edges": [edge("start", "route"), *[edge("route", port, port) for port in PORTS]],
    }
    flow = services.flow_create(user=alice, name="Tickets", graph=document)
    tickets = {
        "urgent": {"id": 1, "priority": "high"},
        "billing": {"id": 2, "subject": "invoice 9"},
        "nl": {"id": 3, "country": "NL"},
        "default": {"id": 4, "country": "BE"},
    }
    for expected, ticket in tickets.items():
        # when a ticket runs through it
        run = wait_for_run(services.run_test(flow=flow, user=alice, payload=ticket).pk)
        # then only the step on its case's port ran, and the others were skipped
        assert run.status == RunStatus.SUCCEEDED, run.error
        steps = {s.node: s for s in run.steps.all()}
        assert steps["route"].port == expected
        assert steps[expected].output == {"via": expected, "id": ticket["id"]}
        assert {p for p in PORTS if steps[p].status == StepStatus.SKIPPED} == set(PORTS) - {expected}


PORTS = ["urgent", "billing", "nl", "default"]

# --- aggregate ----------------------------------------------------------------------------------------

ORDERS = [
    {"id": 1, "country": "NL", "total": 10, "customer": {"name": "Ann"}, "tags": ["a"]},
    {"id": 2, "country": "BE", "total": 2.5, "customer": {"name": "Bob"}, "tags": ["b"]},
    {"id": 3, "country": "NL", "total": 20, "customer": {"name": "Cas"}, "tags": ["a"]},
    {"id": 4, "country": "NL", "total": None, "customer": {"name": "Ann"}},
]
EVERY_OP = {
    "orders": {"op": "count"},
    "with_total": {"op": "count", "path": "total"},
    "sum": {"op": "sum", "path": "total"},
    "avg": {"op": "avg", "path": "total"},
    "min": {"op": "min", "path": "total"},
    "max": {"op": "max", "path": "customer.name"},
    "first": {"op": "first", "path": "customer.name"},
    "last": {"op": "last", "path": "id"},
    "ids": {"op": "collect", "path": "id"},
    "names": {"op": "join", "path": "customer.name", "separator": "|"},
    "customers": {"op": "count_distinct", "path": "customer.name"},
    "first_tag": {"op": "collect", "path": "tags.0"},
}


def aggregate(make_context: MakeContext, config: dict[str, Any], input: Any = ORDERS) -> Any:
    node_type = Aggregate()
    assert node_type.validate_config(config) == []
    return node_type.execute(make_context(input), node_type.parse_config(config), input)


def test_aggregate_computes_every_operation_over_the_input(make_context: MakeContext) -> None:
    assert aggregate(make_context, {"fields": EVERY_OP}) == {
        "orders": 4,
        "with_total": 3,
        "sum": 32.5,
        "avg": 32.5 / 3,
        "min": 2.5,
        "max": "Cas",
        "first": "Ann",
        "last": 4,
        "ids": [1, 2, 3, 4],
        "names": "Ann|Bob|Cas|Ann",
        "customers": 3,
        "first_tag": ["a", "b", "a"],
    }


def test_aggregate_groups_in_order_of_first_appearance(make_context: MakeContext) -> None:
    config = {
        "items": {"var": "trigger.orders"},
        "group_by": "country",
        "fields": {"orders": {"op": "count"}, "revenue": {"op": "sum", "path": "total"}},
    }
    output = aggregate(make_context, config, {"orders": ORDERS})
    assert output == {
        "groups": [{"key": "NL", "orders": 3, "revenue": 30}, {"key": "BE", "orders": 1, "revenue": 2.5}],
        "count": 2,
    }


def test_aggregate_of_nothing(make_context: MakeContext) -> None:
    fields = {"n": {"op": "count"}, "s": {"op": "sum", "path": "x"}, "a": {"op": "avg", "path": "x"}}
    assert aggregate(make_context, {"fields": fields}, []) == {"n": 0, "s": 0, "a": None}
    assert aggregate(make_context, {"group_by": "k", "fields": fields}, []) == {"groups": [], "count": 0}


@pytest.mark.parametrize(
    ("items", "op", "message"),
    [
        ([{"v": 1}, {"v": "2"}], "sum", "Field 'f' (sum of 'v'): item 1 has \"2\", which is not a number."),
        ([{"v": True}], "avg", "Field 'f' (avg of 'v'): item 0 has true, which is not a number."),
        ([{"v": 1}, {"v": "a"}], "min", 'item 1 has "a", which is not a number like the values before it.'),
        ([{"v": [1]}], "max", "item 0 has [1], which is not a text."),
        ([{"v": {"a": 1}}], "join", 'item 0 has {"a": 1}, which is not a text or a number.'),
    ],
)
def test_aggregate_refuses_values_it_cannot_compute_naming_field_and_item(
    make_context: MakeContext, items: list[Any], op: str, message: str
) -> None:
    with pytest.raises(NodeError) as raised:
        aggregate(make_context, {"fields": {"f": {"op": op, "path": "v"}}}, items)
    assert message in raised.value.message


def test_aggregate_refuses_items_that_are_not_a_list(make_context: MakeContext) -> None:
    with pytest.raises(NodeError, match="`items` must be a list; it is dict"):
        aggregate(make_context, {"fields": {"n": {"op": "count"}}}, {"a": 1})


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"fields": {"s": {"op": "sum"}}}, [("fields.s.path", "A path is needed for the operation 'sum'.")]),
        ({"fields": {"s": {"op": "median", "path": "a"}}}, [("fields.s.op", None)]),
        ({"fields": {"s": {"op": "sum", "path": "a..b"}}}, [("fields.s.path", None)]),
        ({"fields": {}}, [("fields", None)]),
        ({}, [("fields", "'fields' is required")]),
        (
            {"group_by": "country", "fields": {"key": {"op": "count"}}},
            [("", "With group_by, 'key' names each group's value; call this field otherwise.")],
        ),
    ],
)
def test_aggregate_config_problems_name_the_field(
    config: dict[str, Any], expected: list[tuple[str, str | None]]
) -> None:
    problems = [(path or "", message) for path, message in Aggregate().validate_config(config)]
    assert [
        (path, message if want else None)
        for (path, message), (_, want) in zip(problems, expected, strict=True)
    ] == expected


# --- loop config --------------------------------------------------------------------------------------


def test_loop_config_bounds_its_concurrency_and_size(make_context: MakeContext) -> None:
    loop = Loop()
    assert loop.validate_config(Loop.example) == []
    assert loop.parse_config({"items": []}).concurrency == 1
    assert loop.parse_config({"items": []}).max_items == 1000
    assert [p for p, _ in loop.validate_config({"items": [], "concurrency": 11})] == ["concurrency"]
    assert [p for p, _ in loop.validate_config({"items": [], "concurrency": 0})] == ["concurrency"]
    assert [p for p, _ in loop.validate_config({"items": [], "max_items": 10_001})] == ["max_items"]
    assert [p for p, _ in loop.validate_config({})] == ["items"]
    assert loop.ports_for({}) == ("each", "done")


def test_every_new_node_type_is_registered_with_an_example() -> None:
    for type_name in ("transform.switch", "transform.aggregate", "transform.loop"):
        node_type = registry.get(type_name)
        assert node_type is not None and node_type.example is not None
        assert node_type.validate_config(node_type.example) == []
