/**
 * Event subscriptions over the REST API (admins only): endpoints, their delivery logs, replays,
 * sample events and secret rotation. The shapes mirror hub/events_api.py.
 */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, request } from "../../api/client";
import type { Page } from "../../api/types";
import type { EventType } from "./eventTypes";

export type DeliveryStatus = "pending" | "succeeded" | "failed";

/** An endpoint registered for platform events. Its signing secret is never read back. */
export interface EventEndpoint {
  id: string;
  url: string;
  description: string;
  event_types: EventType[];
  active: boolean;
  secret_fingerprint: string;
  created_by: string | null;
  created_at: string;
  last_delivery_status: DeliveryStatus | null;
  last_delivery_at: string | null;
}

/** The answer to registering: the endpoint and its secret, shown this once. */
export type RegisteredEndpoint = EventEndpoint & { secret: string };

/** One attempt at delivering an event: the receiver's status code (null when none came), or why it failed. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number | null;
  /** 0 for the first round of attempts, then 1 per replay. */
  replay: number;
}

export interface EventDelivery {
  id: string;
  endpoint: string;
  event_type: string;
  webhook_id: string;
  status: DeliveryStatus;
  attempts: number;
  attempt_log: DeliveryAttempt[];
  error: string;
  replays: number;
  correlation_id: string;
  payload: { type: string; timestamp: string; data: unknown; sample?: boolean };
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface EndpointDraft {
  url: string;
  description: string;
  event_types: EventType[];
}

export type EndpointChange = Partial<EndpointDraft & { active: boolean }>;

export const eventsApi = {
  list: (cursor?: string | null) => api.get<Page<EventEndpoint>>(cursor ?? "/event-endpoints"),
  create: (draft: EndpointDraft) => api.post<RegisteredEndpoint>("/event-endpoints", draft),
  update: (id: string, change: EndpointChange) => api.patch<EventEndpoint>(`/event-endpoints/${id}`, change),
  remove: (id: string) => request<null>("DELETE", `/event-endpoints/${id}`),
  rotateSecret: (id: string) => api.post<{ secret: string }>(`/event-endpoints/${id}/rotate-secret`),
  sendSample: (id: string, type: EventType) => api.post<EventDelivery>(`/event-endpoints/${id}/test`, { type }),
  deliveries: (id: string, cursor?: string | null) => api.get<Page<EventDelivery>>(cursor ?? `/event-endpoints/${id}/deliveries`),
  replay: (deliveryId: string) => api.post<EventDelivery>(`/event-deliveries/${deliveryId}/replay`),
};

export const eventKeys = {
  all: ["event-endpoints"] as const,
  endpoints: ["event-endpoints", "list"] as const,
  deliveries: (endpointId: string) => ["event-endpoints", "deliveries", endpointId] as const,
};

/** Registered endpoints, newest first, page by page. */
export function useEventEndpoints() {
  return useInfiniteQuery({
    queryKey: eventKeys.endpoints,
    queryFn: ({ pageParam }) => eventsApi.list(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    // A 403 (not an admin) will not change by asking again.
    retry: false,
    // Each endpoint shows its latest delivery's status: followed while one is still pending.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.results.some((endpoint) => endpoint.last_delivery_status === "pending")) ? 3000 : false,
  });
}

/** An endpoint's delivery log, newest first; followed every 2 s while a delivery is still pending. */
export function useEventDeliveries(endpointId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: eventKeys.deliveries(endpointId),
    queryFn: ({ pageParam }) => eventsApi.deliveries(endpointId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    enabled,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.results.some((delivery) => delivery.status === "pending")) ? 2000 : false,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: eventKeys.all });
}

export function useRegisterEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (draft: EndpointDraft) => eventsApi.create(draft), onSuccess: invalidate });
}

export function useUpdateEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: EndpointChange }) => eventsApi.update(id, change),
    onSuccess: invalidate,
  });
}

export function useDeleteEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => eventsApi.remove(id), onSuccess: invalidate });
}

export function useRotateSecret() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => eventsApi.rotateSecret(id), onSuccess: invalidate });
}

export function useSendSample() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, type }: { id: string; type: EventType }) => eventsApi.sendSample(id, type),
    onSuccess: invalidate,
  });
}

export function useReplayDelivery() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (deliveryId: string) => eventsApi.replay(deliveryId), onSuccess: invalidate });
}
