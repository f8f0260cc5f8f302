/** Test fixtures: a flow's version waiting for a decision, as `/flows/{id}/versions/{n}` answers it. */
import type { Version } from "./types";

export const FIXTURE_FLOW_ID = "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924";

/** Version 2 of the fixture flow, written by bob, pending one approval (`overrides` change any of it). */
export function pendingVersion(overrides: Partial<Version> = {}): Version {
  return {
    flow: FIXTURE_FLOW_ID,
    flow_name: "Big orders",
    number: 2,
    state: "pending",
    author: "bob",
    note: "",
    graph: { nodes: [], edges: [] },
    created_at: "2024-05-01T10:00:00Z",
    team: { id: 10, name: "Sales" },
    required_approvals: 1,
    approvals: [],
    rejections: [],
    rollback_of: null,
    self_approval_allowed: false,
    ...overrides,
  };
}
