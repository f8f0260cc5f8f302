/**
 * The Health page's arithmetic: every bucket of a window (the API leaves empty ones out), failure
 * rates, which flows and nodes need attention, and how buckets and rates read.
 */
import type { FailureBucketSize, FailureCounts, FlowFailures, NodeFailures } from "../../api/health";

const STEP_MS: Record<FailureBucketSize, number> = { hour: 3_600_000, day: 86_400_000 };

/** The windows the page offers, and the bucket sizes that make sense for each. */
export const WINDOWS = [
  { days: 1, label: "Last 24 hours", buckets: ["hour"] },
  { days: 7, label: "Last 7 days", buckets: ["day", "hour"] },
  { days: 30, label: "Last 30 days", buckets: ["day"] },
  { days: 90, label: "Last 90 days", buckets: ["day"] },
] as const satisfies readonly { days: number; label: string; buckets: readonly FailureBucketSize[] }[];

export interface HealthWindow {
  days: number;
  bucket: FailureBucketSize;
}

export const DEFAULT_WINDOW: HealthWindow = { days: 7, bucket: "day" };

/** The window a URL query asks for (`?days=&bucket=`), falling back to what makes sense. */
export function windowFromSearch(search: URLSearchParams): HealthWindow {
  const days = Number(search.get("days"));
  const known = WINDOWS.find((window) => window.days === days);
  if (!known) return DEFAULT_WINDOW;
  const bucket = search.get("bucket");
  const sizes: readonly string[] = known.buckets;
  return { days: known.days, bucket: bucket && sizes.includes(bucket) ? (bucket as FailureBucketSize) : known.buckets[0] };
}

/** The start (ISO, UTC) of every bucket from `since` up to and including the one holding `until`. */
export function bucketStarts(since: string, until: string, bucket: FailureBucketSize): string[] {
  const step = STEP_MS[bucket];
  const first = Date.parse(since);
  const last = Date.parse(until);
  if (Number.isNaN(first) || Number.isNaN(last) || last < first) return [];
  const starts: string[] = [];
  // Bounded: 90 days of hours is 2160 buckets; a malformed window must not hang the page.
  for (let at = first; at <= last && starts.length < 5000; at += step) starts.push(new Date(at).toISOString());
  return starts;
}

/** One entry per start in `starts`, zeros where the API sent nothing. */
export function fillBuckets(buckets: readonly FailureCounts[], starts: readonly string[]): FailureCounts[] {
  const byTime = new Map(buckets.map((bucket) => [Date.parse(bucket.start), bucket]));
  return starts.map((start) => {
    const found = byTime.get(Date.parse(start));
    return { start, failed: found?.failed ?? 0, succeeded: found?.succeeded ?? 0 };
  });
}

export function failureRate(failed: number, succeeded: number): number {
  const total = failed + succeeded;
  return total > 0 ? failed / total : 0;
}

/** "0 %", "<1 %", "12 %", "100 %": a failure shows even when it is rare. */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return "0%";
  if (rate < 0.01) return "<1%";
  if (rate > 0.99 && rate < 1) return ">99%";
  return `${Math.round(rate * 100)}%`;
}

const HOUR_LABEL = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
const DAY_LABEL = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/** A bucket named for people: "May 3" or "May 3, 14:00" (UTC, as the buckets are). */
export function bucketLabel(start: string, bucket: FailureBucketSize): string {
  const date = new Date(start);
  if (Number.isNaN(date.getTime())) return start;
  return (bucket === "hour" ? HOUR_LABEL : DAY_LABEL).format(date);
}

/** The bucket with the most failures (the earliest of equals), or null when nothing failed. */
export function worstBucket(buckets: readonly FailureCounts[]): FailureCounts | null {
  let worst: FailureCounts | null = null;
  for (const bucket of buckets) if (bucket.failed > 0 && (!worst || bucket.failed > worst.failed)) worst = bucket;
  return worst;
}

/** Flows with failures (most failing first, as the API sorts them) and the healthy rest, by name. */
export function splitFlows(flows: readonly FlowFailures[]): { failing: FlowFailures[]; healthy: FlowFailures[] } {
  const failing = flows.filter((flow) => flow.runs.failed > 0 || flow.nodes.some((node) => node.failed > 0));
  const healthy = flows.filter((flow) => !failing.includes(flow)).sort((a, b) => a.name.localeCompare(b.name));
  return { failing, healthy };
}

/** The nodes that failed, most failing first (by rate, then by failures). */
export function failingNodes(flow: FlowFailures): NodeFailures[] {
  return flow.nodes
    .filter((node) => node.failed > 0)
    .sort((a, b) => b.failure_rate - a.failure_rate || b.failed - a.failed || a.node.localeCompare(b.node));
}

/** "3 failed of 40" — counts in words for labels and summaries. */
export function countsText(failed: number, succeeded: number, noun = "run"): string {
  const total = failed + succeeded;
  return `${failed} failed of ${total} ${noun}${total === 1 ? "" : "s"}`;
}

/** What a chart of `buckets` shows, in one sentence (its accessible name). */
export function chartSummary(subject: string, buckets: readonly FailureCounts[], bucket: FailureBucketSize, noun = "run"): string {
  const failed = buckets.reduce((sum, b) => sum + b.failed, 0);
  const succeeded = buckets.reduce((sum, b) => sum + b.succeeded, 0);
  const span = `${buckets.length} ${bucket === "hour" ? "hour" : "day"}${buckets.length === 1 ? "" : "s"}`;
  const worst = worstBucket(buckets);
  const peak = worst ? `; most failures ${bucketLabel(worst.start, bucket)} UTC (${worst.failed})` : "";
  return `${subject}: ${failed} failed and ${succeeded} succeeded ${noun}s over ${span}${peak}.`;
}
