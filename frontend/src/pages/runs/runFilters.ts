/**
 * The runs list's filters ↔ the page's URL query (`?flow=&status=&correlation_id=`), so a filtered
 * list can be bookmarked, shared and linked to ("runs of this flow").
 */
import type { RunFilters } from "../../api/runs";
import type { RunStatus } from "../../api/types";
import { isRunStatus } from "./runFormat";

export interface RunListFilters {
  flow: string;
  status: RunStatus | "";
  correlationId: string;
}

export const NO_FILTERS: RunListFilters = { flow: "", status: "", correlationId: "" };

/** The filters a URL query asks for; unknown statuses are ignored rather than sent to the server. */
export function filtersFromSearch(search: URLSearchParams): RunListFilters {
  const status = search.get("status");
  return {
    flow: (search.get("flow") ?? "").trim(),
    status: isRunStatus(status) ? status : "",
    correlationId: (search.get("correlation_id") ?? "").trim(),
  };
}

/** The URL query for `filters`, keeping any other parameters of `base` as they are. */
export function searchFromFilters(filters: RunListFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const next = new URLSearchParams(base);
  const set = (key: string, value: string) => (value ? next.set(key, value) : next.delete(key));
  set("flow", filters.flow.trim());
  set("status", filters.status);
  set("correlation_id", filters.correlationId.trim());
  return next;
}

/** What the API's GET /runs is asked for (empty filters are left out). */
export function apiFilters(filters: RunListFilters): RunFilters {
  const result: RunFilters = {};
  if (filters.flow) result.flow = filters.flow;
  if (filters.status) result.status = filters.status;
  if (filters.correlationId) result.correlation_id = filters.correlationId;
  return result;
}

export function hasFilters(filters: RunListFilters): boolean {
  return Boolean(filters.flow || filters.status || filters.correlationId);
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The server refuses a `flow` that is not a UUID; the page says so instead of asking. */
export function isFlowId(value: string): boolean {
  return UUID.test(value);
}
