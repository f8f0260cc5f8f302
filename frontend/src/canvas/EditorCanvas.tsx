/**
 * The editable canvas: nodes dragged in from the palette (HTML5 drag and drop), wired port to port,
 * moved and selected; it draws the editor store and sends every change back to it. `readOnly` keeps
 * only looking and selecting (to read a node's settings).
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
  type NodeMouseHandler,
} from "@xyflow/react";
import { useCallback, useMemo, type DragEvent } from "react";
import { useNodeTypeMap } from "../api/nodeTypes";
import type { ProblemItem } from "../api/types";
import { useEditorStore, wouldCreateCycle } from "../stores/editorStore";
import { groupProblems } from "../stores/validationStore";
import type { NodeRunStatus } from "../ui/StatusBadge";
import { NODE_HEIGHT, NODE_WIDTH } from "./autoLayout";
import { CanvasDecorationsContext, type CanvasDecorations } from "./canvasDecorations";
import { edgeClassName, miniMapColor } from "./edgeStyles";
import { canvasNodeTypes } from "./FlowNodeCard";
import type { CanvasEdge } from "./flowGraph";

/** The drag-and-drop data type carrying a node type from the palette. */
export const NODE_TYPE_DRAG_FORMAT = "application/x-switchboard-node-type";

export interface EditorCanvasProps {
  problems: ProblemItem[];
  statuses?: Record<string, NodeRunStatus>;
  takenEdges?: Set<string>;
  onNodeClick?: (nodeId: string) => void;
  /** For people who may not write flows: nothing can be moved, connected or dropped. */
  readOnly?: boolean;
}

const EMPTY_STATUSES: Record<string, NodeRunStatus> = {};

export function EditorCanvas({ problems, statuses = EMPTY_STATUSES, takenEdges, onNodeClick, readOnly = false }: EditorCanvasProps) {
  const nodes = useEditorStore((state) => state.nodes);
  const edges = useEditorStore((state) => state.edges);
  const onNodesChange = useEditorStore((state) => state.onNodesChange);
  const onEdgesChange = useEditorStore((state) => state.onEdgesChange);
  const connect = useEditorStore((state) => state.connect);
  const checkpoint = useEditorStore((state) => state.checkpoint);
  const addNode = useEditorStore((state) => state.addNode);
  const select = useEditorStore((state) => state.select);
  const nodeTypes = useNodeTypeMap();
  const flow = useReactFlow();

  const grouped = useMemo(() => groupProblems(problems), [problems]);
  const decorations = useMemo<CanvasDecorations>(
    () => ({ nodeTypes, statuses, problems: grouped.byNode, highlights: {} }),
    [nodeTypes, statuses, grouped.byNode],
  );
  const drawnEdges = useMemo<CanvasEdge[]>(
    () =>
      edges.map((edge, index) => {
        const className = edgeClassName(edge, { taken: takenEdges, problem: grouped.byEdgeIndex.has(index) });
        return className === (edge.className ?? "") ? edge : { ...edge, className };
      }),
    [edges, takenEdges, grouped.byEdgeIndex],
  );

  const isValidConnection: IsValidConnection = useCallback(
    (connection: Edge | Connection) => {
      const { source, target } = connection;
      if (!source || !target || source === target) return false;
      const current = useEditorStore.getState().edges;
      const port = connection.sourceHandle ?? "out";
      if (current.some((edge) => edge.source === source && edge.target === target && (edge.sourceHandle ?? "out") === port)) return false;
      return !wouldCreateCycle(current, source, target);
    },
    [],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_TYPE_DRAG_FORMAT)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(NODE_TYPE_DRAG_FORMAT);
      const nodeType = nodeTypes.get(type);
      if (!nodeType) return;
      event.preventDefault();
      const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(nodeType, { x: point.x - NODE_WIDTH / 2, y: point.y - NODE_HEIGHT / 2 });
    },
    [addNode, flow, nodeTypes],
  );

  const handleNodeClick: NodeMouseHandler = useCallback(
    (_event, node) => {
      onNodeClick?.(node.id);
    },
    [onNodeClick],
  );

  return (
    <CanvasDecorationsContext.Provider value={decorations}>
      <div
        className="flow-canvas editor-canvas"
        role="region"
        aria-label="Flow canvas"
        onDragOver={readOnly ? undefined : onDragOver}
        onDrop={readOnly ? undefined : onDrop}
      >
        <ReactFlow
          nodes={nodes}
          edges={drawnEdges}
          nodeTypes={canvasNodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={readOnly ? undefined : connect}
          isValidConnection={isValidConnection}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          onNodeDragStart={() => checkpoint("drag")}
          onSelectionDragStart={() => checkpoint("drag")}
          onNodeClick={handleNodeClick}
          onPaneClick={() => select(null)}
          deleteKeyCode={null}
          multiSelectionKeyCode={["Meta", "Control", "Shift"]}
          fitView
          fitViewOptions={{ padding: 0.25, maxZoom: 1 }}
          minZoom={0.2}
          snapToGrid
          snapGrid={[10, 10]}
          defaultEdgeOptions={{ interactionWidth: 16 }}
          attributionPosition="top-right"
        >
          <Background gap={20} size={1.2} />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable nodeColor={miniMapColor(nodeTypes)} ariaLabel="Mini map" style={{ width: 160, height: 100 }} />
        </ReactFlow>
        {nodes.length === 0 && !readOnly && (
          <div className="canvas-empty" aria-hidden="false">
            <h2>Start with a trigger</h2>
            <p>Drag a trigger from the left onto the canvas, or click it to add it. Then add the steps that follow.</p>
          </div>
        )}
      </div>
    </CanvasDecorationsContext.Provider>
  );
}
