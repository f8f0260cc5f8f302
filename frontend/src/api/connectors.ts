/**
 * Connectors imported from OpenAPI documents: each operation becomes a node type
 * `connector.<name>.<operationId>`. Importing a name again makes its next version; flows keep the
 * version they were built with. The shapes follow nodes/api.py (ConnectorOut, ConnectorDetailOut,
 * ConnectorImported).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { queryKeys } from "./queryKeys";
import type { Page } from "./types";

/** An operation the import could not map, and why. */
export interface SkippedOperation {
  /** "METHOD /path". */
  operation: string;
  reason: string;
}

/** The document: its text (JSON or YAML, e.g. an uploaded file), or a URL the server fetches. */
export type ConnectorImport = { name: string; spec: string } | { name: string; url: string };

/** The answer to an import (201): the version it made. */
export interface ImportedConnector {
  id: number;
  name: string;
  version: number;
  /** The node types made, `connector.<name>.<operationId>`. */
  node_types: string[];
  skipped: SkippedOperation[];
}

/** A connector as GET /connectors lists it: its latest version and that version's counts. */
export interface ConnectorSummary {
  id: number;
  name: string;
  /** The document's title (info.title). */
  title: string;
  team: number | null;
  created_by: string | null;
  created_at: string;
  /** The newest version's number; null while it has none. */
  latest_version: number | null;
  version_count: number;
  /** Operations (node types) of the latest version. */
  operation_count: number;
  /** Operations the latest version skipped. */
  skipped_count: number;
}

/** One operation of a version, made a node type. */
export interface ConnectorOperation {
  node_type: string;
  operation_id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  server_url: string;
  parameters: unknown[];
  body: unknown;
  security: unknown;
  connection_kinds: string[];
  config_schema: Record<string, unknown>;
}

/** A security scheme of the document, as the kind of connection that satisfies it. */
export interface ConnectorAuth {
  scheme: string;
  kind: string | null;
  settings: Record<string, unknown>;
  [more: string]: unknown;
}

export interface ConnectorVersion {
  number: number;
  created_at: string;
  /** Where the document was fetched from; empty for an uploaded one. */
  source_url: string;
  operations: ConnectorOperation[];
  auth: ConnectorAuth[];
  skipped: SkippedOperation[];
}

/** GET /connectors/{id}: the summary and every version, newest first. */
export interface ConnectorDetail extends ConnectorSummary {
  versions: ConnectorVersion[];
}

export const connectorsApi = {
  import: (body: ConnectorImport) => api.post<ImportedConnector>("/connectors/import", body),
  /** Every connector: the list is paginated, but connectors are few, so all pages are read. */
  list: async () => {
    const all: ConnectorSummary[] = [];
    let next: string | null = "/connectors";
    while (next) {
      const page: Page<ConnectorSummary> = await api.get<Page<ConnectorSummary>>(next);
      all.push(...page.results);
      next = page.next;
    }
    return all;
  },
  get: (id: number | string) => api.get<ConnectorDetail>(`/connectors/${id}`),
  remove: (id: number) => request<null>("DELETE", `/connectors/${id}`),
};

export function useConnectors() {
  return useQuery({ queryKey: queryKeys.connectors, queryFn: connectorsApi.list });
}

export function useConnector(id: number | string | null) {
  return useQuery({ queryKey: queryKeys.connector(String(id ?? "")), queryFn: () => connectorsApi.get(id!), enabled: id !== null });
}

/** After an import or a removal: the connectors, and the node types (their operations are node types). */
function useConnectorsChanged() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.allConnectors });
    void client.invalidateQueries({ queryKey: queryKeys.nodeTypes });
  };
}

export function useImportConnector() {
  const changed = useConnectorsChanged();
  return useMutation({ mutationFn: (body: ConnectorImport) => connectorsApi.import(body), onSuccess: changed });
}

export function useDeleteConnector() {
  const changed = useConnectorsChanged();
  return useMutation({ mutationFn: (id: number) => connectorsApi.remove(id), onSuccess: changed });
}
