/** Lays a flow out left to right with dagre: the trigger on the left, each step right of what feeds it. */
import dagre from "@dagrejs/dagre";
import type { Position } from "../api/types";

export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 84;

export interface LayoutNode {
  id: string;
  width?: number;
  height?: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
}

/** Top-left positions for every node, as React Flow places nodes. */
export function layoutPositions(nodes: LayoutNode[], edges: LayoutEdge[]): Map<string, Position> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 48, ranksep: 96, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.id, { width: node.width ?? NODE_WIDTH, height: node.height ?? NODE_HEIGHT });
  }
  const ids = new Set(nodes.map((node) => node.id));
  for (const edge of edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  const positions = new Map<string, Position>();
  for (const node of nodes) {
    const laid = graph.node(node.id);
    const width = node.width ?? NODE_WIDTH;
    const height = node.height ?? NODE_HEIGHT;
    positions.set(node.id, { x: Math.round(laid.x - width / 2), y: Math.round(laid.y - height / 2) });
  }
  return positions;
}
