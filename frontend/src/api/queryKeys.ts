/** The React Query cache keys of every API resource, in one place so mutations invalidate the right ones. */
export const queryKeys = {
  me: ["me"] as const,
  nodeTypes: ["node-types"] as const,
  templates: ["templates"] as const,
  flows: (search = "") => ["flows", "list", search] as const,
  allFlowLists: ["flows", "list"] as const,
  flow: (id: string) => ["flows", "detail", id] as const,
  versions: (flowId: string) => ["flows", "detail", flowId, "versions"] as const,
  version: (flowId: string, number: number) => ["flows", "detail", flowId, "versions", number] as const,
  versionDiff: (flowId: string, number: number, against?: number) =>
    ["flows", "detail", flowId, "versions", number, "diff", against ?? null] as const,
  pendingVersions: ["versions", "pending"] as const,
  runs: (filters: Record<string, string | undefined> = {}) => ["runs", "list", filters] as const,
  allRunLists: ["runs", "list"] as const,
  run: (id: string) => ["runs", "detail", id] as const,
};
