/** People and service accounts as admins manage them: the list, one person, and what can be changed. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { components } from "./schema";
import type { Page, Person } from "./types";

type Schemas = components["schemas"];

/** The list's filters, as the API takes them; "" leaves a filter out. */
export interface PeopleFilters {
  q: string;
  active: "" | "true" | "false";
  service_account: "" | "true" | "false";
}

/** A local person; without a password they sign in through the identity provider. */
export type NewPerson = Schemas["PersonCreateRequest"];

/** What an admin may change; the name and e-mail of someone SCIM manages are refused (409). */
export type PersonChange = Schemas["PatchedPersonUpdateRequest"];

export const peopleApi = {
  list: (filters: PeopleFilters, cursor?: string | null) =>
    api.get<Page<Person>>(cursor ?? "/people", cursor ? undefined : { query: { ...filters } }),
  get: (id: number) => api.get<Person>(`/people/${id}`),
  create: (person: NewPerson) => api.post<Person>("/people", person),
  update: (id: number, change: PersonChange) => api.patch<Person>(`/people/${id}`, change),
  deactivate: (id: number) => api.post<Person | null>(`/people/${id}/deactivate`),
  reactivate: (id: number) => api.post<Person | null>(`/people/${id}/reactivate`),
};

export function usePeople(filters: PeopleFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: queryKeys.people({ ...filters }),
    queryFn: ({ pageParam }) => peopleApi.list(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    enabled,
  });
}

export function usePerson(id: number | null) {
  return useQuery({ queryKey: queryKeys.person(id ?? 0), queryFn: () => peopleApi.get(id!), enabled: id !== null });
}

/** After any change to a person: their lists, teams (member counts) and, if it was oneself, `me`. */
function usePeopleChanged() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.allPeople });
    void client.invalidateQueries({ queryKey: queryKeys.allTeams });
    void client.invalidateQueries({ queryKey: queryKeys.me });
  };
}

export function useCreatePerson() {
  const changed = usePeopleChanged();
  return useMutation({ mutationFn: (person: NewPerson) => peopleApi.create(person), onSuccess: changed });
}

export function useUpdatePerson(id: number) {
  const changed = usePeopleChanged();
  return useMutation({ mutationFn: (change: PersonChange) => peopleApi.update(id, change), onSuccess: changed });
}

export function useDeactivatePerson(id: number) {
  const changed = usePeopleChanged();
  return useMutation({ mutationFn: () => peopleApi.deactivate(id), onSuccess: changed });
}

export function useReactivatePerson(id: number) {
  const changed = usePeopleChanged();
  return useMutation({ mutationFn: () => peopleApi.reactivate(id), onSuccess: changed });
}
