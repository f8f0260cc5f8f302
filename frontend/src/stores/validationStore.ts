/**
 * The draft's problems as the server's validation reports them (live, debounced, and with every
 * save), and where they belong: a node, an edge (by its index in the document), or the flow.
 */
import { create } from "zustand";
import type { ProblemItem } from "../api/types";

interface ValidationState {
  problems: ProblemItem[];
  /** The editor revision the problems were computed for. */
  revision: number;
  checking: boolean;
  setProblems: (problems: ProblemItem[], revision: number) => void;
  setChecking: (checking: boolean) => void;
  reset: () => void;
}

export const useValidationStore = create<ValidationState>((set) => ({
  problems: [],
  revision: -1,
  checking: false,
  setProblems: (problems, revision) => set({ problems, revision, checking: false }),
  setChecking: (checking) => set({ checking }),
  reset: () => set({ problems: [], revision: -1, checking: false }),
}));

export interface GroupedProblems {
  byNode: Map<string, ProblemItem[]>;
  /** By edge index in the document's `edges` list. */
  byEdgeIndex: Map<number, ProblemItem[]>;
  /** Problems of the flow as a whole (no node, no edge). */
  general: ProblemItem[];
}

const EDGE_FIELD = /^edges\[(\d+)\]/;

export function groupProblems(problems: ProblemItem[]): GroupedProblems {
  const grouped: GroupedProblems = { byNode: new Map(), byEdgeIndex: new Map(), general: [] };
  for (const problem of problems) {
    const edge = problem.field ? EDGE_FIELD.exec(problem.field) : null;
    if (problem.node) grouped.byNode.set(problem.node, [...(grouped.byNode.get(problem.node) ?? []), problem]);
    else if (edge) {
      const index = Number(edge[1]);
      grouped.byEdgeIndex.set(index, [...(grouped.byEdgeIndex.get(index) ?? []), problem]);
    } else grouped.general.push(problem);
  }
  return grouped;
}

/**
 * A node problem's config path relative to the config ("config.fields.email" → "fields.email"),
 * "" for the config as a whole, or null when it is not about the config. The server names a
 * missing required value by its own path ("config.to").
 */
export function configPath(problem: ProblemItem): string | null {
  if (!problem.field) return null;
  if (problem.field === "config") return "";
  return problem.field.startsWith("config.") ? problem.field.slice("config.".length) : null;
}

/** Which field a problem is about, as people know it ("url", not "config.url"); null for the whole node. */
export function problemField(problem: ProblemItem): string | null {
  const path = configPath(problem);
  if (path) return path;
  if (path === "") return null;
  return problem.field;
}
