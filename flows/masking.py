"""Sensitive nodes and secret values: what people other than admins see instead of the data.

A node marked `"sensitive": true` in the flow document keeps its step data stored (admins read it,
replays reuse it), but everyone else sees it masked in run history, live updates, exports and diffs.
Secrets (a password field, an `Authorization` header, a `whsec_…` token) are masked for everyone in
diffs. This is the one module that knows both rules, so every surface masks the same way.

The masked shape: an object keeps its top-level keys, each value replaced by `MASK`, so a reader still
sees which fields a step had; anything else (a list, a string, a number) becomes `MASK` itself. A
masked step carries `"masked": true`, which the run page turns into "Hidden: sensitive step".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from nodes.builtin.transform.loop import BODY_PORT, LOOP_TYPE

MASK = "••••"

# Header and field names whose values are credentials. Matched against the whole name, case-blind.
SECRET_NAME = re.compile(
    r"^(authorization|proxy-authorization|cookie|set-cookie|"
    r".*(?:password|passwd|secret|token|api[-_]?key|apikey|private[-_]?key|credential|signature).*)$",
    re.IGNORECASE,
)
# Strings that are themselves credentials, wherever they appear: Standard Webhooks secrets,
# Switchboard's own tokens, and bearer/basic credentials written into a value.
SECRET_VALUE = re.compile(r"(?:\bwhsec_|\bsb_)[A-Za-z0-9+/=_-]{6,}|\b(?:Bearer|Basic)\s+\S{6,}")


def node_is_sensitive(node: dict[str, Any]) -> bool:
    """Whether a node of a flow document is marked sensitive (the policies engineer's hook too)."""
    return isinstance(node, dict) and node.get("sensitive") is True


def sensitive_nodes(graph: dict[str, Any] | None) -> set[str]:
    """The ids of a document's sensitive nodes, and of each loop whose body holds one: a loop's step
    carries its body's outputs (its results, and its checkpoint of every body step per item)."""
    if not isinstance(graph, dict):
        return set()
    marked = {
        str(node["id"])
        for node in graph.get("nodes", [])
        if isinstance(node, dict) and "id" in node and node_is_sensitive(node)
    }
    if marked:
        marked |= {loop for loop, body in loop_bodies(graph).items() if body & marked}
    return marked


def loop_bodies(graph: dict[str, Any]) -> dict[str, set[str]]:
    """Each `transform.loop` of a document and the nodes of its body (reachable from its `each`
    port), read from the raw document so a draft being drawn is masked the same way."""
    nodes = [n for n in graph.get("nodes", []) if isinstance(n, dict)]
    edges = [e for e in graph.get("edges", []) if isinstance(e, dict)]
    bodies: dict[str, set[str]] = {}
    for loop in (str(n.get("id")) for n in nodes if n.get("type") == LOOP_TYPE):
        queue = [
            str(e.get("target"))
            for e in edges
            if e.get("source") == loop and e.get("sourcePort") == BODY_PORT
        ]
        body = set(queue)
        while queue:
            current = queue.pop()
            for target in (str(e.get("target")) for e in edges if e.get("source") == current):
                if target not in body:
                    body.add(target)
                    queue.append(target)
        bodies[loop] = body
    return bodies


def masked_inputs(graph: dict[str, Any] | None) -> set[str]:
    """Nodes whose step input is masked: the sensitive ones, and those a sensitive node feeds (their
    input is that node's output, which would otherwise show on the next step)."""
    sensitive = sensitive_nodes(graph)
    if not sensitive or not isinstance(graph, dict):
        return sensitive
    fed = {
        str(edge.get("target"))
        for edge in graph.get("edges", [])
        if isinstance(edge, dict) and edge.get("source") in sensitive
    }
    return sensitive | fed


def mask_value(value: Any) -> Any:
    """The masked shape of a value: an object's top-level keys kept, everything else `MASK`."""
    if value is None:
        return None
    if isinstance(value, dict):
        return dict.fromkeys(value, MASK)
    return MASK


def mask_step(step: dict[str, Any], *, input_hidden: bool, output_hidden: bool) -> dict[str, Any]:
    """A step as the API renders it, with its input and/or output masked and marked so."""
    if not (input_hidden or output_hidden):
        return {**step, "masked": False}
    masked = dict(step)
    if input_hidden:
        masked["input"] = mask_value(step.get("input"))
    if output_hidden:
        masked["output"] = mask_value(step.get("output"))
    masked["masked"] = True
    return masked


def mask_graph(graph: dict[str, Any] | None) -> dict[str, Any] | None:
    """A flow document with each sensitive node's config masked (its keys kept)."""
    if not isinstance(graph, dict) or not sensitive_nodes(graph):
        return graph
    return {
        **graph,
        "nodes": [
            {**node, "config": mask_value(node.get("config") or {})} if node_is_sensitive(node) else node
            for node in graph.get("nodes", [])
        ],
    }


def mask_run(run: dict[str, Any], graph: dict[str, Any] | None) -> dict[str, Any]:
    """A run as the API renders it (`RunOut`/`RunDetailOut` data), masked for someone not an admin.

    Steps of sensitive nodes lose their input and output; the run's own output is the last step's,
    so it is masked when that step was a sensitive node's; the run's graph (when shown) loses the
    sensitive nodes' config values.
    """
    hidden_out = sensitive_nodes(graph)
    hidden_in = masked_inputs(graph)
    steps = [
        mask_step(
            step, input_hidden=step.get("node") in hidden_in, output_hidden=step.get("node") in hidden_out
        )
        for step in run.get("steps", [])
    ]
    masked = {**run, "steps": steps}
    finished = [step for step in run.get("steps", []) if step.get("status") == "succeeded"]
    # A loop's body steps come after the loop, but the run's output is the loop's (or a later step's).
    in_body = set().union(*loop_bodies(graph).values()) if isinstance(graph, dict) else set()
    finished = [step for step in finished if step.get("node") not in in_body]
    if hidden_out and finished and finished[-1].get("node") in hidden_out:
        masked["output"] = mask_value(run.get("output"))
    if "graph" in run:
        masked["graph"] = mask_graph(run.get("graph"))
    return masked


def mask_step_for(step: dict[str, Any], graph: dict[str, Any] | None) -> dict[str, Any]:
    """One step (a live update), masked as `mask_run` would mask it within its run."""
    node = step.get("node")
    return mask_step(
        step, input_hidden=node in masked_inputs(graph), output_hidden=node in sensitive_nodes(graph)
    )


# --- secrets --------------------------------------------------------------------------------------


def is_secret_name(name: Any) -> bool:
    return isinstance(name, str) and bool(SECRET_NAME.match(name))


def looks_like_secret(value: Any) -> bool:
    """Whether a value holds a credential string anywhere inside it."""
    if isinstance(value, str):
        return bool(SECRET_VALUE.search(value))
    if isinstance(value, dict):
        return any(looks_like_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(looks_like_secret(v) for v in value)
    return False


def _resolve(schema: Any, root: dict[str, Any]) -> list[dict[str, Any]]:
    """A subschema and its alternatives ($ref, anyOf, oneOf, allOf), flattened."""
    if not isinstance(schema, dict):
        return []
    found = [schema]
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        found.extend(_resolve(target, root))
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []) or []:
            found.extend(_resolve(option, root))
    return found


def schema_marks_secret(schema: dict[str, Any] | None, path: Iterable[str]) -> bool:
    """Whether the config schema declares the field at `path` (or one above it) a secret:
    `writeOnly: true` or `format: password`."""
    if not schema:
        return False
    current = _resolve(schema, schema)
    for part in path:
        if any(s.get("writeOnly") is True or s.get("format") == "password" for s in current):
            return True
        nxt: list[dict[str, Any]] = []
        for sub in current:
            properties = sub.get("properties")
            if isinstance(properties, dict) and part in properties:
                nxt.extend(_resolve(properties[part], schema))
            elif isinstance(sub.get("additionalProperties"), dict):
                nxt.extend(_resolve(sub["additionalProperties"], schema))
            elif isinstance(sub.get("items"), dict) and part.isdigit():
                nxt.extend(_resolve(sub["items"], schema))
        current = nxt
        if not current:
            return False
    return any(s.get("writeOnly") is True or s.get("format") == "password" for s in current)


def is_secret_at(path: list[str], value: Any, schema: dict[str, Any] | None) -> bool:
    """Whether a config value at `path` (inside `config`) is a secret by any of the three rules."""
    return (
        any(is_secret_name(part) for part in path)
        or schema_marks_secret(schema, path)
        or looks_like_secret(value)
    )


def redact_secrets(value: Any, path: list[str], schema: dict[str, Any] | None) -> Any:
    """A config value with every secret inside it replaced by `MASK` (for whole nodes shown in a
    diff: added and removed ones)."""
    if is_secret_name(path[-1] if path else None) or (path and schema_marks_secret(schema, path)):
        return MASK
    if isinstance(value, dict):
        return {k: redact_secrets(v, [*path, str(k)], schema) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_secrets(v, [*path, str(i)], schema) for i, v in enumerate(value)]
    if isinstance(value, str) and looks_like_secret(value):
        return MASK
    return value
