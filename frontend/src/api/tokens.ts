/** API tokens (one's own, or every token for admins) and service accounts, the owners of tokens for other systems. */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { queryKeys } from "./queryKeys";
import type { components } from "./schema";
import type { ApiToken, NewApiToken, Page, ServiceAccount } from "./types";

type Schemas = components["schemas"];

/** A token to make: `expires_at` (ISO) or none for never; `owner`, a service account's id (admins), or none for oneself. */
export type TokenRequest = Schemas["TokenCreateRequest"];

export type NewServiceAccount = Schemas["ServiceAccountCreateRequest"];

export const tokensApi = {
  list: (all: boolean, cursor?: string | null) =>
    api.get<Page<ApiToken>>(cursor ?? "/tokens", cursor ? undefined : { query: { all: all || undefined } }),
  create: (token: TokenRequest) => api.post<NewApiToken>("/tokens", token),
  revoke: (id: number) => request<null>("DELETE", `/tokens/${id}`),
  serviceAccounts: (cursor?: string | null) => api.get<Page<ServiceAccount>>(cursor ?? "/service-accounts"),
  createServiceAccount: (account: NewServiceAccount) => api.post<ServiceAccount>("/service-accounts", account),
  removeServiceAccount: (id: number) => request<null>("DELETE", `/service-accounts/${id}`),
};

/** One's own tokens or, with `all` (admins), everyone's; newest first. */
export function useTokens(all: boolean) {
  return useInfiniteQuery({
    queryKey: queryKeys.tokens(all),
    queryFn: ({ pageParam }) => tokensApi.list(all, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}

export function useServiceAccounts(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: queryKeys.serviceAccounts,
    queryFn: ({ pageParam }) => tokensApi.serviceAccounts(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    enabled,
  });
}

function useInvalidate(...keys: (readonly unknown[])[]) {
  const client = useQueryClient();
  return () => keys.forEach((queryKey) => void client.invalidateQueries({ queryKey }));
}

export function useCreateToken() {
  const invalidate = useInvalidate(queryKeys.allTokens);
  return useMutation({ mutationFn: (token: TokenRequest) => tokensApi.create(token), onSuccess: invalidate });
}

export function useRevokeToken() {
  const invalidate = useInvalidate(queryKeys.allTokens);
  return useMutation({ mutationFn: (id: number) => tokensApi.revoke(id), onSuccess: invalidate });
}

export function useCreateServiceAccount() {
  const invalidate = useInvalidate(queryKeys.serviceAccounts, queryKeys.allPeople);
  return useMutation({ mutationFn: (account: NewServiceAccount) => tokensApi.createServiceAccount(account), onSuccess: invalidate });
}

/** Deleting a service account ends its tokens with it. */
export function useRemoveServiceAccount() {
  const invalidate = useInvalidate(queryKeys.serviceAccounts, queryKeys.allPeople, queryKeys.allTokens);
  return useMutation({ mutationFn: (id: number) => tokensApi.removeServiceAccount(id), onSuccess: invalidate });
}
