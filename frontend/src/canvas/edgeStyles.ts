/** Edge and mini-map styling shared by the read-only and the editing canvas. */
import type { NodeType } from "../api/types";
import type { CanvasEdge, CanvasNode } from "./flowGraph";

export function edgeClassName(edge: CanvasEdge, marks: { taken?: Set<string>; problem?: boolean }): string {
  const port = edge.sourceHandle && edge.sourceHandle !== "out" ? `edge-port-${edge.sourceHandle.replace(/[^A-Za-z0-9_-]/g, "")}` : "";
  return [port, marks.taken?.has(edge.id) ? "edge-taken" : "", marks.problem ? "edge-problem" : ""].filter(Boolean).join(" ");
}

const CATEGORY_COLORS: Record<string, string> = { trigger: "#7c3aed", transform: "#2563eb", action: "#0d9488" };

export function miniMapColor(nodeTypes: Map<string, NodeType>) {
  return (node: CanvasNode) => CATEGORY_COLORS[nodeTypes.get(node.data.nodeType)?.category ?? ""] ?? "#94a3b8";
}
