/**
 * The paths a node's expressions can read (CONTRACT §2, "Data between nodes"): `trigger…`,
 * `steps.<id>…` of the steps before it, `input…` (what feeds it) and `run…`, each with a sample
 * value from the last run when there is one.
 */
import type { FlowDocument, NodeType, Run } from "../api/types";

export interface ContextPath {
  path: string;
  /** Where it comes from, for grouping: "Trigger", "Input", "Step shape", "Run". */
  group: string;
  /** A short preview of the value in the last run, if known. */
  preview?: string;
}

const MAX_DEPTH = 5;
const MAX_PATHS_PER_ROOT = 80;

function preview(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === "object") return Array.isArray(value) ? `list of ${value.length}` : "object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Every path inside `value` under `root` (objects by key, lists by index 0), depth-limited. */
export function flattenPaths(root: string, value: unknown, group: string): ContextPath[] {
  const paths: ContextPath[] = [];
  const walk = (path: string, current: unknown, depth: number) => {
    if (paths.length >= MAX_PATHS_PER_ROOT) return;
    paths.push({ path, group, preview: preview(current) });
    if (depth >= MAX_DEPTH || current === null || typeof current !== "object") return;
    if (Array.isArray(current)) {
      if (current.length > 0) walk(`${path}.0`, current[0], depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(current)) {
      if (/^[A-Za-z0-9_-]+$/.test(key)) walk(`${path}.${key}`, child, depth + 1);
    }
  };
  walk(root, value, 0);
  return paths;
}

/** Ids of every node from which `nodeId` can be reached, nearest first. */
export function upstreamNodes(document: FlowDocument, nodeId: string): string[] {
  const incoming = new Map<string, string[]>();
  for (const edge of document.edges) incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), edge.source]);
  const order: string[] = [];
  const seen = new Set<string>([nodeId]);
  const queue = [...(incoming.get(nodeId) ?? [])];
  while (queue.length) {
    const current = queue.shift()!;
    if (seen.has(current)) continue;
    seen.add(current);
    order.push(current);
    queue.push(...(incoming.get(current) ?? []));
  }
  return order;
}

/** What a trigger outputs when no run has shown it yet. */
function exampleTriggerOutput(trigger: FlowDocument["nodes"][number] | undefined): unknown {
  if (!trigger) return undefined;
  if (trigger.type === "trigger.webhook") return { body: {}, headers: {}, query: {}, method: "POST" };
  if (trigger.type === "trigger.schedule") return { scheduled_at: "2025-01-01T09:00:00Z" };
  if (trigger.type === "trigger.manual") return trigger.config?.sample ?? {};
  return {};
}

export function contextPaths({
  document,
  nodeId,
  run,
  nodeTypes,
}: {
  document: FlowDocument;
  nodeId: string;
  run?: Run | null;
  nodeTypes: Map<string, NodeType>;
}): ContextPath[] {
  const byId = new Map(document.nodes.map((node) => [node.id, node]));
  const isTrigger = (id: string) => nodeTypes.get(byId.get(id)?.type ?? "")?.category === "trigger";
  const trigger = document.nodes.find((node) => isTrigger(node.id));
  const steps = new Map((run?.steps ?? []).map((step) => [step.node, step]));
  const paths: ContextPath[] = [];

  const triggerOutput = trigger && steps.has(trigger.id) ? steps.get(trigger.id)!.output : exampleTriggerOutput(trigger);
  if (trigger && trigger.id !== nodeId) paths.push(...flattenPaths("trigger", triggerOutput, "Trigger"));

  const upstream = upstreamNodes(document, nodeId);
  const feeding = document.edges.find((edge) => edge.target === nodeId)?.source;
  if (feeding) {
    const output = steps.has(feeding) ? steps.get(feeding)!.output : feeding === trigger?.id ? triggerOutput : undefined;
    paths.push(...flattenPaths("input", output, `Input (from ${feeding})`));
  }
  for (const id of upstream) {
    if (isTrigger(id)) continue;
    paths.push(...flattenPaths(`steps.${id}`, steps.get(id)?.output, `Step ${id}`));
  }
  paths.push(
    { path: "run.id", group: "Run" },
    { path: "run.flow", group: "Run" },
    { path: "run.correlation_id", group: "Run" },
  );
  return paths;
}
