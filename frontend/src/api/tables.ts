/**
 * Data tables: a team's keyed rows that `action.table` inserts, upserts and looks up, for lookups and
 * dedup without another database. Read and deleted here; flows write them. Shapes follow nodes/api.py
 * (TableOut, TableRowOut).
 */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { queryKeys } from "./queryKeys";
import type { Page } from "./types";

export interface DataTable {
  id: string;
  name: string;
  /** The team whose flows use the table: its members see it. */
  team: { id: number; name: string };
  /** How many rows it holds. */
  rows: number;
  created_at: string;
  /** When a row last changed (or the table was made). */
  updated_at: string;
}

export interface TableRow {
  key: string;
  data: unknown;
  created_at: string;
  updated_at: string;
}

export const tablesApi = {
  list: (cursor?: string | null) => api.get<Page<DataTable>>(cursor ?? "/tables"),
  /** Rows page by page; with `key`, only the row under that exact key. */
  rows: (id: string, key: string, cursor?: string | null) =>
    api.get<Page<TableRow>>(cursor ?? `/tables/${id}/rows`, cursor ? undefined : { query: { key } }),
  remove: (id: string) => request<null>("DELETE", `/tables/${id}`),
};

export function useTables() {
  return useInfiniteQuery({
    queryKey: queryKeys.tables,
    queryFn: ({ pageParam }) => tablesApi.list(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}

export function useTableRows(id: string | null, key: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.tableRows(id ?? "", key),
    queryFn: ({ pageParam }) => tablesApi.rows(id!, key, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    enabled: id !== null,
  });
}

export function useDeleteTable() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => tablesApi.remove(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.allTables }),
  });
}
