/** The signed-in person, and what they may do: `useCan()` answers `can("flows:write")` from their scopes. */
import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { Me, Scope } from "./types";

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: () => api.get<Me>("/me"), staleTime: 5 * 60_000 });
}

/** Whether `me` may do `scope`. Nobody may do anything until the server has said who they are. */
export function can(me: Pick<Me, "scopes"> | undefined, scope: Scope): boolean {
  return Boolean(me?.scopes?.includes(scope));
}

/**
 * `can(scope)` for the signed-in person, to hide or disable what they may not do. The server checks
 * every request anyway; this only spares people buttons that would be refused.
 */
export function useCan(): (scope: Scope) => boolean {
  const me = useMe().data;
  return useCallback((scope: Scope) => can(me, scope), [me]);
}
