/**
 * The audit log over the REST API (admins only): entries newest first, page by page, with the
 * filters of GET /api/v1/audit, and the JSON Lines export's address. The shapes mirror hub/api.py.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, apiUrl } from "../../api/client";
import type { Page } from "../../api/types";

/** One entry: who (`actor` is the username, kept after the person goes), when, from where, did what to what. */
export interface AuditEntry {
  id: number;
  seq: number;
  at: string;
  actor: string;
  actor_id: number | null;
  ip: string;
  action: string;
  target_type: string;
  target_id: string;
  /** What the action changed; `before` and `after` where the action gives them. */
  detail: Record<string, unknown>;
  correlation_id: string;
}

/** The query parameters the API filters by (only the ones set are sent). */
export type AuditQuery = Partial<
  Record<"actor" | "action" | "target_type" | "target_id" | "since" | "until" | "correlation_id", string>
>;

export const auditApi = {
  list: (query: AuditQuery, cursor?: string | null) => api.get<Page<AuditEntry>>(cursor ?? "/audit", cursor ? undefined : { query }),
};

/** The export of the entries the filters select, oldest first, as a file to download. */
export function auditExportUrl(query: AuditQuery): string {
  return apiUrl("/audit/export", query);
}

export function useAuditLog(query: AuditQuery) {
  return useInfiniteQuery({
    queryKey: ["audit", query],
    queryFn: ({ pageParam }) => auditApi.list(query, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    // A 403 (not an admin) will not change by asking again.
    retry: false,
  });
}
