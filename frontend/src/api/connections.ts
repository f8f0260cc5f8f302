/**
 * Connections: the credentials flows call other systems with (API keys, basic, bearer, OAuth2, signing
 * secrets, incoming-webhook URLs), shared with a team or kept personal. A secret is write-only: the
 * API answers its fingerprint, never the secret. The shapes follow nodes/api.py (issue 7's design).
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { queryKeys } from "./queryKeys";
import type { JsonSchema, Page } from "./types";

export type ConnectionKindName = "api_key" | "basic" | "bearer" | "oauth2" | "webhook_secret" | "incoming_webhook";

/** What a kind of connection asks for: its non-secret settings (a JSON Schema) and whether it has a secret. */
export interface ConnectionKind {
  kind: ConnectionKindName;
  title: string;
  description: string;
  settings_schema: JsonSchema;
  secret: { title: string; description: string; required: boolean } | null;
  /** OAuth2: the connection holds tokens, got by authorizing (authorization code) or by itself (client credentials). */
  oauth: boolean;
}

export interface Connection {
  id: string;
  name: string;
  kind: ConnectionKindName;
  /** The team that shares it; null for a personal connection (or one for everyone). */
  team: number | null;
  team_name: string | null;
  personal: boolean;
  owner: string | null;
  settings: Record<string, unknown>;
  /** A short digest of the secret, to tell two apart; empty when there is none. */
  fingerprint: string;
  /** OAuth2: whether it holds tokens. */
  authorized: boolean;
  token_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The answer to making a connection: `secret` only when the server made one for you (a signing secret). */
export type CreatedConnection = Connection & { secret?: string };

export interface ConnectionDraft {
  name: string;
  kind: ConnectionKindName;
  team?: number;
  personal?: boolean;
  settings?: Record<string, unknown>;
  secret?: string;
}

/** A change: a secret left out keeps the stored one. */
export interface ConnectionChange {
  name?: string;
  settings?: Record<string, unknown>;
  secret?: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  /** The status the other system answered, if it answered. */
  status: number | null;
}

export const connectionsApi = {
  kinds: () => api.get<ConnectionKind[]>("/connection-kinds"),
  list: (cursor?: string | null) => api.get<Page<Connection>>(cursor ?? "/connections"),
  get: (id: string) => api.get<Connection>(`/connections/${id}`),
  create: (draft: ConnectionDraft) => api.post<CreatedConnection>("/connections", draft),
  update: (id: string, change: ConnectionChange) => api.patch<Connection>(`/connections/${id}`, change),
  remove: (id: string) => request<null>("DELETE", `/connections/${id}`),
  test: (id: string) => api.post<ConnectionTestResult>(`/connections/${id}/test`),
  authorize: (id: string) => api.post<{ authorize_url: string }>(`/connections/${id}/authorize`),
};

/** Every connection one may use, all pages read (a few large ones): for pickers that need them all. */
async function allConnections(): Promise<Connection[]> {
  const all: Connection[] = [];
  let next: string | null = "/connections?limit=500";
  while (next) {
    const page: Page<Connection> = await connectionsApi.list(next);
    all.push(...page.results);
    next = page.next;
  }
  return all;
}

export function useConnectionKinds() {
  return useQuery({ queryKey: queryKeys.connectionKinds, queryFn: connectionsApi.kinds, staleTime: Infinity });
}

/** The connections one may use: one's team's, one's own and those for everyone; newest first. */
export function useConnections() {
  return useInfiniteQuery({
    queryKey: queryKeys.connections,
    queryFn: ({ pageParam }) => connectionsApi.list(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}

/** Every connection one may use, for the connection picker of node config forms. */
export function useConnectionChoices() {
  return useQuery({ queryKey: queryKeys.connectionChoices, queryFn: allConnections, staleTime: 30_000 });
}

/** One connection by id: for a link to one that is not on the list's first page. */
export function useConnection(id: string | null) {
  return useQuery({ queryKey: queryKeys.connection(id ?? ""), queryFn: () => connectionsApi.get(id!), enabled: id !== null });
}

function useConnectionsChanged() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: queryKeys.allConnections });
}

export function useCreateConnection() {
  const changed = useConnectionsChanged();
  return useMutation({ mutationFn: (draft: ConnectionDraft) => connectionsApi.create(draft), onSuccess: changed });
}

export function useUpdateConnection() {
  const changed = useConnectionsChanged();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: ConnectionChange }) => connectionsApi.update(id, change),
    onSuccess: changed,
  });
}

export function useDeleteConnection() {
  const changed = useConnectionsChanged();
  return useMutation({ mutationFn: (id: string) => connectionsApi.remove(id), onSuccess: changed });
}

/** Tries the connection against its system; a refresh of its OAuth2 token may change it. */
export function useTestConnection() {
  const changed = useConnectionsChanged();
  return useMutation({ mutationFn: (id: string) => connectionsApi.test(id), onSuccess: changed });
}

export function useAuthorizeConnection() {
  return useMutation({ mutationFn: (id: string) => connectionsApi.authorize(id) });
}
