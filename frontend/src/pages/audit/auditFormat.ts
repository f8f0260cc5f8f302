/**
 * How the audit log reads on its page: the filters kept in the URL (so a view can be shared) and
 * turned into the API's query, and an entry's `before`/`after` turned into a list of changed fields.
 */
import type { AuditEntry, AuditQuery } from "./auditApi";

/** The filters as the form holds them: dates are whole days (yyyy-mm-dd), both ends included. */
export interface AuditFilters {
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  from: string;
  to: string;
  correlation_id: string;
}

export const FILTER_KEYS: (keyof AuditFilters)[] = ["actor", "action", "target_type", "target_id", "from", "to", "correlation_id"];

export const NO_FILTERS: AuditFilters = { actor: "", action: "", target_type: "", target_id: "", from: "", to: "", correlation_id: "" };

export function filtersFromSearch(params: URLSearchParams): AuditFilters {
  const filters = { ...NO_FILTERS };
  for (const key of FILTER_KEYS) filters[key] = params.get(key)?.trim() ?? "";
  return filters;
}

export function searchFromFilters(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key].trim()) params.set(key, filters[key].trim());
  return params;
}

export function hasFilters(filters: AuditFilters): boolean {
  return FILTER_KEYS.some((key) => filters[key] !== "");
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The start of that day in the browser's time zone, as the API's ISO time; null for no valid day. */
export function startOfDay(day: string, plusDays = 0): string | null {
  if (!DAY.test(day)) return null;
  const [year, month, date] = day.split("-").map(Number);
  const start = new Date(year, month - 1, date + plusDays);
  return Number.isNaN(start.getTime()) ? null : start.toISOString();
}

/** The API's query: `since` the start of the first day, `until` the start of the day after the last. */
export function apiQuery(filters: AuditFilters): AuditQuery {
  const query: AuditQuery = {};
  if (filters.actor) query.actor = filters.actor;
  if (filters.action) query.action = filters.action;
  if (filters.target_type) query.target_type = filters.target_type;
  if (filters.target_id) query.target_id = filters.target_id;
  if (filters.correlation_id) query.correlation_id = filters.correlation_id;
  const since = startOfDay(filters.from);
  const until = startOfDay(filters.to, 1);
  if (since) query.since = since;
  if (until) query.until = until;
  return query;
}

/** What is wrong with the filters before asking: an end before the start. */
export function filterProblem(filters: AuditFilters): string | null {
  if (filters.from && filters.to && filters.from > filters.to) return "The end date is before the start date.";
  return null;
}

export interface Change {
  /** The field's path inside the changed object ("config.threshold"); empty when the value itself changed. */
  path: string;
  before: unknown;
  after: unknown;
  kind: "added" | "removed" | "changed";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flatten(value: unknown, prefix: string, into: Map<string, unknown>): Map<string, unknown> {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into.set(prefix, value);
  }
  return into;
}

/** The fields `before` and `after` differ in, in order; null when the entry has neither. */
export function detailChanges(detail: Record<string, unknown>): Change[] | null {
  if (!("before" in detail) && !("after" in detail)) return null;
  const before = flatten(detail.before, "", new Map());
  const after = flatten(detail.after, "", new Map());
  if (!("before" in detail)) before.clear();
  if (!("after" in detail)) after.clear();
  const paths = [...new Set([...before.keys(), ...after.keys()])];
  const changes: Change[] = [];
  for (const path of paths) {
    const had = before.has(path) && before.get(path) !== undefined;
    const has = after.has(path) && after.get(path) !== undefined;
    if (had && has && JSON.stringify(before.get(path)) === JSON.stringify(after.get(path))) continue;
    changes.push({ path, before: before.get(path), after: after.get(path), kind: had && has ? "changed" : had ? "removed" : "added" });
  }
  return changes;
}

/** The rest of the detail, shown as it is. */
export function otherDetail(detail: Record<string, unknown>): Record<string, unknown> {
  const { before: _before, after: _after, ...rest } = detail;
  return rest;
}

/** A value in one line: strings as they are, the rest as JSON; "—" for nothing. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function targetLabel(entry: Pick<AuditEntry, "target_type" | "target_id">): string {
  return entry.target_id ? `${entry.target_type} ${entry.target_id}` : entry.target_type;
}
