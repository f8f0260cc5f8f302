"""Tests for nodes.expressions: the JSON Logic community suites, the current-spec operators, templates and
config-value evaluation (CONTRACT §2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodes.expressions import (
    MAX_DEPTH,
    ExpressionError,
    apply,
    evaluate,
    is_rule,
    operators,
    render_template,
    truthy,
)

SUITES = Path(__file__).resolve().parent.parent / "fixtures" / "jsonlogic"


def _suite_files() -> list[Path]:
    return sorted(SUITES.rglob("*.json"))


def _suite_cases() -> list[Any]:
    cases = []
    for path in _suite_files():
        name = path.relative_to(SUITES).as_posix()
        for case in json.loads(path.read_text(encoding="utf-8")):
            if isinstance(case, dict):  # strings are section comments
                cases.append(pytest.param(case, id=f"{name}: {case['description']}"))
    return cases


def typed(value: Any) -> Any:
    """`value` with every scalar tagged by its JSON type, so 1 != 1.0 != true when compared."""
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    return (type(value).__name__, value)


def literal(value: Any) -> dict[str, Any]:
    """`value` as data inside a rule (a one-key object would otherwise be read as an operator)."""
    return {"literal": value}


def nested(depth: int, leaf: Any, wrap: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = wrap(value)
    return value


# --- the community suites --------------------------------------------------------------------------


def test_every_suite_file_is_there() -> None:
    names = {path.relative_to(SUITES).as_posix() for path in _suite_files()}
    classic = [
        case for case in json.loads((SUITES / "compatible.json").read_text()) if isinstance(case, dict)
    ]

    assert (SUITES / "README.md").exists()
    assert {"compatible.json", "truthiness.json", "arithmetic/plus.extra.json", "string/substr.json"} <= names
    assert len(names) == 35
    assert len(classic) == 278


@pytest.mark.parametrize("case", _suite_cases())
def test_community_suite(case: dict[str, Any]) -> None:
    rule, data = case["rule"], case.get("data")

    if "error" in case:
        with pytest.raises(ExpressionError) as raised:
            apply(rule, data)
        assert raised.value.error == case["error"]
    else:
        assert typed(apply(rule, data)) == typed(case["result"])


# --- val, exists, ??, try, throw, preserve/literal -------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"val": "hello"}, {"hello": 0}, 0),
        ({"val": ["hello", "world"]}, {"hello": {"world": 1}}, 1),
        ({"val": "a.b"}, {"a.b": "dots are part of the key", "a": {"b": "no"}}, "dots are part of the key"),
        ({"val": ""}, {"": 1}, 1),
        ({"val": ["", ""]}, {"": {"": 2}}, 2),
        ({"val": ["arr", 1]}, {"arr": [1, 2]}, 2),
        ({"val": ["arr", "1"]}, {"arr": [1, 2]}, 2),
        ({"val": []}, {"": 21}, {"": 21}),
        ({"val": "missing"}, {"a": 1}, None),
        ({"val": ["a", "b", "c"]}, {"a": None}, None),
        ({"val": ["arr", 5]}, {"arr": [1]}, None),
        ({"val": ["arr", -1]}, {"arr": [1]}, None),
        ({"val": "x"}, None, None),
        ({"val": {"cat": ["he", "llo"]}}, {"hello": "computed key"}, "computed key"),
        ({"val": {"preserve": ["a", "b"]}}, {"a": {"b": "dynamic path"}}, "dynamic path"),
    ],
)
def test_val_reads_keys_and_indexes_literally(rule: Any, data: Any, expected: Any) -> None:
    assert apply(rule, data) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"map": [[1, 2, 3], {"+": [{"val": []}, 1]}]}, [2, 3, 4]),
        ({"map": [[1, 2, 3], {"+": [{"val": []}, {"val": [[2], "adder"]}]}]}, [11, 12, 13]),
        ({"map": [[1, 2, 3], {"+": [{"val": []}, {"val": [[-2], "adder"]}]}]}, [11, 12, 13]),
        ({"map": [["a", "b"], {"cat": [{"val": []}, {"val": [[1], "index"]}]}]}, ["a0", "b1"]),
        ({"map": [["x"], {"map": [[1, 2], {"+": [{"val": []}, {"val": [[4], "adder"]}]}]}]}, [[11, 12]]),
        ({"filter": [[5, 6, 7], {"==": [{"val": [[1], "index"]}, 1]}]}, [6]),
        ({"reduce": [[1, 2], {"+": [{"val": "accumulator"}, {"val": [[2], "adder"]}]}, 0]}, 20),
        ({"val": [[1], "adder"]}, None),  # no scope above the top
        ({"val": [[0], "adder"]}, 10),
    ],
)
def test_val_climbs_scopes_inside_iterators(rule: Any, expected: Any) -> None:
    assert apply(rule, {"adder": 10}) == expected


@pytest.mark.parametrize(
    "rule", [{"val": [["a"], "b"]}, {"val": [[1, 2], "b"]}, {"val": None}, {"val": [True]}]
)
def test_val_refuses_paths_that_are_not_keys_or_indexes(rule: Any) -> None:
    with pytest.raises(ExpressionError) as raised:
        apply(rule, {"a": 1})

    assert raised.value.error == {"type": "Invalid Arguments"}


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"exists": "a"}, {"a": 1}, True),
        ({"exists": "a"}, {"a": None}, True),  # present, even if null: that is what sets it apart from val
        ({"exists": "b"}, {"a": 1}, False),
        ({"exists": ["a", "b"]}, {"a": {"b": False}}, True),
        ({"exists": ["a", "c"]}, {"a": {"b": False}}, False),
        ({"exists": ["a", "b"]}, {"a": "text"}, False),
        ({"exists": ["list", 0]}, {"list": [None]}, True),
        ({"exists": ["list", 1]}, {"list": [None]}, False),
        ({"exists": "a"}, None, False),
        ({"exists": []}, {"a": 1}, True),
        ({"map": [{"val": "list"}, {"exists": "x"}]}, {"list": [{"x": None}, {}]}, [True, False]),
    ],
)
def test_exists_tells_a_missing_key_from_a_null(rule: Any, data: Any, expected: Any) -> None:
    assert typed(apply(rule, data)) == typed(expected)


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"??": []}, None, None),
        ({"??": ["hello"]}, None, "hello"),
        ({"??": [None, None, "hello"]}, None, "hello"),
        ({"??": [None, False, "hello"]}, None, False),  # only null is passed over, unlike "or"
        ({"??": [None, 0, 1]}, None, 0),
        ({"??": [None, ""]}, None, ""),
        ({"??": [None, None]}, None, None),
        (
            {"??": [{"val": ["person", "name"]}, {"val": "name"}]},
            {"person": {"name": "John"}, "name": "Jane"},
            "John",
        ),
        ({"??": [{"val": ["person", "name"]}, {"val": "name"}]}, {"name": "Jane"}, "Jane"),
        ({"??": {"val": "x"}}, {"x": 3}, 3),
        ({"??": ["first", {"throw": "Not Lazy"}]}, None, "first"),
    ],
)
def test_coalesce_returns_the_first_value_that_is_not_null(rule: Any, data: Any, expected: Any) -> None:
    assert typed(apply(rule, data)) == typed(expected)


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"try": [{"throw": "Some error"}, 1]}, None, 1),
        ({"try": [{"/": [0, 0]}, 1]}, {"hello": "world"}, 1),
        ({"try": [{"throw": "Some error"}, {"/": [0, 0]}, 2]}, None, 2),
        ({"try": [5, {"throw": "Not Lazy"}]}, None, 5),
        ({"try": [{"throw": "Some error"}, {"val": []}]}, None, {"type": "Some error"}),
        ({"try": [{"throw": "A"}, {"throw": "B"}, {"val": "type"}]}, None, "B"),
        (
            {"try": [{"if": [True, {"map": [[1, 2, 3], {"/": [0, 0]}]}, None]}, {"val": []}]},
            None,
            {"type": "NaN"},
        ),
        ({"try": [{"-": []}, {"val": "type"}]}, None, "Invalid Arguments"),
        ({"try": [{"throw": {"preserve": {"type": "Gone", "code": 404}}}, {"val": "code"}]}, None, 404),
        ({"try": [{"throw": "x"}, {"val": [[2], "fallback"]}]}, {"fallback": "Hello"}, "Hello"),
        ({"try": [{"throw": "x"}, {"var": "type"}]}, None, "x"),
        ({"try": 7}, None, 7),
    ],
)
def test_try_returns_the_first_rule_that_does_not_fail(rule: Any, data: Any, expected: Any) -> None:
    assert apply(rule, data) == expected


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ({"try": [{"throw": "Some error"}, {"throw": "Some other error"}]}, {"type": "Some other error"}),
        ({"try": [{"throw": "Some error"}, {"/": [0, 0]}]}, {"type": "NaN"}),
        ({"try": [{"/": [0, 0]}, {"/": [1, 0]}, {"/": [2, 0]}]}, {"type": "NaN"}),
        ({"try": {"throw": "Some error"}}, {"type": "Some error"}),
        ({"try": [{"/": [1, 0]}]}, {"type": "NaN"}),
        ({"map": [[1, 2, 3], {"try": [{"/": [0, 0]}]}]}, {"type": "NaN"}),
        ({"try": []}, {"type": "Invalid Arguments"}),
    ],
)
def test_try_fails_with_the_last_error_when_every_rule_fails(rule: Any, error: Any) -> None:
    with pytest.raises(ExpressionError) as raised:
        apply(rule)

    assert raised.value.error == error


@pytest.mark.parametrize(
    "broken", [{"no such operator": 1}, nested(MAX_DEPTH + 5, 1, lambda rule: {"!": rule})]
)
def test_try_does_not_hide_mistakes_in_the_rule_itself(broken: Any) -> None:
    with pytest.raises(ExpressionError) as raised:
        apply({"try": [broken, "fallback"]})

    assert raised.value.error is None


@pytest.mark.parametrize(
    ("rule", "data", "error"),
    [
        ({"throw": "hello"}, None, {"type": "hello"}),
        ({"throw": ["hello"]}, None, {"type": "hello"}),
        ({"throw": "NaN"}, None, {"type": "NaN"}),
        ({"throw": {"val": "x"}}, {"x": {"type": "Some error"}}, {"type": "Some error"}),
        ({"throw": {"val": "x"}}, {"x": {"code": 7}}, {"code": 7}),
    ],
)
def test_throw_raises_an_error_object(rule: Any, data: Any, error: Any) -> None:
    with pytest.raises(ExpressionError) as raised:
        apply(rule, data)

    assert raised.value.error == error


def test_throw_says_what_was_thrown() -> None:
    with pytest.raises(ExpressionError, match="Not an admin"):
        apply(
            {"if": [{"val": ["user", "admin"]}, True, {"throw": "Not an admin"}]}, {"user": {"admin": False}}
        )


@pytest.mark.parametrize("name", ["literal", "preserve"])
def test_literal_and_preserve_return_their_argument_unevaluated(name: str) -> None:
    value = {"var": "x", "nested": [{"+": [1, 2]}]}

    assert apply({name: value}, {"x": 1}) == value
    assert apply({name: {"var": "x"}}, {"x": 1}) == {"var": "x"}
    assert apply({name: [1, 2]}) == [1, 2]


# --- our choices where the suites are silent --------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"/": [4, 2]}, 2),
        ({"*": [0.5, 4]}, 2),
        ({"+": [1.5, 1.5]}, 3),
        ({"+": "1e2"}, 100),
        ({"/": [1, 3]}, 1 / 3),
        ({"+": [0.1, 0.2]}, 0.1 + 0.2),
        ({"-": [0, 0.0]}, 0),
        ({"%": [7.5, 2]}, 1.5),
        ({"*": [2**53, 4]}, float(2**55)),  # past 2**53 numbers are floats, as in JSON readers
        ({"*": [{"val": "big"}, 1]}, float(10**20)),
        ({"max": [1.0, 2.0]}, 2),
        ({"+": " 12 "}, 12),
    ],
)
def test_integral_results_are_ints_while_exact(rule: Any, expected: Any) -> None:
    assert typed(apply(rule, {"big": 10**20})) == typed(expected)


@pytest.mark.parametrize(
    "rule",
    [
        {"*": [1e308, 10]},
        {"reduce": [list(range(40)), {"*": [{"val": "accumulator"}, {"val": "accumulator"}]}, 2]},
        {"+": "1" * 400},
        {"+": "Infinity"},
        {"+": "0x10"},
        {"+": "1_000"},
    ],
)
def test_numbers_that_are_not_finite_json_numbers_are_errors(rule: Any) -> None:
    # The reduce squares its accumulator forty times: 2**(2**40) must fail fast, not eat the memory.
    with pytest.raises(ExpressionError) as raised:
        apply(rule)

    assert raised.value.error == {"type": "NaN"}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"max": {"val": "prices"}}, 30),
        ({"min": {"val": "prices"}}, 10),
        ({"+": {"val": "prices"}}, 60),
        ({"max": {"map": [{"val": "items"}, {"val": "qty"}]}}, 3),
    ],
)
def test_numeric_operators_take_a_computed_list_of_arguments(rule: Any, expected: Any) -> None:
    data = {"prices": [10, 20, 30], "items": [{"qty": 1}, {"qty": 3}]}

    assert apply(rule, data) == expected


@pytest.mark.parametrize(
    "rule", [{"max": []}, {"max": ["1"]}, {"min": [True, 2]}, {"min": [None]}, {"max": [[1]]}]
)
def test_min_and_max_take_numbers_only(rule: Any) -> None:
    with pytest.raises(ExpressionError) as raised:
        apply(rule)

    assert raised.value.error == {"type": "Invalid Arguments"}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"!!": {"val": "items"}}, True),  # a one-item list is truthy, whatever the item: no spreading here
        ({"!": {"val": "items"}}, False),
        ({"cat": {"val": "items"}}, "0"),
    ],
)
def test_other_operators_take_a_computed_list_as_one_argument(rule: Any, expected: Any) -> None:
    assert apply(rule, {"items": [0]}) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"===": [literal([1, {"a": [2]}]), literal([1, {"a": [2]}])]}, True),
        ({"===": [[1], [1.0]]}, True),
        ({"===": [[1], [True]]}, False),
        ({"===": [literal({"a": 1}), {"a": 1, "b": 2}]}, False),
        ({"!==": [literal({"a": None}), literal({"a": None})]}, False),
        ({"===": [None, None]}, True),
        ({"===": ["1", 1]}, False),
        ({"in": [1, [True, "1"]]}, False),
        ({"in": [True, [1, True]]}, True),
        ({"in": [literal({"a": 1}), literal([{"a": 1}])]}, True),
        ({"in": [1, "a1b"]}, True),
        ({"in": ["a", None]}, False),
    ],
)
def test_strict_equality_compares_json_values_by_content(rule: Any, expected: Any) -> None:
    assert apply(rule) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"cat": ["total: ", 2.0]}, "total: 2"),
        ({"cat": [1.5, "|", 1e21, "|", 0.000001, "|", 1e-7]}, "1.5|1e+21|0.000001|1e-7"),
        ({"cat": [[1, None, [2, 3]]]}, "1,,2,3"),
        ({"cat": [literal({"a": 1})]}, '{"a":1}'),
        ({"substr": [True, 0, 2]}, "tr"),
        ({"substr": [2.0, 0]}, "2"),
    ],
)
def test_text_conversion_follows_javascript_except_objects(rule: Any, expected: Any) -> None:
    assert apply(rule) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"reduce": [[3, 9, 4], {"max": [{"val": "accumulator"}, {"val": "current"}]}]}, 9),
        ({"reduce": [[-3, -9], {"max": [{"val": "accumulator"}, {"val": "current"}]}]}, -3),
        ({"reduce": [[], {"+": [{"val": "accumulator"}, {"val": "current"}]}]}, None),
    ],
)
def test_reduce_without_an_initial_value_starts_from_the_first_item(rule: Any, expected: Any) -> None:
    assert apply(rule) == expected


@pytest.mark.parametrize(
    "rule",
    [
        {"map": [{"val": "text"}, {"val": []}]},
        {"filter": [{"val": "object"}, True]},
        {"reduce": [5, {"val": "current"}, 0]},
        {"map": [[1], None]},
        {"map": "items"},
        {"some": [[1]]},
        {"reduce": [None, {"val": "current"}]},
    ],
)
def test_iterators_refuse_what_is_not_a_list_and_a_rule(rule: Any) -> None:
    with pytest.raises(ExpressionError) as raised:
        apply(rule, {"text": "abc", "object": {"a": 1}})

    assert raised.value.error == {"type": "Invalid Arguments"}


def test_unknown_operators_are_named_and_point_at_literal() -> None:
    with pytest.raises(ExpressionError, match=r'Unknown operator "nope".*"literal"'):
        apply({"==": [{"var": "x"}, {"nope": 1}]}, {"x": 1})


def test_objects_with_several_keys_are_data() -> None:
    assert apply({"a": 1, "b": {"var": "x"}}) == {"a": 1, "b": {"var": "x"}}
    assert apply({}) == {}


def test_log_returns_its_argument() -> None:
    assert apply({"log": {"+": [1, 2]}}) == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        ("", False),
        ([], False),
        (True, True),
        (-1, True),
        ("0", True),
        ("false", True),
        ([0], True),
        ({}, True),
        ({"a": 0}, True),
    ],
)
def test_truthy(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


def test_operators_lists_every_supported_name_for_the_ui() -> None:
    names = operators()

    assert names == sorted(names)
    assert {"var", "val", "exists", "??", "try", "throw", "literal", "preserve", "if", "?:"} <= set(names)
    assert all(is_rule({name: []}) for name in names)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"var": "x"}, True),
        ({"literal": {"a": 1}}, True),
        ({"val": []}, True),
        ({"email": "{{ a }}"}, False),
        ({"var": "x", "other": 1}, False),
        ({}, False),
        ("var", False),
        ([{"var": "x"}], False),
    ],
)
def test_is_rule(value: Any, expected: bool) -> None:
    assert is_rule(value) is expected


# --- pathological input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        nested(10_000, True, lambda rule: {"!": rule}),
        nested(10_000, 1, lambda rule: [rule]),
        nested(5_000, {"val": []}, lambda rule: {"map": [[1], rule]}),
        nested(MAX_DEPTH + 1, True, lambda rule: {"!!": rule}),
    ],
)
def test_deep_rules_are_errors_not_crashes(rule: Any) -> None:
    with pytest.raises(ExpressionError, match="nested"):
        apply(rule)


def test_rules_up_to_the_depth_limit_evaluate() -> None:
    assert apply(nested(MAX_DEPTH, 7, lambda rule: {"??": [rule]})) == 7


@pytest.mark.parametrize(
    "rule",
    [
        {"===": [{"var": "deep"}, {"var": "deep"}]},
        {"cat": [{"var": "deep"}]},
        {"throw": {"var": "deep_object"}},
    ],
)
def test_deep_data_is_an_error_not_a_crash(rule: Any) -> None:
    data = {
        "deep": nested(50_000, [], lambda value: [value]),
        "deep_object": {"type": nested(50_000, {}, lambda value: {"a": value})},
    }

    with pytest.raises(ExpressionError, match="nested"):
        apply(rule, data)


def test_deep_config_and_deep_context_are_errors_not_crashes() -> None:
    with pytest.raises(ExpressionError, match="nested"):
        evaluate(nested(10_000, "{{ a }}", lambda value: {"k": value}), {"a": 1})
    with pytest.raises(ExpressionError, match="nested"):
        render_template("data: {{ deep }}", {"deep": nested(50_000, [], lambda value: [value])})


# --- templates -------------------------------------------------------------------------------------

CONTEXT: dict[str, Any] = {
    "trigger": {
        "body": {
            "total": 120.5,
            "count": 3,
            "paid": True,
            "note": None,
            "customer": {"email": "ada@example.com", "name": "Ada"},
            "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}],
            "tags": ["new", "vip"],
            "0": "digit key",
        },
        "headers": {"x-request-id": "r-42"},
    },
    "steps": {"shape": {"email": "ada@example.com"}},
    "input": {"ok": True},
    "run": {"id": "run-1"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ trigger.body.total }}", 120.5),
        ("{{trigger.body.count}}", 3),
        ("{{   trigger.body.paid   }}", True),
        ("{{ trigger.body.customer }}", {"email": "ada@example.com", "name": "Ada"}),
        ("{{ trigger.body.tags }}", ["new", "vip"]),
        ("{{ trigger.body.items.1.sku }}", "B-2"),
        ("{{ trigger.body.0 }}", "digit key"),
        ("{{ trigger.headers.x-request-id }}", "r-42"),
        ("{{ trigger.body.note }}", None),
        ("{{ trigger.body.missing }}", None),
        ("{{ trigger.body.items.9.sku }}", None),
        ("{{ trigger.body.customer.email.length }}", None),  # no attribute access on text
        ("{{ trigger.body.tags.first }}", None),
        ("{{ nothing.at.all }}", None),
    ],
)
def test_a_string_that_is_one_template_yields_the_value_itself(text: str, expected: Any) -> None:
    assert typed(render_template(text, CONTEXT)) == typed(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Order of {{ trigger.body.total }} EUR", "Order of 120.5 EUR"),
        ("{{ trigger.body.count }} items", "3 items"),
        ("paid={{ trigger.body.paid }}", "paid=true"),
        ("note=[{{ trigger.body.note }}] missing=[{{ trigger.body.nope }}]", "note=[] missing=[]"),
        ("customer {{trigger.body.customer}}", 'customer {"email":"ada@example.com","name":"Ada"}'),
        ("tags {{ trigger.body.tags }}", 'tags ["new","vip"]'),
        (
            "https://crm.example.com/{{ trigger.body.customer.name }}/{{ trigger.body.items.0.sku }}",
            "https://crm.example.com/Ada/A-1",
        ),
        (" {{ trigger.body.count }}", " 3"),  # anything around the template makes it text
        ("{{ trigger.body.count }}{{ trigger.body.count }}", "33"),
        ("no templates here", "no templates here"),
        ("{ single } and {{ unclosed", "{ single } and {{ unclosed"),
        ("", ""),
    ],
)
def test_templates_inside_text_are_replaced_by_their_text(text: str, expected: str) -> None:
    assert render_template(text, CONTEXT) == expected


@pytest.mark.parametrize(
    "template",
    [
        "{{ trigger.body.total | round }}",
        "{{ trigger.body.items[0] }}",
        "{{ trigger.body.customer.email.upper() }}",
        "{{ 1 + 1 }}",
        "{{ }}",
        "{{ trigger..body }}",
        "{{ .trigger }}",
        "{{ trigger body }}",
    ],
)
def test_a_template_that_is_not_a_plain_dotted_path_is_an_error_naming_it(template: str) -> None:
    with pytest.raises(ExpressionError) as raised:
        render_template(f"value: {template}", CONTEXT)

    assert template in str(raised.value)


# --- evaluate: config values -----------------------------------------------------------------------


def test_evaluate_walks_objects_and_lists_and_evaluates_their_members() -> None:
    config = {
        "email": "{{ trigger.body.customer.email }}",
        "total": {"*": [{"var": "trigger.body.total"}, 2]},
        "subject": "Order {{ run.id }}",
        "lines": [
            {"sku": "{{ trigger.body.items.0.sku }}", "qty": {"var": "trigger.body.items.0.qty"}},
            "{{ trigger.body.items.1 }}",
            42,
        ],
        "flags": {"paid": "{{ trigger.body.paid }}", "vip": {"in": ["vip", {"var": "trigger.body.tags"}]}},
        "raw": {"literal": {"var": "not evaluated", "text": "{{ not.a.template }}"}},
        "single": {"email": "{{ steps.shape.email }}"},
        "constants": [None, True, 1.5, {}],
    }

    assert evaluate(config, CONTEXT) == {
        "email": "ada@example.com",
        "total": 241,
        "subject": "Order run-1",
        "lines": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}, 42],
        "flags": {"paid": True, "vip": True},
        "raw": {"var": "not evaluated", "text": "{{ not.a.template }}"},
        "single": {"email": "ada@example.com"},
        "constants": [None, True, 1.5, {}],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"var": "input.ok"}, True),
        ({"literal": {"var": "input.ok"}}, {"var": "input.ok"}),
        ({"literal": "{{ input.ok }}"}, "{{ input.ok }}"),
        ("{{ input }}", {"ok": True}),
        ({"cat": ["{{ input.ok }}", "!"]}, "{{ input.ok }}!"),  # strings inside a rule are plain JsonLogic
        (7, 7),
        (None, None),
        (False, False),
        ([], []),
    ],
)
def test_evaluate_single_values(value: Any, expected: Any) -> None:
    assert typed(evaluate(value, CONTEXT)) == typed(expected)


def test_evaluate_reports_errors_from_rules_and_templates() -> None:
    with pytest.raises(ExpressionError, match="as a number"):
        evaluate({"fields": {"total": {"+": [{"var": "trigger.body.customer"}, 1]}}}, CONTEXT)
    with pytest.raises(ExpressionError, match="round"):
        evaluate({"fields": ["{{ trigger.body.total | round }}"]}, CONTEXT)


def test_evaluate_does_not_change_its_input() -> None:
    config = {"a": ["{{ run.id }}", {"var": "run.id"}]}
    before = json.dumps(config)

    evaluate(config, CONTEXT)

    assert json.dumps(config) == before


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"==": [None, "gold"]}, False),
        ({"==": ["gold", None]}, False),
        ({"!=": [None, "gold"]}, True),
        ({"==": [{"var": "tier"}, "gold"]}, False),
        ({"==": [None, "0"]}, True),
    ],
)
def test_a_missing_value_compared_with_a_word_is_unequal_not_an_error(rule: Any, expected: bool) -> None:
    assert apply(rule, {}) is expected
