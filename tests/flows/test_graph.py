"""The flow document's rules (CONTRACT §2): every problem listed, each naming its node or edge."""

from __future__ import annotations

from typing import Any

import pytest

from flows.graph import compile_graph, validate
from tests.support.flows import chain, edge, node


def problems(document: Any) -> list[tuple[str | None, str | None, str]]:
    return [(p.node, p.field, p.message) for p in validate(document)]


def test_a_valid_flow_has_no_problems() -> None:
    document = chain(
        node("order", "trigger.webhook"),
        node("big", "transform.filter", condition={">": [{"var": "trigger.body.total"}, 100]}),
        node("shape", "transform.map", fields={"email": "{{ trigger.body.email }}"}),
        node(
            "crm",
            "action.http",
            method="POST",
            url="https://crm.example.com/leads",
            json={"var": "steps.shape"},
        ),
    )
    assert problems(document) == []


def test_every_problem_is_listed_at_once_with_its_node() -> None:
    # given a document with an unknown type, a bad config, a bad id and a dangling edge
    document = {
        "nodes": [
            node("start", "trigger.manual"),
            node("mystery", "transform.nope"),
            node("filter", "transform.filter"),  # condition missing
            {"id": "bad id!", "type": "transform.map"},
        ],
        "edges": [edge("start", "mystery"), edge("start", "filter"), edge("filter", "ghost")],
    }
    # when it is validated
    found = problems(document)
    # then each problem names where it is
    assert (None, "nodes[3].id", "A node id is 1 to 64 of A-Z, a-z, 0-9, _ and -.") in found
    assert any(n == "mystery" and f == "type" for n, f, _ in found)
    assert any(n == "filter" and f == "config.condition" and "condition" in m for n, f, m in found)
    assert any(f == "edges[2].target" and "ghost" in m for _, f, m in found)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"nodes": [node("m", "transform.map", fields={})], "edges": []}, "it has none"),
        (
            {"nodes": [node("a", "trigger.manual"), node("b", "trigger.webhook")], "edges": []},
            "exactly one trigger",
        ),
        (
            {"nodes": [node("a", "trigger.manual"), node("b", "transform.delay", seconds=1)], "edges": []},
            "Nothing leads to 'b'",
        ),
        (
            {
                "nodes": [
                    node("a", "trigger.manual"),
                    node("b", "transform.delay", seconds=1),
                    node("c", "transform.delay", seconds=1),
                ],
                "edges": [edge("a", "b"), edge("b", "c"), edge("c", "b")],
            },
            "cycle",
        ),
        (
            {
                "nodes": [node("a", "trigger.manual"), node("b", "transform.delay", seconds=1)],
                "edges": [edge("a", "b", "sideways")],
            },
            "has no port 'sideways'",
        ),
        (
            {"nodes": [node("a", "trigger.manual"), node("a", "transform.delay", seconds=1)], "edges": []},
            "used by another node",
        ),
        (
            {
                "nodes": [node("a", "trigger.manual"), node("b", "transform.delay", seconds=1)],
                "edges": [edge("a", "b"), edge("a", "b")],
            },
            "listed twice",
        ),
        (
            {
                "nodes": [node("a", "trigger.manual"), node("b", "transform.delay", seconds=1)],
                "edges": [edge("b", "a")],
            },
            "is a trigger",
        ),
        ({"schema": "other/v9", "nodes": [node("a", "trigger.manual")], "edges": []}, "Unknown schema"),
        ({"nodes": [node("a", "trigger.manual")], "edges": [], "extra": 1}, "Unknown key 'extra'"),
        ("not a document", "must be a JSON object"),
        ({"nodes": "x"}, "`nodes` must be a list"),
        ({"nodes": [node("a", "trigger.manual") | {"position": {"x": "left"}}], "edges": []}, "position"),
    ],
)
def test_broken_documents_are_refused_with_a_reason(document: Any, expected: str) -> None:
    messages = " | ".join(f"{f}: {m}" for _, f, m in problems(document))
    assert expected in messages


def test_config_problems_name_the_field_path() -> None:
    document = chain(node("t", "trigger.manual"), node("wait", "transform.delay", seconds="soon"))
    assert any(n == "wait" and f == "config.seconds" for n, f, _ in problems(document))


def test_branch_ports_are_checked_and_the_walk_order_follows_edges() -> None:
    document = {
        "nodes": [
            node("done", "transform.map", fields={}),
            node("start", "trigger.manual"),
            node("check", "transform.branch", condition=True),
            node("yes", "transform.map", fields={}),
        ],
        "edges": [edge("start", "check"), edge("check", "yes", "true"), edge("check", "done", "false")],
    }
    assert problems(document) == []
    graph = compile_graph(document)
    assert graph.trigger == "start"
    assert graph.order.index("start") < graph.order.index("check") < graph.order.index("yes")
    assert graph.order.index("check") < graph.order.index("done")
