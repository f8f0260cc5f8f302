/** Flows: the list, one flow, its draft, and what can be done to it (React Query hooks and plain calls). */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { Flow, FlowDocument, Page, ProblemItem, Run } from "./types";

export const flowsApi = {
  list: (search: string, team: string, cursor?: string | null) =>
    api.get<Page<Flow>>(cursor ?? "/flows", cursor ? undefined : { query: { search, team } }),
  get: (id: string) => api.get<Flow>(`/flows/${id}`),
  /** `partial`: an unfinished draft is kept; the answer's `problems` says what is still wrong. */
  /** Without `team` the flow goes to its maker's first team. */
  create: (name: string, graph: FlowDocument, partial = true, team?: number) =>
    api.post<Flow>("/flows", team === undefined ? { name, graph } : { name, graph, team }, { query: { partial: partial || undefined } }),
  saveDraft: (id: string, graph: FlowDocument, partial = true) =>
    api.put<Flow>(`/flows/${id}/draft`, { graph }, { query: { partial: partial || undefined } }),
  rename: (id: string, name: string) => api.patch<Flow>(`/flows/${id}`, { name }),
  /** Moves the flow to another team: its members see it from then on. */
  move: (id: string, team: number) => api.patch<Flow>(`/flows/${id}`, { team }),
  validate: (graph: FlowDocument, signal?: AbortSignal) =>
    api.post<{ problems: ProblemItem[] }>("/flows/validate", { graph }, { signal }),
  import: (document: FlowDocument) => api.post<Flow>("/flows/import", document),
  export: (id: string) => api.get<FlowDocument>(`/flows/${id}/export`),
  pause: (id: string) => api.post<Flow>(`/flows/${id}/pause`),
  resume: (id: string) => api.post<Flow>(`/flows/${id}/resume`),
  test: (id: string, payload: unknown) => api.post<Run>(`/flows/${id}/test`, { payload }),
  startRun: (id: string, payload: unknown, idempotencyKey?: string) =>
    api.post<Run>(`/flows/${id}/runs`, { payload }, idempotencyKey ? { headers: { "Idempotency-Key": idempotencyKey } } : undefined),
};

/** The flows list, filtered by `search` and `team` (an id, or "" for all), page by page (`fetchNextPage` follows `next`). */
export function useFlows(search = "", team = "") {
  return useInfiniteQuery({
    queryKey: queryKeys.flows(search, team),
    queryFn: ({ pageParam }) => flowsApi.list(search, team, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}

export function useFlow(id: string | undefined) {
  return useQuery({ queryKey: queryKeys.flow(id ?? ""), queryFn: () => flowsApi.get(id!), enabled: Boolean(id) });
}

/** After a write that answered with the flow: refresh the cache with it and mark the lists stale. */
function useFlowWritten() {
  const client = useQueryClient();
  return (flow: Flow) => {
    client.setQueryData(queryKeys.flow(flow.id), flow);
    void client.invalidateQueries({ queryKey: queryKeys.allFlowLists });
  };
}

export function useCreateFlow() {
  const written = useFlowWritten();
  return useMutation({
    mutationFn: ({ name, graph, partial = true }: { name: string; graph: FlowDocument; partial?: boolean }) =>
      flowsApi.create(name, graph, partial),
    onSuccess: written,
  });
}

export function useImportFlow() {
  const written = useFlowWritten();
  return useMutation({ mutationFn: (document: FlowDocument) => flowsApi.import(document), onSuccess: written });
}

export function useRenameFlow(id: string) {
  const written = useFlowWritten();
  return useMutation({ mutationFn: (name: string) => flowsApi.rename(id, name), onSuccess: written });
}

export function useMoveFlow(id: string) {
  const written = useFlowWritten();
  return useMutation({ mutationFn: (team: number) => flowsApi.move(id, team), onSuccess: written });
}

export function usePauseFlow(id: string) {
  const written = useFlowWritten();
  return useMutation({ mutationFn: () => flowsApi.pause(id), onSuccess: written });
}

export function useResumeFlow(id: string) {
  const written = useFlowWritten();
  return useMutation({ mutationFn: () => flowsApi.resume(id), onSuccess: written });
}

/** Runs the draft once with `payload` as the trigger's output; answers the new run. */
export function useTestFlow(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (payload: unknown) => flowsApi.test(id, payload),
    onSuccess: (run) => {
      client.setQueryData(queryKeys.run(run.id), run);
      void client.invalidateQueries({ queryKey: queryKeys.allRunLists });
    },
  });
}

/** Starts the live version by hand. */
export function useStartRun(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ payload, idempotencyKey }: { payload: unknown; idempotencyKey?: string }) =>
      flowsApi.startRun(id, payload, idempotencyKey),
    onSuccess: (run) => {
      client.setQueryData(queryKeys.run(run.id), run);
      void client.invalidateQueries({ queryKey: queryKeys.allRunLists });
    },
  });
}
