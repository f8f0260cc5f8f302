/** What the canvas draws on top of the document: node metadata, run statuses, problems, highlights. */
import { createContext } from "react";
import type { NodeType, ProblemItem } from "../api/types";
import type { NodeRunStatus } from "../ui/StatusBadge";

/** How a version page marks nodes that changed against another version. */
export type NodeHighlight = "added" | "removed" | "changed";

export interface CanvasDecorations {
  nodeTypes: Map<string, NodeType>;
  statuses: Record<string, NodeRunStatus>;
  problems: Map<string, ProblemItem[]>;
  highlights: Record<string, NodeHighlight>;
}

export const CanvasDecorationsContext = createContext<CanvasDecorations>({
  nodeTypes: new Map(),
  statuses: {},
  problems: new Map(),
  highlights: {},
});
