/** The status of every node of a flow in a run, for colouring the canvas. */
import type { FlowDocument, Run } from "../api/types";
import { isRunFinished } from "../api/runSocket";
import type { NodeRunStatus } from "../ui/StatusBadge";

/**
 * Each node's step status; while the run is still going, nodes without a step yet are "pending".
 * A finished run leaves nodes it never reached without a status.
 */
export function runNodeStatuses(run: Run | null | undefined, document?: FlowDocument | null): Record<string, NodeRunStatus> {
  if (!run) return {};
  const statuses: Record<string, NodeRunStatus> = {};
  if (!isRunFinished(run) && document) for (const node of document.nodes) statuses[node.id] = "pending";
  for (const step of run.steps) statuses[step.node] = step.status;
  return statuses;
}

/** The edges a run went along: from a succeeded step, through the port it continued on, to a step that ran. */
export function runTakenEdges(run: Run | null | undefined, document: FlowDocument | null | undefined): Set<string> {
  const taken = new Set<string>();
  if (!run || !document) return taken;
  const ports = new Map(run.steps.filter((step) => step.status === "succeeded").map((step) => [step.node, step.port || "out"]));
  const reached = new Set(run.steps.filter((step) => step.status !== "skipped").map((step) => step.node));
  for (const edge of document.edges) {
    const port = edge.sourcePort ?? "out";
    if (ports.get(edge.source) === port && reached.has(edge.target)) taken.add(`${edge.source}:${port}->${edge.target}`);
  }
  return taken;
}
