/**
 * A version's diff (GET /flows/{id}/versions/{n}/diff) read for people: the canvas marks per node
 * on both sides, and one plain sentence per change — the server's ("Filter 'big' now checks total >
 * 200 instead of total > 100"), or, from a server that sends none, our own.
 */
import type { FlowEdge, FlowNode, NodeType, VersionDiff } from "../../api/types";
import type { NodeHighlight } from "../../canvas/canvasDecorations";

export type ChangeKind = "added" | "removed" | "changed";

/** One changed value inside a node, at a dotted `path` ("config.condition", "name"). */
export interface ValueChange {
  path: string;
  old: unknown;
  new: unknown;
  kind: ChangeKind;
}

export interface ChangedNode {
  id: string;
  type: string | null;
  changes: ValueChange[];
}

/** A node whose name (what the canvas calls it) changed: reported apart from behaviour changes. */
export interface RenamedNode {
  id: string;
  from: string;
  to: string;
}

/** One of the server's plain-language sentences, with what it is about. */
export interface DiffSentence {
  text: string;
  kind: ChangeKind;
  subject: "node" | "edge";
  node: string | null;
}

/** The diff with its node and edge lists typed (the OpenAPI document leaves them as unknown[]). */
export interface FlowDiff {
  from_version: number | null;
  to_version: number;
  nodes: { added: FlowNode[]; removed: FlowNode[]; changed: ChangedNode[]; renamed?: RenamedNode[] };
  edges: { added: FlowEdge[]; removed: FlowEdge[] };
  /** The server's sentences (the same the API gives to scripts and e-mails). */
  summary?: string[];
  details?: DiffSentence[];
}

export function asFlowDiff(diff: VersionDiff): FlowDiff {
  return diff as unknown as FlowDiff;
}

/** A piece of a sentence; `code` marks a path or a value, shown in a code font. */
export interface TextPart {
  text: string;
  code?: boolean;
}

/**
 * One line of the plain-language list; `node` is the node it is about, when there is one on the
 * canvas. `text` is the whole sentence; `parts` is the same sentence in pieces for display.
 */
export interface DiffLine {
  tone: ChangeKind;
  subject: "node" | "edge";
  node: string | null;
  text: string;
  parts: TextPart[];
}

function line(tone: ChangeKind, subject: DiffLine["subject"], node: string | null, parts: TextPart[]): DiffLine {
  return { tone, subject, node, parts, text: parts.map((part) => part.text).join("") };
}

type TypeTitles = Map<string, Pick<NodeType, "title">> | ((type: string) => string | undefined);

function titleOf(type: string | null | undefined, titles?: TypeTitles): string {
  if (!type) return "Node";
  const title = typeof titles === "function" ? titles(type) : titles?.get(type)?.title;
  if (title) return title;
  const last = type.split(".").pop() ?? type;
  return last.charAt(0).toUpperCase() + last.slice(1);
}

/** A value as it reads inside a sentence: strings quoted, JSON compact, long values cut. */
export function formatValue(value: unknown, max = 120): string {
  let text: string;
  if (value === undefined) text = "nothing";
  else if (typeof value === "string") text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function edgeLabel(edge: FlowEdge): string {
  const port = edge.sourcePort && edge.sourcePort !== "out" ? ` (${edge.sourcePort})` : "";
  return `${edge.source}${port} → ${edge.target}`;
}

function changeParts(change: ValueChange): TextPart[] {
  const path = { text: change.path, code: true };
  if (change.kind === "added") return [path, { text: " set to " }, { text: formatValue(change.new), code: true }];
  if (change.kind === "removed") return [path, { text: " removed (was " }, { text: formatValue(change.old), code: true }, { text: ")" }];
  return [path, { text: " changed from " }, { text: formatValue(change.old), code: true }, { text: " to " }, { text: formatValue(change.new), code: true }];
}

/** Every change as a sentence: nodes added, changed, removed, then edges added and removed. */
export function describeDiff(diff: FlowDiff, titles?: TypeTitles): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const node of diff.nodes.added) {
    lines.push(line("added", "node", node.id, [{ text: `Added node '${node.id}' (${titleOf(node.type, titles)})` }]));
  }
  for (const node of diff.nodes.changed) {
    const title = titleOf(node.type, titles);
    for (const change of node.changes) {
      lines.push(line("changed", "node", node.id, [{ text: `${title} '${node.id}': ` }, ...changeParts(change)]));
    }
  }
  for (const node of diff.nodes.removed) {
    lines.push(line("removed", "node", null, [{ text: `Removed node '${node.id}' (${titleOf(node.type, titles)})` }]));
  }
  for (const edge of diff.edges.added) {
    lines.push(line("added", "edge", null, [{ text: `Added edge ${edgeLabel(edge)}` }]));
  }
  for (const edge of diff.edges.removed) {
    lines.push(line("removed", "edge", null, [{ text: `Removed edge ${edgeLabel(edge)}` }]));
  }
  return lines;
}

/**
 * The lines of the plain-language list: the server's sentences when it sent them (so the page, the
 * API and the approval e-mail say the same), else our own (describeDiff).
 */
export function diffLines(diff: FlowDiff, titles?: TypeTitles): DiffLine[] {
  if (!diff.details) return describeDiff(diff, titles);
  return diff.details.map((sentence) => line(sentence.kind, sentence.subject, sentence.node, [{ text: sentence.text }]));
}

/** Canvas marks for the nodes of the newer version: added in green, changed (or renamed) in amber. */
export function diffHighlights(diff: FlowDiff | null | undefined): Record<string, NodeHighlight> {
  const marks: Record<string, NodeHighlight> = {};
  if (!diff) return marks;
  for (const node of diff.nodes.renamed ?? []) marks[node.id] = "changed";
  for (const node of diff.nodes.changed) marks[node.id] = "changed";
  for (const node of diff.nodes.added) marks[node.id] = "added";
  return marks;
}

/** Canvas marks for the nodes of the older version: removed in red, changed (or renamed) in amber. */
export function baseHighlights(diff: FlowDiff | null | undefined): Record<string, NodeHighlight> {
  const marks: Record<string, NodeHighlight> = {};
  if (!diff) return marks;
  for (const node of diff.nodes.renamed ?? []) marks[node.id] = "changed";
  for (const node of diff.nodes.changed) marks[node.id] = "changed";
  for (const node of diff.nodes.removed) marks[node.id] = "removed";
  return marks;
}

export function changeCount(diff: FlowDiff): number {
  return (
    diff.nodes.added.length +
    diff.nodes.removed.length +
    diff.nodes.changed.length +
    (diff.nodes.renamed ?? []).filter((node) => !diff.nodes.changed.some((changed) => changed.id === node.id)).length +
    diff.edges.added.length +
    diff.edges.removed.length
  );
}

// JsonLogic's operators and Switchboard's own: an object with one of these as its only key is a rule.
const OPERATORS = new Set([
  "var", "missing", "missing_some", "if", "?:", "==", "===", "!=", "!==", "!", "!!", "or", "and",
  ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%", "map", "filter", "reduce", "all",
  "none", "some", "merge", "in", "cat", "substr", "log", "val", "exists", "??", "try", "throw", "literal",
]);

function isRule(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && OPERATORS.has(keys[0]);
}

function valueAt(root: unknown, segments: string[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null || !(segment in current)) return { found: false, value: undefined };
    current = (current as Record<string, unknown>)[segment];
  }
  return { found: true, value: current };
}

/**
 * The server diffs rules key by key ("config.condition.>" changed from [...,100] to [...,250]); a
 * rule reads better whole. Changes inside a rule are folded into one change of the whole rule, its
 * values taken from the node in each version. Without both nodes the changes are left as they are.
 */
export function foldRuleChanges(changes: ValueChange[], before?: FlowNode | null, after?: FlowNode | null): ValueChange[] {
  if (!before || !after) return changes;
  const folded: ValueChange[] = [];
  const done = new Set<string>();
  for (const change of changes) {
    const segments = change.path.split(".");
    let cut = -1;
    for (let index = 1; index < segments.length; index += 1) {
      const prefix = segments.slice(0, index);
      const old = valueAt(before, prefix);
      const now = valueAt(after, prefix);
      if ((isRule(old.value) && segments[index] in old.value) || (isRule(now.value) && segments[index] in now.value)) {
        cut = index;
        break;
      }
    }
    if (cut < 0) {
      folded.push(change);
      continue;
    }
    const prefix = segments.slice(0, cut);
    const path = prefix.join(".");
    if (done.has(path)) continue;
    done.add(path);
    const old = valueAt(before, prefix);
    const now = valueAt(after, prefix);
    if (!old.found && !now.found) {
      folded.push(change);
      continue;
    }
    const kind: ChangeKind = !old.found ? "added" : !now.found ? "removed" : "changed";
    folded.push({ path, old: old.found ? old.value : null, new: now.found ? now.value : null, kind });
  }
  return folded;
}

/** The diff with every changed node's rule changes folded (see foldRuleChanges). */
export function foldDiff(diff: FlowDiff, beforeNodes: FlowNode[] | null | undefined, afterNodes: FlowNode[] | null | undefined): FlowDiff {
  if (!beforeNodes || !afterNodes) return diff;
  const before = new Map(beforeNodes.map((node) => [node.id, node]));
  const after = new Map(afterNodes.map((node) => [node.id, node]));
  return {
    ...diff,
    nodes: {
      ...diff.nodes,
      changed: diff.nodes.changed.map((node) => ({
        ...node,
        changes: foldRuleChanges(node.changes, before.get(node.id), after.get(node.id)),
      })),
    },
  };
}
