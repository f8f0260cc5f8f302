/** The node types the server knows (palette, forms, ports): fetched once per session. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { NodeType } from "./types";

export function useNodeTypes() {
  return useQuery({
    queryKey: queryKeys.nodeTypes,
    queryFn: () => api.get<NodeType[]>("/node-types"),
    staleTime: Infinity,
  });
}

/** Node types by their `type` key; empty while loading. */
export function useNodeTypeMap(): Map<string, NodeType> {
  const { data } = useNodeTypes();
  return useMemo(() => new Map((data ?? []).map((nodeType) => [nodeType.type, nodeType])), [data]);
}
