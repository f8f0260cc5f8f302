/**
 * The flow document (CONTRACT §2) ↔ React Flow nodes and edges. Node ids, names, positions and
 * any other keys of a node are kept as they are; edges name their port only when it is not "out".
 */
import type { Edge, Node } from "@xyflow/react";
import { FLOW_SCHEMA, type FlowDocument, type FlowEdge, type FlowNode, type NodeType, type Position } from "../api/types";
import { layoutPositions } from "./autoLayout";

export const DEFAULT_SOURCE_PORT = "out";
export const ERROR_PORT = "error";
export const DEFAULT_TARGET_PORT = "in";

/** What a canvas node holds of its document node. */
export type FlowNodeData = {
  nodeType: string;
  name?: string;
  config: Record<string, unknown>;
  /** Keys of the document node the canvas does not use (e.g. `description`), written back unchanged. */
  extra?: Record<string, unknown>;
};

export type CanvasNode = Node<FlowNodeData, "flowNode">;
export type CanvasEdge = Edge;

/** The document's own keys beside `nodes` and `edges` (schema, name, description, …). */
export type DocumentHead = Omit<FlowDocument, "nodes" | "edges">;

export function edgeId(edge: FlowEdge): string {
  return `${edge.source}:${edge.sourcePort ?? DEFAULT_SOURCE_PORT}->${edge.target}`;
}

export function toCanvasNode(node: FlowNode, position: Position): CanvasNode {
  const { id, type, name, config, position: _position, ...extra } = node;
  void _position;
  return {
    id,
    type: "flowNode",
    position,
    ariaLabel: `Node ${id}`,
    data: {
      nodeType: type,
      ...(name !== undefined ? { name } : {}),
      config: config ?? {},
      ...(Object.keys(extra).length ? { extra } : {}),
    },
  };
}

export function toCanvasEdge(edge: FlowEdge): CanvasEdge {
  const sourcePort = edge.sourcePort ?? DEFAULT_SOURCE_PORT;
  return {
    id: edgeId(edge),
    source: edge.source,
    target: edge.target,
    sourceHandle: sourcePort,
    targetHandle: edge.targetPort ?? DEFAULT_TARGET_PORT,
    // The port is labelled on the node card; the edge takes its colour (see edge-port-* in styles.css).
    ...(sourcePort !== DEFAULT_SOURCE_PORT ? { className: `edge-port-${sourcePort.replace(/[^A-Za-z0-9_-]/g, "")}` } : {}),
  };
}

/** React Flow nodes and edges for a document; nodes without a position are laid out automatically. */
export function documentToGraph(document: FlowDocument): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const documentNodes = Array.isArray(document.nodes) ? document.nodes : [];
  const documentEdges = Array.isArray(document.edges) ? document.edges : [];
  const missing = documentNodes.some((node) => !isPosition(node.position));
  const laidOut = missing ? layoutPositions(documentNodes, documentEdges) : new Map<string, Position>();
  const nodes = documentNodes.map((node) =>
    toCanvasNode(node, isPosition(node.position) ? node.position : (laidOut.get(node.id) ?? { x: 0, y: 0 })),
  );
  const ids = new Set(nodes.map((node) => node.id));
  const seen = new Set<string>();
  const edges: CanvasEdge[] = [];
  for (const edge of documentEdges) {
    // React Flow cannot draw an edge to a missing node or the same edge twice; validation names those.
    if (!ids.has(edge.source) || !ids.has(edge.target) || seen.has(edgeId(edge))) continue;
    seen.add(edgeId(edge));
    edges.push(toCanvasEdge(edge));
  }
  return { nodes, edges };
}

/** The flow document for the canvas: `head` gives the document's own keys (schema, name, …). */
export function graphToDocument(nodes: CanvasNode[], edges: CanvasEdge[], head: DocumentHead = {}): FlowDocument {
  return {
    ...head,
    schema: head.schema ?? FLOW_SCHEMA,
    nodes: nodes.map(toDocumentNode),
    edges: edges.map(toDocumentEdge),
  };
}

export function toDocumentNode(node: CanvasNode): FlowNode {
  const { nodeType, name, config, extra } = node.data;
  return {
    id: node.id,
    type: nodeType,
    ...(name !== undefined && name !== "" ? { name } : {}),
    ...extra,
    config,
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
  };
}

export function toDocumentEdge(edge: CanvasEdge): FlowEdge {
  const port = edge.sourceHandle ?? DEFAULT_SOURCE_PORT;
  return {
    source: edge.source,
    target: edge.target,
    ...(port !== DEFAULT_SOURCE_PORT ? { sourcePort: port } : {}),
  };
}

/**
 * A node's output ports: its type's declared ones, then those its config names (a switch's cases,
 * by the type's `config_ports`), each once — the server's `ports_for`, so the canvas offers exactly
 * the ports validation accepts. The `error` port of a node routing its failures is the card's to add.
 */
export function outputPorts(nodeType: Pick<NodeType, "ports" | "config_ports"> | undefined, config: Record<string, unknown> | undefined): string[] {
  const declared = nodeType?.ports ?? [DEFAULT_SOURCE_PORT];
  const byConfig = nodeType?.config_ports;
  const items = byConfig ? config?.[byConfig.list] : undefined;
  const named = Array.isArray(items)
    ? items.flatMap((item) => {
        const port = typeof item === "object" && item !== null ? (item as Record<string, unknown>)[byConfig!.key] : undefined;
        return typeof port === "string" && port !== "" ? [port] : [];
      })
    : [];
  return [...new Set([...declared, ...named])];
}

/** A readable id for a new node of `type` that no node has yet: `filter`, then `filter_2`, … */
export function nextNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const last = type.split(".").pop() ?? "node";
  const base = (last.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "node").slice(0, 58);
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}_${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

function isPosition(value: unknown): value is Position {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Position).x === "number" &&
    typeof (value as Position).y === "number"
  );
}
