"""What changed between two versions of a flow, for the person who approves it.

`graph_diff` lists nodes and edges added, removed and changed (each changed node with the config paths
that changed, old and new), renamed nodes, and a `summary` of plain sentences ("Filter 'big' now
checks total > 200 instead of total > 100") written here so that the API and the UI say the same.
Where a node sits on the canvas is layout, not behaviour, and is never a change; a node's `name` is
reported as a rename, not as a change of what it does. Secrets never appear (see `flows.masking`),
and the config of a sensitive node is masked unless the reader is an admin.
"""

from __future__ import annotations

import json
from typing import Any

from flows.masking import MASK, is_secret_at, mask_value, node_is_sensitive, redact_secrets
from nodes import registry
from nodes.expressions import is_rule

# Where a node sits on the canvas is layout, not behaviour: it is not a change to review. The name is
# reported apart, as a rename.
IGNORED_NODE_KEYS = {"position", "name"}
MAX_WORDS = 80


# --- the structural diff --------------------------------------------------------------------------


def _edge_key(edge: dict[str, Any]) -> tuple[str, str, str, str]:
    return (edge["source"], edge.get("sourcePort", "out"), edge["target"], edge.get("targetPort", "in"))


def _changes(old: Any, new: Any, parts: list[str]) -> list[dict[str, Any]]:
    """Leaf differences between two JSON values, each with the key path (`parts`) that leads to it."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new), key=str):
            sub = [*parts, str(key)]
            if key not in old:
                changes.append({"parts": sub, "old": None, "new": new[key], "kind": "added"})
            elif key not in new:
                changes.append({"parts": sub, "old": old[key], "new": None, "kind": "removed"})
            else:
                changes.extend(_changes(old[key], new[key], sub))
        return changes
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        # Same length: item by item, so a value deep in a rule is named by its place. Otherwise
        # items came or went, and the list as a whole is the change.
        return [
            c for i, (a, b) in enumerate(zip(old, new, strict=True)) for c in _changes(a, b, [*parts, str(i)])
        ]
    if old != new or type(old) is not type(new):
        return [{"parts": parts, "old": old, "new": new, "kind": "changed"}]
    return []


class _Schemas:
    """Config schemas by node type, read once per diff."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, Any] | None] = {}

    def of(self, type_name: Any) -> dict[str, Any] | None:
        if not isinstance(type_name, str):
            return None
        if type_name not in self._cache:
            node_type = registry.get(type_name)
            self._cache[type_name] = node_type.config_schema() if node_type is not None else None
        return self._cache[type_name]

    def title(self, type_name: Any) -> str:
        node_type = registry.get(type_name) if isinstance(type_name, str) else None
        if node_type is not None:
            return node_type.title
        return str(type_name or "Node").rsplit(".", 1)[-1].capitalize()


def _hidden(change: dict[str, Any], schema: dict[str, Any] | None, sensitive: bool) -> bool:
    """Whether a change's values may not be shown: a secret, or any config of a sensitive node."""
    parts = change["parts"]
    if not parts or parts[0] != "config":
        return False
    if sensitive:
        return True
    inner = parts[1:]
    return is_secret_at(inner, change["old"], schema) or is_secret_at(inner, change["new"], schema)


def _shown_node(node: dict[str, Any], schemas: _Schemas, reveal_sensitive: bool) -> dict[str, Any]:
    """A whole node (added or removed) as a diff may show it: no secrets, no sensitive config."""
    config = node.get("config")
    if config is None:
        return node
    if node_is_sensitive(node) and not reveal_sensitive:
        return {**node, "config": mask_value(config)}
    return {**node, "config": redact_secrets(config, [], schemas.of(node.get("type")))}


def display_name(node: dict[str, Any]) -> str:
    """What the canvas calls a node: its `name`, or else its id."""
    name = node.get("name")
    return name if isinstance(name, str) and name.strip() else str(node.get("id"))


def graph_diff(old: dict[str, Any], new: dict[str, Any], *, reveal_sensitive: bool = False) -> dict[str, Any]:
    """The difference from `old` to `new` (two flow documents). `reveal_sensitive`: the reader is an
    admin, who sees a sensitive node's config; secrets stay hidden from everyone."""
    schemas = _Schemas()
    old_nodes = {n["id"]: n for n in old.get("nodes", [])}
    new_nodes = {n["id"]: n for n in new.get("nodes", [])}
    changed: list[dict[str, Any]] = []
    renamed: list[dict[str, Any]] = []
    raw_changes: dict[str, list[dict[str, Any]]] = {}
    for node_id in sorted(new_nodes.keys() & old_nodes.keys()):
        before_node, after_node = old_nodes[node_id], new_nodes[node_id]
        before = {k: v for k, v in before_node.items() if k not in IGNORED_NODE_KEYS}
        after = {k: v for k, v in after_node.items() if k not in IGNORED_NODE_KEYS}
        sensitive = not reveal_sensitive and (node_is_sensitive(before_node) or node_is_sensitive(after_node))
        schema = schemas.of(after_node.get("type"))
        if raw := _changes(before, after, []):
            for change in raw:
                change["hidden"] = _hidden(change, schema, sensitive)
            raw_changes[node_id] = raw
            changed.append({"id": node_id, "type": after.get("type"), "changes": [_public(c) for c in raw]})
        if display_name(before_node) != display_name(after_node):
            renamed.append({"id": node_id, "from": display_name(before_node), "to": display_name(after_node)})
    old_edges = {_edge_key(e): e for e in old.get("edges", [])}
    new_edges = {_edge_key(e): e for e in new.get("edges", [])}
    diff = {
        "nodes": {
            "added": [
                _shown_node(new_nodes[i], schemas, reveal_sensitive) for i in new_nodes if i not in old_nodes
            ],
            "removed": [
                _shown_node(old_nodes[i], schemas, reveal_sensitive) for i in old_nodes if i not in new_nodes
            ],
            "changed": changed,
            "renamed": renamed,
        },
        "edges": {
            "added": [new_edges[k] for k in new_edges if k not in old_edges],
            "removed": [old_edges[k] for k in old_edges if k not in new_edges],
        },
    }
    details = _Writer(old_nodes, new_nodes, schemas).sentences(diff, raw_changes)
    return {**diff, "summary": [d["text"] for d in details], "details": details}


def _public(change: dict[str, Any]) -> dict[str, Any]:
    """A change as the API shows it: a dotted path, and `MASK` for values that may not be seen."""
    shown: dict[str, Any] = {"path": ".".join(change["parts"]), "old": change["old"], "new": change["new"]}
    shown["kind"] = change["kind"]
    if change["hidden"]:
        shown["old"] = None if change["old"] is None else MASK
        shown["new"] = None if change["new"] is None else MASK
        shown["masked"] = True
    return shown


# --- JsonLogic as words ---------------------------------------------------------------------------

COMPARISONS = {
    "==": "is",
    "===": "is",
    "!=": "is not",
    "!==": "is not",
    ">": ">",
    ">=": "≥",
    "<": "<",
    "<=": "≤",
}
# Context paths that say nothing to a non-developer: `trigger.body.total` reads as `total`.
QUIET_PREFIXES = ("trigger.body.", "input.")


def rule_words(rule: Any, nested: bool = False) -> str:
    """A JsonLogic rule read aloud: `{">": [{"var": "trigger.body.total"}, 100]}` → `total > 100`.
    Operators without words fall back to compact JSON."""
    if not isinstance(rule, dict) or len(rule) != 1:
        return _literal(rule)
    op, args = next(iter(rule.items()))
    items = args if isinstance(args, list) else [args]
    if op == "var":
        path = items[0] if items else ""
        text = str(path)
        for prefix in QUIET_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                return text[len(prefix) :]
        return text or "the input"
    if op in COMPARISONS and len(items) == 2:
        return f"{rule_words(items[0], True)} {COMPARISONS[op]} {rule_words(items[1], True)}"
    if op in COMPARISONS and len(items) == 3 and op in {"<", "<="}:
        low, value, high = (rule_words(item, True) for item in items)
        return f"{value} is between {low} and {high}"
    if op in {"and", "or"} and items:
        text = f" {op} ".join(rule_words(item, True) for item in items)
        return f"({text})" if nested and len(items) > 1 else text
    if op == "!" and len(items) == 1:
        return f"not {rule_words(items[0], True)}"
    if op == "!!" and len(items) == 1:
        return f"{rule_words(items[0], True)} is set"
    if op == "in" and len(items) == 2:
        needle, haystack = items
        if isinstance(haystack, list):
            return f"{rule_words(needle, True)} is one of {', '.join(rule_words(i, True) for i in haystack)}"
        return f"{rule_words(haystack, True)} contains {rule_words(needle, True)}"
    return _compact(rule)


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, (int, float)):
        return str(value)
    return _compact(value)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def words(value: Any) -> str:
    """A config value as it reads inside a sentence: rules in words, text as it is, lists joined."""
    if is_rule(value):
        text = rule_words(value)
    elif isinstance(value, str):
        text = value if value else "an empty text"
    elif isinstance(value, list) and all(isinstance(v, str) for v in value) and value:
        text = ", ".join(value)
    else:
        text = _literal(value)
    return text if len(text) <= MAX_WORDS else text[: MAX_WORDS - 1] + "…"


# --- the plain-language summary -------------------------------------------------------------------

# How a change of a config key reads, by key: "now <verb> NEW instead of OLD".
VERBS = {
    "condition": "checks",
    "to": "sends to",
    "url": "calls",
    "method": "uses the method",
    "subject": "has the subject",
    "text": "writes the text",
    "cron": "runs on the schedule",
    "timezone": "uses the time zone",
    "seconds": "waits (seconds)",
    "payload": "sends the payload",
    "json": "sends the JSON body",
    "body": "sends the text body",
}


def _value_at(root: Any, parts: list[str]) -> tuple[bool, Any]:
    current = root
    for part in parts:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


class _Writer:
    """Writes the sentences of a diff, naming nodes as the canvas names them."""

    def __init__(self, old_nodes: dict[str, Any], new_nodes: dict[str, Any], schemas: _Schemas) -> None:
        self.old_nodes, self.new_nodes, self.schemas = old_nodes, new_nodes, schemas

    def node(self, node_id: str) -> dict[str, Any]:
        return self.new_nodes.get(node_id) or self.old_nodes.get(node_id) or {"id": node_id}

    def called(self, node_id: str) -> str:
        return f"'{display_name(self.node(node_id))}'"

    def subject(self, node: dict[str, Any]) -> str:
        return f"{self.schemas.title(node.get('type'))} '{display_name(node)}'"

    def label(self, node: dict[str, Any], parts: list[str]) -> str:
        """What a config path is called: the field's title, `header X`, `field X`."""
        if not parts:
            return "its settings"
        key, rest = parts[0], parts[1:]
        if key == "headers" and rest:
            return f"the header {rest[0]}"
        if key == "query" and rest:
            return f"the query parameter {rest[0]}"
        if key == "fields" and rest:
            return f"the field {rest[0]}"
        schema = self.schemas.of(node.get("type")) or {}
        title = schema.get("properties", {}).get(key, {}).get("title") if isinstance(schema, dict) else None
        name = (title or key.replace("_", " ")).lower()
        return f"the {name}" + (f" {'.'.join(rest)}" if rest else "")

    def sentences(self, diff: dict[str, Any], raw: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []

        def say(text: str, kind: str, subject: str, node: str | None) -> None:
            out.append({"text": text, "kind": kind, "subject": subject, "node": node})

        added_ids = {n["id"] for n in diff["nodes"]["added"]}
        removed_ids = {n["id"] for n in diff["nodes"]["removed"]}
        for node in diff["nodes"]["added"]:
            sources = [e["source"] for e in diff["edges"]["added"] if e["target"] == node["id"]]
            after = f" after {' and '.join(self.called(s) for s in sources)}" if sources else ""
            say(f"Added {self.subject(node)}{after}", "added", "node", node["id"])
        for entry in diff["nodes"]["renamed"]:
            say(f"Renamed '{entry['from']}' to '{entry['to']}'", "changed", "node", entry["id"])
        for entry in diff["nodes"]["changed"]:
            node_id = entry["id"]
            for text in self.node_sentences(node_id, raw[node_id]):
                say(text, "changed", "node", node_id)
        for node in diff["nodes"]["removed"]:
            say(f"Removed {self.subject(node)}", "removed", "node", node["id"])
        for edge in diff["edges"]["added"]:
            if edge["target"] in added_ids:
                continue  # said as "Added … after …"
            say(f"Connected {self.edge_words(edge)}", "added", "edge", None)
        for edge in diff["edges"]["removed"]:
            if edge["source"] in removed_ids or edge["target"] in removed_ids:
                continue  # went with the node
            say(f"Removed the connection from {self.edge_words(edge)}", "removed", "edge", None)
        return out

    def edge_words(self, edge: dict[str, Any]) -> str:
        port = edge.get("sourcePort", "out")
        via = f" ({port} way)" if port not in {"out", None} else ""
        return f"{self.called(edge['source'])}{via} to {self.called(edge['target'])}"

    def node_sentences(self, node_id: str, changes: list[dict[str, Any]]) -> list[str]:
        before, after = self.old_nodes[node_id], self.new_nodes[node_id]
        who = self.subject(after)
        texts: list[str] = []
        done: set[tuple[str, ...]] = set()
        for change in changes:
            parts = change["parts"]
            group = self._group(before, after, parts)
            key = tuple(group)
            if key in done:
                continue
            done.add(key)
            hidden = any(c["hidden"] for c in changes if c["parts"][: len(group)] == group)
            had, old = _value_at(before, group)
            has, new = _value_at(after, group)
            texts.append(self._sentence(who, before, after, group, (had, old), (has, new), hidden))
        return texts

    @staticmethod
    def _group(before: dict[str, Any], after: dict[str, Any], parts: list[str]) -> list[str]:
        """The path a change is told at: the whole rule it lies inside, or the path itself."""
        for cut in range(1, len(parts)):
            if is_rule(_value_at(before, parts[:cut])[1]) or is_rule(_value_at(after, parts[:cut])[1]):
                return parts[:cut]
        return parts

    def _sentence(
        self,
        who: str,
        before: dict[str, Any],
        after: dict[str, Any],
        group: list[str],
        old: tuple[bool, Any],
        new: tuple[bool, Any],
        hidden: bool,
    ) -> str:
        (had, old_value), (has, new_value) = old, new
        top = group[0]
        if top == "type":
            return (
                f"{who} is now a {self.schemas.title(new_value)} instead of a {self.schemas.title(old_value)}"
            )
        if top == "sensitive":
            return (
                f"{who} is now marked sensitive"
                if new_value is True
                else f"{who} is no longer marked sensitive"
            )
        if top == "description":
            return f"{who} has a new description" if has else f"{who} no longer has a description"
        if top != "config":
            label = " ".join(group)
        else:
            label = self.label(after, group[1:])
        inner = group[1:]
        if hidden:
            secret = not (node_is_sensitive(before) or node_is_sensitive(after))
            why = "a secret, not shown" if secret else "hidden: sensitive node"
            if not had:
                return f"{who} now sets {label} ({why})"
            if not has:
                return f"{who} no longer sets {label}"
            return f"{who} now uses a different value for {label} ({why})"
        verb = VERBS.get(inner[0]) if len(inner) == 1 else None
        if not had:
            return (
                f"{who} now {verb} {words(new_value)}"
                if verb
                else f"{who} now sets {label} to {words(new_value)}"
            )
        if not has:
            return f"{who} no longer sets {label} (it was {words(old_value)})"
        if verb:
            return f"{who} now {verb} {words(new_value)} instead of {words(old_value)}"
        return f"{who} now sets {label} to {words(new_value)} instead of {words(old_value)}"
