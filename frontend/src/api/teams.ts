/** Teams: the list, one team with its members, and (for admins) making, renaming, deleting and membership. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { queryKeys } from "./queryKeys";
import type { Page, Team, TeamDetail } from "./types";

// Teams are few; pickers want them all at once (the API's largest page).
const ALL_TEAMS = 500;

export const teamsApi = {
  list: (cursor?: string | null) => api.get<Page<Team>>(cursor ?? "/teams"),
  all: async () => (await api.get<Page<Team>>("/teams", { query: { limit: ALL_TEAMS } })).results,
  get: (id: number) => api.get<TeamDetail>(`/teams/${id}`),
  create: (name: string) => api.post<Team>("/teams", { name }),
  rename: (id: number, name: string) => api.patch<Team>(`/teams/${id}`, { name }),
  remove: (id: number) => request<null>("DELETE", `/teams/${id}`),
  addMember: (id: number, user: number) => api.post<TeamDetail | null>(`/teams/${id}/members`, { user }),
  removeMember: (id: number, user: number) => request<null>("DELETE", `/teams/${id}/members/${user}`),
};

/** The teams page's list, page by page. Admins see every team; others the teams they are in. */
export function useTeams() {
  return useInfiniteQuery({
    queryKey: queryKeys.teams,
    queryFn: ({ pageParam }) => teamsApi.list(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}

/** Every team the person may see, sorted by name: for the flows list's filter and the flow's team picker. */
export function useTeamChoices(enabled = true) {
  return useQuery({
    queryKey: queryKeys.teamChoices,
    queryFn: async () => (await teamsApi.all()).sort((a, b) => a.name.localeCompare(b.name)),
    staleTime: 60_000,
    enabled,
  });
}

export function useTeam(id: number | null) {
  return useQuery({ queryKey: queryKeys.team(id ?? 0), queryFn: () => teamsApi.get(id!), enabled: id !== null });
}

/** After a change to teams: the lists, the detail, and people (whose teams and roles follow membership). */
function useTeamsChanged() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.allTeams });
    void client.invalidateQueries({ queryKey: queryKeys.allPeople });
    void client.invalidateQueries({ queryKey: queryKeys.me });
  };
}

export function useCreateTeam() {
  const changed = useTeamsChanged();
  return useMutation({ mutationFn: (name: string) => teamsApi.create(name), onSuccess: changed });
}

export function useRenameTeam(id: number) {
  const changed = useTeamsChanged();
  return useMutation({ mutationFn: (name: string) => teamsApi.rename(id, name), onSuccess: changed });
}

export function useDeleteTeam(id: number) {
  const changed = useTeamsChanged();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => teamsApi.remove(id),
    onSuccess: () => {
      // Its flows moved to the default team.
      void client.invalidateQueries({ queryKey: queryKeys.allFlowLists });
      changed();
    },
  });
}

export function useAddTeamMember(id: number) {
  const changed = useTeamsChanged();
  return useMutation({ mutationFn: (user: number) => teamsApi.addMember(id, user), onSuccess: changed });
}

export function useRemoveTeamMember(id: number) {
  const changed = useTeamsChanged();
  return useMutation({ mutationFn: (user: number) => teamsApi.removeMember(id, user), onSuccess: changed });
}
