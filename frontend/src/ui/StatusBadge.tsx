/** Coloured badges for the states of flows, versions, runs and steps. */
import type { FlowState, RunStatus, StepStatus, VersionState } from "../api/types";

/** "pending": a step of a running run that has not started yet. */
export type NodeRunStatus = StepStatus | "pending";

const LABELS: Record<string, string> = {
  draft: "Draft",
  pending: "Waiting for approval",
  live: "Live",
  paused: "Paused",
  approved: "Approved",
  rejected: "Rejected",
  retired: "Retired",
  queued: "Queued",
  running: "Running",
  waiting: "Waiting",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  skipped: "Skipped",
};

const TONES: Record<string, string> = {
  draft: "neutral",
  pending: "warning",
  live: "success",
  paused: "neutral-strong",
  approved: "success",
  rejected: "danger",
  retired: "neutral",
  queued: "neutral",
  running: "info",
  waiting: "warning",
  succeeded: "success",
  failed: "danger",
  cancelled: "neutral-strong",
  skipped: "neutral",
};

export function statusLabel(status: string): string {
  return LABELS[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

export function StatusBadge({
  status,
  label,
  kind,
}: {
  status: FlowState | VersionState | RunStatus | NodeRunStatus | string;
  /** Overrides the label ("pending" reads "Waiting for approval" for flows and versions). */
  label?: string;
  kind?: "step";
}) {
  const text = label ?? (kind === "step" && status === "pending" ? "Not started" : statusLabel(status));
  return (
    <span className={`badge badge-${TONES[status] ?? "neutral"}`} data-status={status}>
      {status === "running" && <span className="badge-pulse" aria-hidden="true" />}
      {text}
    </span>
  );
}
