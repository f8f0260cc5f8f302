/** Runs: lists with filters, one run with its steps, replay and cancel. Live updates: runSocket.ts. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { Page, Run, RunStatus } from "./types";

export interface RunFilters {
  flow?: string;
  status?: RunStatus;
  correlation_id?: string;
  limit?: number;
}

export const runsApi = {
  list: (filters: RunFilters, cursor?: string | null) =>
    api.get<Page<Run>>(cursor ?? "/runs", cursor ? undefined : { query: { ...filters } }),
  get: (id: string) => api.get<Run>(`/runs/${id}`),
  replay: (id: string, from: "failed" | "start") => api.post<Run>(`/runs/${id}/replay`, { from }),
  cancel: (id: string) => api.post<Run>(`/runs/${id}/cancel`),
};

/** Runs, newest first, page by page. */
export function useRuns(filters: RunFilters = {}) {
  const key = Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, v === undefined ? undefined : String(v)]));
  return useInfiniteQuery({
    queryKey: queryKeys.runs(key),
    queryFn: ({ pageParam }) => runsApi.list(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}

export function useRun(id: string | undefined) {
  return useQuery({ queryKey: queryKeys.run(id ?? ""), queryFn: () => runsApi.get(id!), enabled: Boolean(id) });
}

/** The newest run of a flow (live or test), whose data feeds the editor's path picker. */
export function useLatestRun(flowId: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.runs({ flow: flowId, limit: "1" }), "latest"],
    queryFn: async () => (await runsApi.list({ flow: flowId, limit: 1 })).results[0] ?? null,
    enabled: Boolean(flowId),
  });
}

function useRunWritten() {
  const client = useQueryClient();
  return (run: Run) => {
    client.setQueryData(queryKeys.run(run.id), run);
    void client.invalidateQueries({ queryKey: queryKeys.allRunLists });
  };
}

export function useReplayRun() {
  const written = useRunWritten();
  return useMutation({
    mutationFn: ({ id, from }: { id: string; from: "failed" | "start" }) => runsApi.replay(id, from),
    onSuccess: written,
  });
}

export function useCancelRun() {
  const written = useRunWritten();
  return useMutation({ mutationFn: (id: string) => runsApi.cancel(id), onSuccess: written });
}
