"""The transform node types: filter, branch, map and delay, run against a real context."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from nodes.builtin.transform.branch import Branch
from nodes.builtin.transform.delay import Delay
from nodes.builtin.transform.filter import Filter
from nodes.builtin.transform.map import Map
from nodes.context import NodeContext
from nodes.registry import Route, Wait

MakeContext = Callable[..., NodeContext]
BIG_ORDER = {">": [{"var": "input.total"}, 100]}


@pytest.mark.parametrize(("total", "port"), [(120, "out"), (80, None)])
def test_filter_passes_its_input_only_when_the_condition_holds(
    make_context: MakeContext, total: int, port: str | None
) -> None:
    # given an order and a filter on big orders
    order = {"total": total}
    node = Filter()
    # when the filter runs
    result = node.execute(make_context(order), node.parse_config({"condition": BIG_ORDER}), order)
    # then the order goes on through "out" when big, and the branch stops otherwise
    assert result == Route(output=order, port=port)


@pytest.mark.parametrize(("country", "port"), [("NL", "true"), ("BE", "false")])
def test_branch_routes_to_the_true_or_false_port(
    make_context: MakeContext, country: str | None, port: str
) -> None:
    # given a branch on the customer's country, reading the trigger's output
    trigger = {"body": {"country": country}}
    node = Branch()
    config = node.parse_config({"condition": {"==": [{"var": "trigger.body.country"}, "NL"]}})
    # when it runs
    result = node.execute(make_context({"x": 1}, trigger=trigger), config, {"x": 1})
    # then its input goes to the port the condition names
    assert result == Route(output={"x": 1}, port=port)


def test_filter_and_branch_require_a_condition() -> None:
    for node in (Filter(), Branch()):
        assert node.validate_config({}) == [("condition", "'condition' is required")]


def test_map_builds_an_object_from_rules_templates_and_literals(make_context: MakeContext) -> None:
    # given an order from the trigger and a map with every kind of value
    trigger = {"body": {"total": 100, "customer": {"email": "ann@example.com", "name": "Ann"}}}
    node = Map()
    config = node.parse_config(
        {
            "fields": {
                "email": "{{ trigger.body.customer.email }}",
                "greeting": "Dear {{ trigger.body.customer.name }}",
                "gross": {"*": [{"var": "trigger.body.total"}, 1.21]},
                "customer": "{{ trigger.body.customer }}",
                "source": "shop",
                "count": 3,
                "raw": {"literal": {"var": "not evaluated"}},
                "nested": {"total": {"var": "trigger.body.total"}, "tags": ["a", "{{ steps.tag.name }}"]},
            }
        }
    )
    # when it runs
    output = node.execute(make_context(trigger, steps={"tag": {"name": "vip"}}), config, trigger)
    # then each field holds its evaluated value
    assert output == {
        "email": "ann@example.com",
        "greeting": "Dear Ann",
        "gross": 121,
        "customer": {"email": "ann@example.com", "name": "Ann"},
        "source": "shop",
        "count": 3,
        "raw": {"var": "not evaluated"},
        "nested": {"total": 100, "tags": ["a", "vip"]},
    }


def test_map_field_named_like_an_operator_is_a_field(make_context: MakeContext) -> None:
    # given a map whose only field is called "var" (also the name of an operator)
    node = Map()
    config = node.parse_config({"fields": {"var": "{{ input.a }}"}})
    # when it runs
    output = node.execute(make_context({"a": 1}), config, {"a": 1})
    # then the output has that field, rather than the fields being read as one rule
    assert output == {"var": 1}


def test_map_requires_fields_as_an_object() -> None:
    assert Map().validate_config({"fields": ["email"]}) == [("fields", "['email'] is not of type 'object'")]


def test_delay_waits_then_passes_its_input(make_context: MakeContext) -> None:
    # given a delay of an hour
    node = Delay()
    before = datetime.now(UTC)
    # when it runs
    result = node.execute(make_context({"id": 7}), node.parse_config({"seconds": 3600}), {"id": 7})
    # then the step waits until an hour from now, and will output its input
    assert isinstance(result, Wait)
    assert result.output == {"id": 7}
    assert before + timedelta(hours=1) <= result.until <= datetime.now(UTC) + timedelta(hours=1)


@pytest.mark.parametrize("seconds", [-1, 30 * 24 * 3600 + 1, "soon"])
def test_delay_refuses_negative_too_long_or_non_numeric_seconds(seconds: object) -> None:
    problems = Delay().validate_config({"seconds": seconds})
    assert [field for field, _ in problems] == ["seconds"]
