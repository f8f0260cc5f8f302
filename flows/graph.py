"""The flow document (`switchboard.flow/v1`): validation with every problem listed, and the walk order."""

from __future__ import annotations

import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from hub.problems import ErrorItem
from nodes import registry
from nodes.builtin.transform.loop import BODY_PORT, LOOP_TYPE, NOT_IN_LOOPS, WAITING_TYPES
from nodes.registry import ERROR_PORT

SCHEMA = "switchboard.flow/v1"
NODE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_SOURCE_PORT = "out"
DEFAULT_TARGET_PORT = "in"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    source_port: str = DEFAULT_SOURCE_PORT
    target_port: str = DEFAULT_TARGET_PORT


@dataclass(frozen=True)
class LoopBody:
    """The steps a loop runs for each item: every node after its `each` port, in execution order;
    `last` are those with nothing after them, whose outputs are the item's result."""

    loop: str
    nodes: list[str]
    last: list[str]


@dataclass
class Graph:
    """A validated graph, ready to walk: nodes in execution order and each node's incoming edges."""

    nodes: dict[str, dict[str, Any]]
    order: list[str]
    incoming: dict[str, list[Edge]] = field(default_factory=dict)
    trigger: str = ""
    # Loop id → its body; body node id → its loop. The walk leaves body nodes to their loop's step.
    loops: dict[str, LoopBody] = field(default_factory=dict)
    body_of: dict[str, str] = field(default_factory=dict)


def validate(document: Any) -> list[ErrorItem]:
    """Every problem of a flow document, each naming its node id or edge index."""
    problems: list[ErrorItem] = []
    if not isinstance(document, dict):
        return [ErrorItem(message="The flow document must be a JSON object.")]
    schema = document.get("schema", SCHEMA)
    if schema != SCHEMA:
        problems.append(ErrorItem(field="schema", message=f"Unknown schema {schema!r}; expected {SCHEMA!r}."))
    if "name" in document and not isinstance(document["name"], str):
        problems.append(ErrorItem(field="name", message="The name must be a string."))
    known = {"schema", "name", "nodes", "edges", "description", "settings"}
    for key in sorted(set(document) - known):
        problems.append(ErrorItem(field=key, message=f"Unknown key {key!r}."))
    problems.extend(_settings_problems(document.get("settings", {})))
    nodes = document.get("nodes")
    edges = document.get("edges", [])
    if not isinstance(nodes, list):
        problems.append(ErrorItem(field="nodes", message="`nodes` must be a list."))
        nodes = []
    if not isinstance(edges, list):
        problems.append(ErrorItem(field="edges", message="`edges` must be a list."))
        edges = []

    ports: dict[str, tuple[str, ...]] = {}
    triggers: list[str] = []
    for index, node in enumerate(nodes):
        problems.extend(_node_problems(index, node, ports, triggers))

    if not triggers:
        problems.append(
            ErrorItem(field="nodes", message="A flow needs exactly one trigger node; it has none.")
        )
    elif len(triggers) > 1:
        for node_id in triggers[1:]:
            problems.append(
                ErrorItem(
                    node=node_id,
                    field="type",
                    message=f"A flow has exactly one trigger; {triggers[0]!r} is already one.",
                )
            )

    parsed_edges: list[Edge] = []
    seen_edges: set[Edge] = set()
    for index, edge in enumerate(edges):
        parsed, edge_problems = _edge(index, edge, ports, set(triggers))
        problems.extend(edge_problems)
        if parsed is not None:
            if parsed in seen_edges:
                problems.append(ErrorItem(field=f"edges[{index}]", message="This edge is listed twice."))
            seen_edges.add(parsed)
            parsed_edges.append(parsed)

    if triggers:
        problems.extend(_shape_problems(list(ports), parsed_edges, triggers[0]))
    types = {n["id"]: n.get("type") for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)}
    problems.extend(_loop_problems(types, parsed_edges))
    return problems


def _settings_problems(flow_settings: Any) -> list[ErrorItem]:
    """`settings` (our extension of the document): `max_concurrency` (runs of this flow at once; more
    wait in the queue) and `error_flow` (a flow started with every failed run of this one)."""
    if not isinstance(flow_settings, dict):
        return [ErrorItem(field="settings", message="`settings` must be a JSON object.")]
    problems = [
        ErrorItem(field=f"settings.{key}", message=f"Unknown setting {key!r}.")
        for key in sorted(set(flow_settings) - {"max_concurrency", "error_flow"})
    ]
    limit = flow_settings.get("max_concurrency")
    if limit is not None and (
        not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000
    ):
        problems.append(ErrorItem(field="settings.max_concurrency", message="A whole number from 1 to 1000."))
    error_flow = flow_settings.get("error_flow")
    if error_flow is not None and not (isinstance(error_flow, str) and _is_uuid(error_flow)):
        problems.append(ErrorItem(field="settings.error_flow", message="The id of another flow."))
    return problems


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def flow_setting(document: dict[str, Any], key: str) -> Any:
    settings = document.get("settings")
    return settings.get(key) if isinstance(settings, dict) else None


def structure_problems(document: Any) -> list[ErrorItem]:
    """What keeps a document from being a flow at all, even an unfinished one (a draft being drawn
    may lack a trigger or a condition, but its nodes are objects with good, distinct ids)."""
    if not isinstance(document, dict):
        return [ErrorItem(message="The flow document must be a JSON object.")]
    nodes, edges = document.get("nodes", []), document.get("edges", [])
    problems = [
        ErrorItem(field=key, message=f"`{key}` must be a list.")
        for key, value in (("nodes", nodes), ("edges", edges))
        if not isinstance(value, list)
    ]
    if problems:
        return problems
    seen: set[str] = set()
    for index, node in enumerate(nodes):
        if (malformed := _malformed_node(index, node, seen)) is not None:
            problems.append(malformed)
        else:
            seen.add(node["id"])
    problems.extend(
        ErrorItem(field=f"edges[{index}]", message="An edge must be a JSON object.")
        for index, edge in enumerate(edges)
        if not isinstance(edge, dict)
    )
    return problems


def _malformed_node(index: int, node: Any, seen: set[str]) -> ErrorItem | None:
    where = f"nodes[{index}]"
    if not isinstance(node, dict):
        return ErrorItem(field=where, message="A node must be a JSON object.")
    node_id = node.get("id")
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        return ErrorItem(field=f"{where}.id", message="A node id is 1 to 64 of A-Z, a-z, 0-9, _ and -.")
    if node_id in seen:
        return ErrorItem(node=node_id, field="id", message=f"The id {node_id!r} is used by another node.")
    return None


def _node_problems(
    index: int, node: Any, ports: dict[str, tuple[str, ...]], triggers: list[str]
) -> list[ErrorItem]:
    if (malformed := _malformed_node(index, node, set(ports))) is not None:
        return [malformed]
    node_id = node["id"]
    problems: list[ErrorItem] = []
    for key in sorted(set(node) - {"id", "type", "config", "position", "name", "description", "sensitive"}):
        problems.append(ErrorItem(node=node_id, field=key, message=f"Unknown key {key!r}."))
    type_name = node.get("type")
    node_type = registry.get(type_name) if isinstance(type_name, str) else None
    ports[node_id] = node_type.ports_for(node.get("config")) if node_type else ()
    if node_type and isinstance(node.get("config"), dict) and node["config"].get("on_error") == "route":
        ports[node_id] = (*ports[node_id], ERROR_PORT)
    if node_type is None:
        problems.append(
            ErrorItem(node=node_id, field="type", message=f"Unknown node type {node.get('type')!r}.")
        )
        return problems
    if node_type.is_trigger:
        triggers.append(node_id)
    config = node.get("config", {})
    if not isinstance(config, dict):
        problems.append(ErrorItem(node=node_id, field="config", message="`config` must be a JSON object."))
    else:
        for path, message in node_type.validate_config(config):
            problems.append(
                ErrorItem(node=node_id, field=f"config.{path}" if path else "config", message=message)
            )
    position = node.get("position")
    if position is not None and not (
        isinstance(position, dict)
        and all(isinstance(position.get(axis), (int, float)) for axis in ("x", "y"))
    ):
        problems.append(ErrorItem(node=node_id, field="position", message='`position` is {"x": n, "y": n}.'))
    if "name" in node and not isinstance(node["name"], str):
        problems.append(ErrorItem(node=node_id, field="name", message="The name must be a string."))
    # `sensitive` (our extension of the document): the node's step data is masked for all but admins.
    if "sensitive" in node and not isinstance(node["sensitive"], bool):
        problems.append(ErrorItem(node=node_id, field="sensitive", message="`sensitive` is true or false."))
    return problems


def _edge(
    index: int, edge: Any, ports: dict[str, tuple[str, ...]], triggers: set[str]
) -> tuple[Edge | None, list[ErrorItem]]:
    where = f"edges[{index}]"
    if not isinstance(edge, dict):
        return None, [ErrorItem(field=where, message="An edge must be a JSON object.")]
    problems: list[ErrorItem] = []
    for key in sorted(set(edge) - {"source", "target", "sourcePort", "targetPort", "id"}):
        problems.append(ErrorItem(field=f"{where}.{key}", message=f"Unknown key {key!r}."))
    source, target = edge.get("source"), edge.get("target")
    source_port = edge.get("sourcePort", DEFAULT_SOURCE_PORT)
    target_port = edge.get("targetPort", DEFAULT_TARGET_PORT)
    if source not in ports:
        problems.append(ErrorItem(field=f"{where}.source", message=f"No node has the id {source!r}."))
    elif ports[source] and source_port not in ports[source]:
        problems.append(
            ErrorItem(
                field=f"{where}.sourcePort",
                message=f"{source!r} has no port {source_port!r}; its ports are {', '.join(ports[source])}.",
            )
        )
    if target not in ports:
        problems.append(ErrorItem(field=f"{where}.target", message=f"No node has the id {target!r}."))
    elif target in triggers:
        problems.append(
            ErrorItem(field=f"{where}.target", message=f"{target!r} is a trigger; nothing leads into it.")
        )
    if target_port != DEFAULT_TARGET_PORT:
        problems.append(ErrorItem(field=f"{where}.targetPort", message='The only input port is "in".'))
    if source == target and source in ports:
        problems.append(ErrorItem(field=where, message="An edge may not lead from a node to itself."))
    if problems:
        return None, problems
    return Edge(source=str(source), target=str(target), source_port=source_port, target_port=target_port), []


def _shape_problems(node_ids: list[str], edges: list[Edge], trigger: str) -> list[ErrorItem]:
    order = _topological(node_ids, edges)
    if order is None:
        return [ErrorItem(field="edges", message="The edges form a cycle; a flow must be acyclic.")]
    reachable = {trigger}
    for node_id in order:
        if node_id in reachable:
            reachable.update(e.target for e in edges if e.source == node_id)
    return [
        ErrorItem(node=node_id, message=f"Nothing leads to {node_id!r} from the trigger.")
        for node_id in node_ids
        if node_id not in reachable
    ]


def _topological(node_ids: list[str], edges: list[Edge]) -> list[str] | None:
    """Kahn's algorithm, stable by document order; None when there is a cycle."""
    indegree = dict.fromkeys(node_ids, 0)
    for edge in edges:
        indegree[edge.target] += 1
    rank = {node_id: i for i, node_id in enumerate(node_ids)}
    ready = deque(n for n in node_ids if indegree[n] == 0)
    order: list[str] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        released = []
        for edge in edges:
            if edge.source == node_id:
                indegree[edge.target] -= 1
                if indegree[edge.target] == 0:
                    released.append(edge.target)
        ready.extend(sorted(released, key=rank.__getitem__))
    return order if len(order) == len(node_ids) else None


def _reachable(starts: list[str], edges: list[Edge]) -> set[str]:
    """Every node reachable from `starts` (themselves included)."""
    found, queue = set(starts), deque(starts)
    while queue:
        node_id = queue.popleft()
        for edge in edges:
            if edge.source == node_id and edge.target not in found:
                found.add(edge.target)
                queue.append(edge.target)
    return found


def loop_body_nodes(loop_id: str, edges: list[Edge]) -> set[str]:
    """A loop's body: every node reachable from its `each` port."""
    return _reachable([e.target for e in edges if e.source == loop_id and e.source_port == BODY_PORT], edges)


def _loop_problems(types: dict[str, Any], edges: list[Edge]) -> list[ErrorItem]:
    """A loop's body must be self-contained: entered only through `each`, never leading back out to
    the steps after the loop (its results leave through `done`), and free of triggers, waiting nodes
    and further loops (a body runs inside the loop's one step, so nothing in it can park the run)."""
    problems: list[ErrorItem] = []
    for loop_id in [n for n, t in types.items() if t == LOOP_TYPE]:
        body = loop_body_nodes(loop_id, edges)
        if not body:
            problems.append(
                ErrorItem(
                    node=loop_id,
                    message=f"Nothing is connected to the {BODY_PORT!r} port of loop {loop_id!r}: "
                    "connect the steps to run for each item.",
                )
            )
            continue
        after = _reachable(
            [e.target for e in edges if e.source == loop_id and e.source_port != BODY_PORT], edges
        )
        for node_id in [n for n in types if n in body]:
            for entry in edges:
                if entry.target != node_id or entry.source in body:
                    continue
                if entry.source == loop_id and entry.source_port == BODY_PORT:
                    continue
                if entry.source == loop_id or entry.source in after:
                    message = (
                        f"{node_id!r} runs for each item of loop {loop_id!r} and also after the loop "
                        f"(from {entry.source!r}); a loop's body cannot lead back out to the steps after "
                        f"it: connect those to {loop_id!r}'s done port."
                    )
                else:
                    message = (
                        f"{node_id!r} is in the body of loop {loop_id!r} but is also reached from "
                        f"{entry.source!r}, outside it; a loop's body is entered only through its "
                        f"{BODY_PORT!r} port."
                    )
                problems.append(ErrorItem(node=node_id, message=message))
            node_type = registry.get(types[node_id]) if isinstance(types[node_id], str) else None
            if node_type is not None and node_type.is_trigger:
                problems.append(ErrorItem(node=node_id, message="A trigger cannot be inside a loop's body."))
            elif types[node_id] in WAITING_TYPES:
                problems.append(
                    ErrorItem(
                        node=node_id,
                        message=f"{node_id!r} ({types[node_id]}) waits, which a loop's body cannot: "
                        "every item runs within the loop's step.",
                    )
                )
            elif types[node_id] in NOT_IN_LOOPS:
                problems.append(
                    ErrorItem(
                        node=node_id,
                        message=f"{node_id!r} ({types[node_id]}) cannot be inside a loop's body yet; "
                        f"put it after {loop_id!r}'s done port.",
                    )
                )
            elif types[node_id] == LOOP_TYPE:
                problems.append(
                    ErrorItem(
                        node=node_id,
                        message=f"Loop {node_id!r} is inside loop {loop_id!r}; loops inside loops are not "
                        "supported yet.",
                    )
                )
    return problems


def compile_graph(document: dict[str, Any]) -> Graph:
    """A document already known to be valid, prepared for the engine."""
    nodes = {n["id"]: n for n in document["nodes"]}
    edges = [
        Edge(
            source=e["source"],
            target=e["target"],
            source_port=e.get("sourcePort", DEFAULT_SOURCE_PORT),
            target_port=e.get("targetPort", DEFAULT_TARGET_PORT),
        )
        for e in document.get("edges", [])
    ]
    order = _topological(list(nodes), edges) or []
    incoming: dict[str, list[Edge]] = {node_id: [] for node_id in nodes}
    for edge in edges:
        incoming[edge.target].append(edge)
    trigger = next(n for n in order if (t := registry.get(nodes[n]["type"])) is not None and t.is_trigger)
    loops: dict[str, LoopBody] = {}
    for loop_id in [n for n in order if nodes[n]["type"] == LOOP_TYPE]:
        body = loop_body_nodes(loop_id, edges)
        loops[loop_id] = LoopBody(
            loop=loop_id,
            nodes=[n for n in order if n in body],
            last=[n for n in order if n in body and not any(e.source == n for e in edges)],
        )
    body_of = {node_id: loop.loop for loop in loops.values() for node_id in loop.nodes}
    return Graph(nodes=nodes, order=order, incoming=incoming, trigger=trigger, loops=loops, body_of=body_of)


def trigger_node(document: dict[str, Any]) -> dict[str, Any] | None:
    """The document's trigger node, if it has one."""
    for node in document.get("nodes", []):
        node_type = registry.get(node.get("type", ""))
        if node_type is not None and node_type.is_trigger:
            return dict(node)
    return None


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its schema key set, as stored and exported."""
    return {"schema": SCHEMA, **{k: v for k, v in document.items() if k != "schema"}}
