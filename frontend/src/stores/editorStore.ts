/**
 * The flow being edited: its nodes and edges (as React Flow holds them), the selection, and the
 * undo/redo history. Every change to the document bumps `revision`, which autosave and live
 * validation follow. History entries are whole flow documents, so undo restores exactly what was.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { create } from "zustand";
import type { FlowDocument, NodeType, Position } from "../api/types";
import { layoutPositions } from "../canvas/autoLayout";
import {
  DEFAULT_SOURCE_PORT,
  DEFAULT_TARGET_PORT,
  documentToGraph,
  graphToDocument,
  nextNodeId,
  toCanvasEdge,
  type CanvasEdge,
  type CanvasNode,
  type DocumentHead,
} from "../canvas/flowGraph";

const HISTORY_LIMIT = 100;
/** Edits of the same thing within this time (typing in one field, nudging one node) are one undo step. */
const COALESCE_MS = 1200;

export interface EditorState {
  head: DocumentHead;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  past: FlowDocument[];
  future: FlowDocument[];
  /** Bumped on every change of the document (not on selection or measuring). */
  revision: number;
  /** The node the side panel shows. */
  selectedNodeId: string | null;
  lastCheckpoint: { key: string; at: number } | null;

  /** Starts editing `document`: the history is cleared and `revision` starts again at 0. */
  load: (document: FlowDocument) => void;
  document: () => FlowDocument;
  /** Remembers the current document for undo; edits with the same `key` in quick succession share one entry. */
  checkpoint: (key?: string) => void;

  onNodesChange: (changes: NodeChange<CanvasNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<CanvasEdge>[]) => void;
  /** Connects two ports; refused (false) when it would duplicate an edge, loop or make a cycle. */
  connect: (connection: Connection) => boolean;
  /**
   * Adds a node of `nodeType` and answers its id. Without a position it goes right of `connectFrom`
   * (or of the right-most node); with `connectFrom` it is wired from that node's first free port.
   */
  addNode: (nodeType: NodeType, position?: Position, options?: { connectFrom?: { id: string; ports: string[] } }) => string;
  removeNodes: (ids: string[]) => void;
  /** Removes the selected nodes and edges (with the edges of removed nodes). */
  removeSelection: () => void;
  renameNode: (id: string, name: string) => void;
  /** Mark a node sensitive (`sensitive: true` in the document) or not (the key is dropped). */
  setSensitive: (id: string, sensitive: boolean) => void;
  updateConfig: (id: string, config: Record<string, unknown>) => void;
  autoLayout: () => void;
  select: (id: string | null) => void;
  undo: () => void;
  redo: () => void;
}

function snapshot(state: Pick<EditorState, "nodes" | "edges" | "head">): FlowDocument {
  return graphToDocument(state.nodes, state.edges, state.head);
}

/** Nodes for `document`, keeping what React Flow measured of nodes that stay. */
function restore(document: FlowDocument, current: CanvasNode[], selectedNodeId: string | null) {
  const { nodes, edges } = documentToGraph(document);
  const previous = new Map(current.map((node) => [node.id, node]));
  return {
    nodes: nodes.map((node) => {
      const before = previous.get(node.id);
      return { ...node, ...(before?.measured ? { measured: before.measured } : {}), selected: node.id === selectedNodeId };
    }),
    edges,
  };
}

/** True when an edge source → target would close a cycle (target already reaches source). */
export function wouldCreateCycle(edges: Pick<CanvasEdge, "source" | "target">[], source: string, target: string): boolean {
  if (source === target) return true;
  const outgoing = new Map<string, string[]>();
  for (const edge of edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge.target]);
  const stack = [target];
  const seen = new Set<string>();
  while (stack.length) {
    const current = stack.pop()!;
    if (current === source) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    stack.push(...(outgoing.get(current) ?? []));
  }
  return false;
}

export const useEditorStore = create<EditorState>((set, get) => ({
  head: {},
  nodes: [],
  edges: [],
  past: [],
  future: [],
  revision: 0,
  selectedNodeId: null,
  lastCheckpoint: null,

  load: (document) => {
    const { nodes: _nodes, edges: _edges, ...head } = document;
    void _nodes;
    void _edges;
    set({
      head,
      ...documentToGraph(document),
      past: [],
      future: [],
      revision: 0,
      selectedNodeId: null,
      lastCheckpoint: null,
    });
  },

  document: () => snapshot(get()),

  checkpoint: (key) => {
    const now = Date.now();
    const last = get().lastCheckpoint;
    if (key && last && last.key === key && now - last.at < COALESCE_MS) {
      set({ lastCheckpoint: { key, at: now } });
      return;
    }
    set({
      past: [...get().past, snapshot(get())].slice(-HISTORY_LIMIT),
      future: [],
      lastCheckpoint: key ? { key, at: now } : null,
    });
  },

  onNodesChange: (changes) => {
    const state = get();
    // Removal goes through removeSelection/removeNodes (one undo step); React Flow's own is off.
    const relevant = changes.filter((change) => change.type !== "remove");
    if (relevant.length === 0) return;
    const moved = relevant.some((change) => change.type === "position" && change.position);
    // Drags are remembered when they start (onNodeDragStart); arrow-key nudges here, as one step per burst.
    if (moved && !relevant.some((change) => change.type === "position" && change.dragging)) get().checkpoint("nudge");
    const nodes = applyNodeChanges(relevant, get().nodes);
    const selected = nodes.filter((node) => node.selected);
    const selectionChanged = relevant.some((change) => change.type === "select");
    set({
      nodes,
      ...(moved ? { revision: state.revision + 1 } : {}),
      ...(selectionChanged ? { selectedNodeId: selected.length === 1 ? selected[0].id : selected.length ? state.selectedNodeId : null } : {}),
    });
  },

  onEdgesChange: (changes) => {
    const relevant = changes.filter((change) => change.type !== "remove");
    if (relevant.length === 0) return;
    set({ edges: applyEdgeChanges(relevant, get().edges) });
  },

  connect: (connection) => {
    const { source, target } = connection;
    const sourcePort = connection.sourceHandle ?? DEFAULT_SOURCE_PORT;
    if (!source || !target) return false;
    const edge = toCanvasEdge({ source, target, ...(sourcePort !== DEFAULT_SOURCE_PORT ? { sourcePort } : {}) });
    const { edges } = get();
    if (edges.some((existing) => existing.id === edge.id)) return false;
    if (wouldCreateCycle(edges, source, target)) return false;
    get().checkpoint();
    set({ edges: [...get().edges, { ...edge, targetHandle: DEFAULT_TARGET_PORT }], revision: get().revision + 1 });
    return true;
  },

  addNode: (nodeType, position, options = {}) => {
    const state = get();
    const id = nextNodeId(nodeType.type, state.nodes.map((node) => node.id));
    const from = options.connectFrom;
    const anchor = from ? state.nodes.find((node) => node.id === from.id) : undefined;
    const rightmost = state.nodes.reduce<CanvasNode | undefined>(
      (best, node) => (!best || node.position.x > best.position.x ? node : best),
      undefined,
    );
    const reference = anchor ?? rightmost;
    const place = position ?? (reference ? { x: reference.position.x + 300, y: reference.position.y } : { x: 80, y: 120 });
    const node: CanvasNode = {
      id,
      type: "flowNode",
      position: { x: Math.round(place.x), y: Math.round(place.y) },
      ariaLabel: `Node ${id}`,
      selected: true,
      data: { nodeType: nodeType.type, config: {} },
    };
    get().checkpoint();
    let edges = state.edges;
    if (anchor && from && nodeType.inputs.length > 0) {
      const used = new Set(edges.filter((edge) => edge.source === anchor.id).map((edge) => edge.sourceHandle ?? DEFAULT_SOURCE_PORT));
      const port = from.ports.find((candidate) => !used.has(candidate)) ?? (from.ports.length === 1 ? from.ports[0] : undefined);
      if (port) {
        const edge = toCanvasEdge({ source: anchor.id, target: id, ...(port !== DEFAULT_SOURCE_PORT ? { sourcePort: port } : {}) });
        if (!edges.some((existing) => existing.id === edge.id)) edges = [...edges, edge];
      }
    }
    set({
      nodes: [...state.nodes.map((existing) => (existing.selected ? { ...existing, selected: false } : existing)), node],
      edges: edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)),
      selectedNodeId: id,
      revision: state.revision + 1,
    });
    return id;
  },

  removeNodes: (ids) => {
    if (ids.length === 0) return;
    const gone = new Set(ids);
    const state = get();
    get().checkpoint();
    set({
      nodes: state.nodes.filter((node) => !gone.has(node.id)),
      edges: state.edges.filter((edge) => !gone.has(edge.source) && !gone.has(edge.target)),
      selectedNodeId: state.selectedNodeId && gone.has(state.selectedNodeId) ? null : state.selectedNodeId,
      revision: state.revision + 1,
    });
  },

  removeSelection: () => {
    const state = get();
    const nodeIds = new Set(state.nodes.filter((node) => node.selected).map((node) => node.id));
    const edgeIds = new Set(state.edges.filter((edge) => edge.selected).map((edge) => edge.id));
    if (nodeIds.size === 0 && edgeIds.size === 0) return;
    get().checkpoint();
    set({
      nodes: state.nodes.filter((node) => !nodeIds.has(node.id)),
      edges: state.edges.filter((edge) => !edgeIds.has(edge.id) && !nodeIds.has(edge.source) && !nodeIds.has(edge.target)),
      selectedNodeId: state.selectedNodeId && nodeIds.has(state.selectedNodeId) ? null : state.selectedNodeId,
      revision: state.revision + 1,
    });
  },

  renameNode: (id, name) => {
    get().checkpoint(`name:${id}`);
    set({
      nodes: get().nodes.map((node) => (node.id === id ? { ...node, data: { ...node.data, name } } : node)),
      revision: get().revision + 1,
    });
  },

  setSensitive: (id, sensitive) => {
    get().checkpoint();
    set({
      nodes: get().nodes.map((node) => {
        if (node.id !== id) return node;
        const { sensitive: _dropped, ...rest } = node.data.extra ?? {};
        void _dropped;
        const extra = sensitive ? { ...rest, sensitive: true } : rest;
        return { ...node, data: { ...node.data, extra: Object.keys(extra).length ? extra : undefined } };
      }),
      revision: get().revision + 1,
    });
  },

  updateConfig: (id, config) => {
    get().checkpoint(`config:${id}`);
    set({
      nodes: get().nodes.map((node) => (node.id === id ? { ...node, data: { ...node.data, config } } : node)),
      revision: get().revision + 1,
    });
  },

  autoLayout: () => {
    const state = get();
    if (state.nodes.length === 0) return;
    const positions = layoutPositions(
      state.nodes.map((node) => ({ id: node.id, width: node.measured?.width, height: node.measured?.height })),
      state.edges,
    );
    get().checkpoint();
    set({
      nodes: state.nodes.map((node) => ({ ...node, position: positions.get(node.id) ?? node.position })),
      revision: state.revision + 1,
    });
  },

  select: (id) => {
    set({
      selectedNodeId: id,
      nodes: get().nodes.map((node) => (Boolean(node.selected) === (node.id === id) ? node : { ...node, selected: node.id === id })),
      edges: get().edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)),
    });
  },

  undo: () => {
    const state = get();
    const previous = state.past[state.past.length - 1];
    if (!previous) return;
    const selected = state.selectedNodeId && previous.nodes.some((node) => node.id === state.selectedNodeId) ? state.selectedNodeId : null;
    set({
      ...restore(previous, state.nodes, selected),
      past: state.past.slice(0, -1),
      future: [snapshot(state), ...state.future].slice(0, HISTORY_LIMIT),
      selectedNodeId: selected,
      revision: state.revision + 1,
      lastCheckpoint: null,
    });
  },

  redo: () => {
    const state = get();
    const next = state.future[0];
    if (!next) return;
    const selected = state.selectedNodeId && next.nodes.some((node) => node.id === state.selectedNodeId) ? state.selectedNodeId : null;
    set({
      ...restore(next, state.nodes, selected),
      past: [...state.past, snapshot(state)].slice(-HISTORY_LIMIT),
      future: state.future.slice(1),
      selectedNodeId: selected,
      revision: state.revision + 1,
      lastCheckpoint: null,
    });
  },

}));

