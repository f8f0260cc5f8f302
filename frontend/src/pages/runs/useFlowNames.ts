/** Flow names by id for the runs pages, fetched once (up to 500 flows) and shared through the query cache. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api } from "../../api/client";
import type { Flow, Page } from "../../api/types";

export interface FlowName {
  id: string;
  name: string;
}

// Under ["flows", "list"] so that every flow write (create, rename, import) marks it stale too.
const FLOW_NAMES_KEY = ["flows", "list", { names: true }] as const;

export function useFlowNames() {
  const query = useQuery({
    queryKey: FLOW_NAMES_KEY,
    queryFn: async () => (await api.get<Page<Flow>>("/flows", { query: { limit: 500 } })).results,
    staleTime: 60_000,
  });
  const flows = useMemo<FlowName[]>(
    () => (query.data ?? []).map((flow) => ({ id: flow.id, name: flow.name })).sort((a, b) => a.name.localeCompare(b.name)),
    [query.data],
  );
  const byId = useMemo(() => new Map(flows.map((flow) => [flow.id, flow.name])), [flows]);
  return { flows, byId, isLoading: query.isLoading, error: query.error };
}
