/**
 * Connectors imported from OpenAPI documents: each operation becomes a node type
 * `connector.<name>.<operationId>`. Importing a name again makes its next version; flows keep the
 * version they were built with. The shapes follow issue 7's design (POST /connectors/import).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { queryKeys } from "./queryKeys";
import type { Page } from "./types";

/** An operation the import could not map, and why. */
export interface SkippedOperation {
  operation: string;
  reason: string;
}

/** The document: its text (JSON or YAML, e.g. an uploaded file), or a URL the server fetches. */
export type ConnectorImport = { name: string; spec: string } | { name: string; url: string };

export interface ImportedConnector {
  id: string;
  name: string;
  version: number;
  /** The node types made, `connector.<name>.<operationId>`. */
  node_types: string[];
  skipped: SkippedOperation[];
}

/** A connector as the list shows it: its latest version and how many operations it has. */
export interface ConnectorSummary {
  id: string;
  name: string;
  version: number;
  operation_count: number;
  skipped_count: number;
  created_at: string;
  updated_at?: string;
}

export interface ConnectorVersion {
  version: number;
  operations: string[];
  skipped: SkippedOperation[];
  created_at: string;
}

export interface ConnectorDetail {
  id: string;
  name: string;
  versions: ConnectorVersion[];
}

/** The list answers either a page or, while connectors are few, a plain list. */
function rows<T>(answer: Page<T> | T[]): T[] {
  return Array.isArray(answer) ? answer : answer.results;
}

export const connectorsApi = {
  import: (body: ConnectorImport) => api.post<ImportedConnector>("/connectors/import", body),
  list: async () => rows(await api.get<Page<ConnectorSummary> | ConnectorSummary[]>("/connectors")),
  get: (id: string) => api.get<ConnectorDetail>(`/connectors/${id}`),
  remove: (id: string) => request<null>("DELETE", `/connectors/${id}`),
};

export function useConnectors() {
  return useQuery({ queryKey: queryKeys.connectors, queryFn: connectorsApi.list });
}

export function useConnector(id: string | null) {
  return useQuery({ queryKey: queryKeys.connector(id ?? ""), queryFn: () => connectorsApi.get(id!), enabled: id !== null });
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
  return useMutation({ mutationFn: (id: string) => connectorsApi.remove(id), onSuccess: changed });
}
