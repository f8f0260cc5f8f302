/** Versions of a flow: submitting the draft, reading versions and their diffs, approving and rejecting. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { Page, Version, VersionDiff } from "./types";

export const versionsApi = {
  list: (flowId: string, cursor?: string | null) => api.get<Page<Version>>(cursor ?? `/flows/${flowId}/versions`),
  get: (flowId: string, number: number) => api.get<Version>(`/flows/${flowId}/versions/${number}`),
  diff: (flowId: string, number: number, against?: number) =>
    api.get<VersionDiff>(`/flows/${flowId}/versions/${number}/diff`, { query: { against } }),
  submit: (flowId: string, note: string) => api.post<Version>(`/flows/${flowId}/versions`, { note }),
  approve: (flowId: string, number: number, comment = "") =>
    api.post<Version>(`/flows/${flowId}/versions/${number}/approve`, { comment }),
  reject: (flowId: string, number: number, comment = "") =>
    api.post<Version>(`/flows/${flowId}/versions/${number}/reject`, { comment }),
  rollback: (flowId: string, number: number, note = "") =>
    api.post<Version>(`/flows/${flowId}/versions/${number}/rollback`, { note }),
  byState: (state: string, cursor?: string | null) => api.get<Page<Version>>(cursor ?? "/versions", cursor ? undefined : { query: { state } }),
};

/** A flow's versions, newest first. */
export function useVersions(flowId: string | undefined) {
  return useInfiniteQuery({
    queryKey: queryKeys.versions(flowId ?? ""),
    queryFn: ({ pageParam }) => versionsApi.list(flowId!, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    enabled: Boolean(flowId),
  });
}

export function useVersion(flowId: string | undefined, number: number | undefined) {
  return useQuery({
    queryKey: queryKeys.version(flowId ?? "", number ?? 0),
    queryFn: () => versionsApi.get(flowId!, number!),
    enabled: Boolean(flowId) && Boolean(number),
  });
}

/** What changed in version `number` against `against` (by default the version before). */
export function useVersionDiff(flowId: string | undefined, number: number | undefined, against?: number) {
  return useQuery({
    queryKey: queryKeys.versionDiff(flowId ?? "", number ?? 0, against),
    queryFn: () => versionsApi.diff(flowId!, number!, against),
    enabled: Boolean(flowId) && Boolean(number),
  });
}

/** Versions waiting for a decision, across all flows (the approvals inbox). */
export function usePendingVersions() {
  return useInfiniteQuery({
    queryKey: queryKeys.pendingVersions,
    queryFn: ({ pageParam }) => versionsApi.byState("pending", pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}

function useVersionWritten(flowId: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.flow(flowId) });
    void client.invalidateQueries({ queryKey: queryKeys.allFlowLists });
    void client.invalidateQueries({ queryKey: queryKeys.pendingVersions });
  };
}

/** Freezes the draft as a new version waiting for approval. */
export function useSubmitVersion(flowId: string) {
  const written = useVersionWritten(flowId);
  return useMutation({ mutationFn: (note: string) => versionsApi.submit(flowId, note), onSuccess: written });
}

export function useApproveVersion(flowId: string) {
  const written = useVersionWritten(flowId);
  return useMutation({
    mutationFn: ({ number, comment }: { number: number; comment?: string }) => versionsApi.approve(flowId, number, comment),
    onSuccess: written,
  });
}

export function useRejectVersion(flowId: string) {
  const written = useVersionWritten(flowId);
  return useMutation({
    mutationFn: ({ number, comment }: { number: number; comment?: string }) => versionsApi.reject(flowId, number, comment),
    onSuccess: written,
  });
}

/** Brings an earlier live version back as a new version waiting for approval (reviewed like any other). */
export function useRollbackVersion(flowId: string) {
  const written = useVersionWritten(flowId);
  return useMutation({
    mutationFn: ({ number, note }: { number: number; note?: string }) => versionsApi.rollback(flowId, number, note),
    onSuccess: written,
  });
}
