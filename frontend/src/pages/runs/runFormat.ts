/** How runs read in lists and headers: durations, short ids, triggers, statuses, truncated errors. */
import type { Run, RunStatus } from "../../api/types";

/** Every run status, in the order a run goes through them (the status filter lists them so). */
export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"];

const ACTIVE: ReadonlySet<string> = new Set(["queued", "running", "waiting"]);

/** A run that can still be cancelled (and is still worth following live). */
export function isRunActive(status: string | undefined | null): boolean {
  return Boolean(status && ACTIVE.has(status));
}

export function isRunStatus(value: string | null | undefined): value is RunStatus {
  return Boolean(value && (RUN_STATUSES as readonly string[]).includes(value));
}

/**
 * A length of time the way people say it: "350 ms", "2.4 s", "1 min 5 s", "2 h 3 min", "3 d 4 h".
 * Only the two largest units are kept; nothing smaller than a millisecond.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${trimZero((Math.floor(ms / 10) / 100).toFixed(2))} s`;
  if (ms < 60_000) return `${trimZero((Math.floor(ms / 100) / 10).toFixed(1))} s`;
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

function trimZero(text: string): string {
  return text.replace(/\.?0+$/, "");
}

/**
 * How long a run took (or has taken so far, measured against `now`): from its start, or from its
 * creation while it still waits in the queue. Null when there is nothing to measure yet.
 */
export function runDurationMs(
  run: Pick<Run, "created_at" | "started_at" | "finished_at" | "status">,
  now: number = Date.now(),
): number | null {
  const start = run.started_at ?? null;
  if (!start) return null;
  const from = Date.parse(start);
  if (Number.isNaN(from)) return null;
  if (run.finished_at) {
    const to = Date.parse(run.finished_at);
    return Number.isNaN(to) ? null : Math.max(0, to - from);
  }
  return isRunActive(run.status) ? Math.max(0, now - from) : null;
}

export function formatRunDuration(run: Pick<Run, "created_at" | "started_at" | "finished_at" | "status">, now?: number): string {
  const ms = runDurationMs(run, now);
  return ms === null ? "—" : formatDuration(ms);
}

/** The first eight characters of a UUID: enough to tell runs apart on one screen. */
export function shortId(id: string): string {
  return id.replace(/-/g, "").slice(0, 8);
}

const TRIGGERS: Record<string, string> = {
  webhook: "Webhook",
  schedule: "Schedule",
  manual: "Manual start",
  test: "Test run",
};

export function triggerLabel(trigger: string | null | undefined): string {
  if (!trigger) return "—";
  return TRIGGERS[trigger] ?? trigger.charAt(0).toUpperCase() + trigger.slice(1);
}

/** The first line of `text`, cut to `max` characters with an ellipsis. */
export function truncate(text: string | null | undefined, max = 80): string {
  const line = (text ?? "").trim().split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}
