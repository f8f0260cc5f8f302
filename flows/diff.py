"""What changed between two versions of a flow: nodes and edges added, removed and changed."""

from __future__ import annotations

from typing import Any

# Where a node sits on the canvas is layout, not behaviour: it is not a change to review.
IGNORED_NODE_KEYS = {"position"}


def _edge_key(edge: dict[str, Any]) -> tuple[str, str, str, str]:
    return (edge["source"], edge.get("sourcePort", "out"), edge["target"], edge.get("targetPort", "in"))


def _changes(old: Any, new: Any, path: str) -> list[dict[str, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                changes.append({"path": sub, "old": None, "new": new[key], "kind": "added"})
            elif key not in new:
                changes.append({"path": sub, "old": old[key], "new": None, "kind": "removed"})
            else:
                changes.extend(_changes(old[key], new[key], sub))
        return changes
    if old != new or type(old) is not type(new):
        return [{"path": path, "old": old, "new": new, "kind": "changed"}]
    return []


def graph_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    old_nodes = {n["id"]: n for n in old.get("nodes", [])}
    new_nodes = {n["id"]: n for n in new.get("nodes", [])}
    changed = []
    for node_id in new_nodes.keys() & old_nodes.keys():
        before = {k: v for k, v in old_nodes[node_id].items() if k not in IGNORED_NODE_KEYS}
        after = {k: v for k, v in new_nodes[node_id].items() if k not in IGNORED_NODE_KEYS}
        if changes := _changes(before, after, ""):
            changed.append({"id": node_id, "type": after.get("type"), "changes": changes})
    old_edges = {_edge_key(e): e for e in old.get("edges", [])}
    new_edges = {_edge_key(e): e for e in new.get("edges", [])}
    return {
        "nodes": {
            "added": [new_nodes[i] for i in new_nodes if i not in old_nodes],
            "removed": [old_nodes[i] for i in old_nodes if i not in new_nodes],
            "changed": sorted(changed, key=lambda c: c["id"]),
        },
        "edges": {
            "added": [new_edges[k] for k in new_edges if k not in old_edges],
            "removed": [old_edges[k] for k in old_edges if k not in new_edges],
        },
    }
