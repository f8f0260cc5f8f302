/** A run laid over its flow document: which edges it went along, its steps in order, the step to show first. */
import type { FlowDocument, Run, Step } from "../../api/types";
import { edgeId } from "../../canvas/flowGraph";
import { isRunActive } from "./runFormat";

/**
 * The canvas ids ("source:port->target") of the edges the run went along: the source step succeeded
 * and left through the edge's port, and the target ran (was not skipped).
 */
export function takenEdgeIds(run: Pick<Run, "steps"> | null | undefined, document: FlowDocument | null | undefined): Set<string> {
  const taken = new Set<string>();
  if (!run || !document) return taken;
  const steps = new Map(run.steps.map((step) => [step.node, step]));
  for (const edge of document.edges ?? []) {
    const source = steps.get(edge.source);
    const target = steps.get(edge.target);
    if (!source || !target || source.status !== "succeeded" || target.status === "skipped") continue;
    if ((source.port ?? "out") !== (edge.sourcePort ?? "out")) continue;
    taken.add(edgeId(edge));
  }
  return taken;
}

export interface StepRow {
  node: string;
  /** The node's type: the step's, or the document's for a node that has not run. */
  nodeType: string;
  /** The node's display name from the document, if it has one. */
  name?: string;
  step: Step | null;
  /** False for a step of a node the shown document does not have (a draft changed since a test run). */
  inDocument: boolean;
}

/** The run's steps in the order they ran, then the document's nodes the run has not reached. */
export function stepRows(run: Pick<Run, "steps"> | null | undefined, document: FlowDocument | null | undefined): StepRow[] {
  const nodes = new Map((document?.nodes ?? []).map((node) => [node.id, node]));
  const rows: StepRow[] = [];
  const seen = new Set<string>();
  for (const step of run?.steps ?? []) {
    const node = nodes.get(step.node);
    rows.push({ node: step.node, nodeType: step.node_type || node?.type || "", name: node?.name, step, inDocument: Boolean(node) });
    seen.add(step.node);
  }
  for (const node of document?.nodes ?? []) {
    if (!seen.has(node.id)) rows.push({ node: node.id, nodeType: node.type, name: node.name, step: null, inDocument: true });
  }
  return rows;
}

/** The node to open first: the failed step, else the one still running or waiting, else none. */
export function defaultStepNode(run: Pick<Run, "steps"> | null | undefined): string | null {
  const steps = run?.steps ?? [];
  return (
    steps.find((step) => step.status === "failed")?.node ??
    steps.find((step) => step.status === "running" || step.status === "waiting")?.node ??
    null
  );
}

/** What a node without a step says about itself: not yet, or never (the run ended first). */
export function notRunLabel(runStatus: string | undefined): string {
  return isRunActive(runStatus) ? "Not started" : "Not reached";
}
