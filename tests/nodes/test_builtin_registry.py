"""Every node type the contract names is registered, with its ports and a config schema."""

from __future__ import annotations

import pytest

from nodes import registry

CONTRACT_TYPES = {
    "trigger.webhook": ["out"],
    "trigger.schedule": ["out"],
    "trigger.manual": ["out"],
    "transform.filter": ["out"],
    "transform.branch": ["true", "false"],
    "transform.map": ["out"],
    "transform.delay": ["out"],
    "action.http": ["out"],
    "action.webhook": ["out"],
    "action.email": ["out"],
}


@pytest.mark.parametrize(("type_name", "ports"), CONTRACT_TYPES.items())
def test_contract_node_type_is_registered(type_name: str, ports: list[str]) -> None:
    # given the registry loaded at Django start
    # when the type is looked up
    node = registry.get(type_name)
    # then it exists, with its ports, a category matching its name, and a schema that takes the shared
    # retry policy and refuses unknown keys
    assert node is not None
    described = node.describe()
    assert described["ports"] == ports
    assert described["category"] == type_name.split(".")[0]
    schema = described["config_schema"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert "retry" in schema["properties"]
    problems = node.validate_config({"nope": 1})
    assert any(field is None and "nope" in message for field, message in problems)


# The registered modules' types (connector types live in the database: tests/nodes/test_connector_nodes.py).
@pytest.mark.parametrize("node_type", list(registry.registry.types.values()), ids=lambda t: t.type)
def test_every_example_config_is_valid_for_its_type(node_type: registry.NodeType[object]) -> None:
    # given a registered node type (built in, or from a plug-in)
    # when its catalog example is checked with its own validation
    # then it has none to check, or one that validates and parses
    if node_type.example is None:
        assert not type(node_type).__module__.startswith("nodes.builtin."), "built-in types show an example"
        return
    assert node_type.validate_config(node_type.example) == []
    node_type.parse_config(node_type.example)
    assert node_type.describe()["example"] == node_type.example


def test_every_built_in_type_has_an_example() -> None:
    built_in = [t for t in registry.registry.all() if type(t).__module__.startswith("nodes.builtin.")]
    assert {t.type for t in built_in} >= set(CONTRACT_TYPES)
    assert [t.type for t in built_in if not t.example] == []
