/**
 * A flow document drawn read-only: for run pages, version pages and anywhere a flow is shown but not
 * edited. Nodes can carry run statuses, diff highlights and problems; clicking one calls onNodeClick.
 */
import {
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type NodeChange,
  type NodeMouseHandler,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useNodeTypeMap } from "../api/nodeTypes";
import type { FlowDocument, ProblemItem } from "../api/types";
import { groupProblems } from "../stores/validationStore";
import type { NodeRunStatus } from "../ui/StatusBadge";
import { CanvasDecorationsContext, type CanvasDecorations, type NodeHighlight } from "./canvasDecorations";
import { canvasNodeTypes } from "./FlowNodeCard";
import { documentToGraph, type CanvasEdge, type CanvasNode } from "./flowGraph";
import { edgeClassName, miniMapColor } from "./edgeStyles";

export interface FlowCanvasProps {
  document: FlowDocument;
  /** Step status per node id (see runNodeStatuses). */
  statuses?: Record<string, NodeRunStatus>;
  /** Diff marks per node id. */
  highlights?: Record<string, NodeHighlight>;
  problems?: ProblemItem[];
  selectedNodeId?: string | null;
  onNodeClick?: (nodeId: string) => void;
  /** Which edges a run went along ("source:port->target" ids); drawn as taken. */
  takenEdges?: Set<string>;
  ariaLabel?: string;
  className?: string;
}

export function FlowCanvas(props: FlowCanvasProps) {
  return (
    <ReactFlowProvider>
      <ReadOnlyCanvas {...props} />
    </ReactFlowProvider>
  );
}

function ReadOnlyCanvas({
  document,
  statuses = {},
  highlights = {},
  problems = [],
  selectedNodeId = null,
  onNodeClick,
  takenEdges,
  ariaLabel = "Flow canvas",
  className,
}: FlowCanvasProps) {
  const nodeTypes = useNodeTypeMap();
  const graph = useMemo(() => documentToGraph(document), [document]);
  const grouped = useMemo(() => groupProblems(problems), [problems]);
  // Nodes are kept in state so React Flow's measurements stay with them (the mini map needs them).
  const [measured, setMeasured] = useState<CanvasNode[]>(graph.nodes);
  useEffect(() => setMeasured(graph.nodes), [graph.nodes]);
  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => setMeasured((current) => applyNodeChanges(changes.filter((change) => change.type === "dimensions"), current)),
    [],
  );
  const nodes = useMemo(
    () => measured.map((node) => (Boolean(node.selected) === (node.id === selectedNodeId) ? node : { ...node, selected: node.id === selectedNodeId })),
    [measured, selectedNodeId],
  );
  const edges = useMemo<CanvasEdge[]>(
    () => graph.edges.map((edge) => ({ ...edge, className: edgeClassName(edge, { taken: takenEdges }) })),
    [graph.edges, takenEdges],
  );
  const decorations = useMemo<CanvasDecorations>(
    () => ({ nodeTypes, statuses, problems: grouped.byNode, highlights }),
    [nodeTypes, statuses, grouped.byNode, highlights],
  );
  const handleClick: NodeMouseHandler = (_event, node) => onNodeClick?.(node.id);

  return (
    <CanvasDecorationsContext.Provider value={decorations}>
      <div className={`flow-canvas ${className ?? ""}`} aria-label={ariaLabel} role="region">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={canvasNodeTypes}
          onNodeClick={handleClick}
          onNodesChange={onNodesChange}
          nodesDraggable={false}
          nodesConnectable={false}
          edgesFocusable={false}
          deleteKeyCode={null}
          fitView
          fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
          minZoom={0.2}
          attributionPosition="top-right"
        >
          <FitOnDocumentChange document={document} />
          <Background gap={20} size={1.2} />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable nodeColor={miniMapColor(nodeTypes)} ariaLabel="Mini map" style={{ width: 160, height: 100 }} />
        </ReactFlow>
      </div>
    </CanvasDecorationsContext.Provider>
  );
}

/** Fits the view again when another document is shown (the first fit is React Flow's own). */
function FitOnDocumentChange({ document }: { document: FlowDocument }) {
  const flow = useReactFlow();
  useEffect(() => {
    const frame = requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }));
    return () => cancelAnimationFrame(frame);
  }, [document, flow]);
  return null;
}
