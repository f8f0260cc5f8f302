"""Small builders for flow documents used across tests."""

from __future__ import annotations

import itertools
from typing import Any


def node(node_id: str, node_type: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "config": config}


def edge(source: str, target: str, port: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"source": source, "target": target}
    if port is not None:
        found["sourcePort"] = port
    return found


def chain(*nodes: dict[str, Any], name: str = "Test flow") -> dict[str, Any]:
    """Nodes wired one after another."""
    return {
        "schema": "switchboard.flow/v1",
        "name": name,
        "nodes": list(nodes),
        "edges": [edge(a["id"], b["id"]) for a, b in itertools.pairwise(nodes)],
    }
