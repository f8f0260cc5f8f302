/** How event endpoints and deliveries read on the events page, and what the form checks before sending. */
import { ApiError } from "../../api/client";
import { formatDuration } from "../runs/runFormat";
import type { DeliveryAttempt, DeliveryStatus, EventDelivery } from "./eventsApi";
import { EVENT_TYPES, type EventType } from "./eventTypes";

export interface FormProblems {
  url?: string;
  event_types?: string;
}

/**
 * What is wrong with an endpoint before it is sent: the URL must be http(s) with a host, and at least
 * one event type chosen. Whether the address is public is for the server to say.
 */
export function endpointFormProblems(url: string, eventTypes: readonly string[]): FormProblems {
  const problems: FormProblems = {};
  const text = url.trim();
  if (!text) {
    problems.url = "Enter the URL that receives the events.";
  } else {
    let parsed: URL | null = null;
    try {
      parsed = new URL(text);
    } catch {
      parsed = null;
    }
    if (!parsed || !parsed.hostname) problems.url = "Enter a full URL, such as https://example.com/hooks/switchboard.";
    else if (parsed.protocol !== "https:" && parsed.protocol !== "http:") problems.url = "The URL must start with https:// (or http://).";
  }
  if (eventTypes.length === 0) problems.event_types = "Choose at least one event.";
  return problems;
}

/** True when the API refused because the person is not an admin. */
export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}

/** Event types in the documented order, whatever order they were ticked in. */
export function orderedEventTypes(chosen: Iterable<string>): EventType[] {
  const set = new Set(chosen);
  return EVENT_TYPES.filter((type) => set.has(type));
}

const STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: "Pending",
  succeeded: "Delivered",
  failed: "Failed",
};

export function deliveryStatusLabel(delivery: Pick<EventDelivery, "status" | "attempts">): string {
  if (delivery.status === "pending" && delivery.attempts > 0) return "Retrying";
  return STATUS_LABELS[delivery.status] ?? delivery.status;
}

/** The badge tone of StatusBadge that fits a delivery status. */
export function deliveryBadgeStatus(status: DeliveryStatus): string {
  return status === "pending" ? "waiting" : status;
}

/** One attempt in a line: "503 · 120 ms", "No answer · 10 s", "200 · 35 ms". */
export function attemptSummary(attempt: DeliveryAttempt): string {
  const answer = attempt.status_code === null ? "No answer" : String(attempt.status_code);
  return attempt.duration_ms === null ? answer : `${answer} · ${formatDuration(attempt.duration_ms)}`;
}

/**
 * Whether a replay may be asked for: not while an attempt runs or a retry is scheduled (the server
 * answers 409 then), but yes for a pending delivery whose next attempt is overdue (a lost message).
 */
export function canReplay(delivery: Pick<EventDelivery, "status" | "next_attempt_at">, now = Date.now()): boolean {
  if (delivery.status !== "pending") return true;
  return delivery.next_attempt_at !== null && new Date(delivery.next_attempt_at).getTime() <= now;
}

/** "msg_9f3c2a8e…" — enough of a webhook id to tell deliveries apart. */
export function shortWebhookId(webhookId: string): string {
  return webhookId.length > 14 ? `${webhookId.slice(0, 12)}…` : webhookId;
}
