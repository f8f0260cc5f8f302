/** Flow documents shipped with the product to start from. */
import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { Template } from "./types";

export function useTemplates() {
  return useQuery({ queryKey: queryKeys.templates, queryFn: () => api.get<Template[]>("/templates"), staleTime: Infinity });
}
