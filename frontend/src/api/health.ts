/**
 * Failure patterns over time (`GET /health/failures`): per flow, runs failed and succeeded per bucket;
 * per node, steps likewise with their most frequent errors. The shapes mirror the OpenAPI
 * `FailurePatterns` component.
 */
import { useQuery } from "@tanstack/react-query";
import { api } from "./client";

export type FailureBucketSize = "hour" | "day";

/** One bucket: what finished from `start` (UTC) for an hour or a day. */
export interface FailureCounts {
  start: string;
  failed: number;
  succeeded: number;
}

/** One distinct error of a node (grouped by its first 500 characters), with its latest occurrence. */
export interface NodeError {
  message: string;
  count: number;
  latest_run: string;
  latest_at: string;
}

export interface NodeFailures {
  node: string;
  node_type: string;
  failed: number;
  succeeded: number;
  failure_rate: number;
  /** Steps per bucket, oldest first; empty buckets are left out. */
  buckets: FailureCounts[];
  /** The most frequent errors first (at most three). */
  errors: NodeError[];
}

export interface FlowFailures {
  id: string;
  name: string;
  runs: { failed: number; succeeded: number; failure_rate: number };
  /** Runs per bucket, oldest first; empty buckets are left out. */
  buckets: FailureCounts[];
  /** Most failing first. */
  nodes: NodeFailures[];
}

export interface FailurePatterns {
  days: number;
  bucket: FailureBucketSize;
  /** The first bucket's start. */
  since: string;
  /** When the numbers were read (inside the last bucket). */
  until: string;
  /** Most failing first; only flows with runs that finished in the window. */
  flows: FlowFailures[];
}

export const healthKeys = {
  all: ["health"] as const,
  failures: (days: number, bucket: FailureBucketSize) => ["health", "failures", days, bucket] as const,
};

// The page is a dashboard left open: it reads the numbers again this often.
const REFRESH_MS = 60_000;

export const healthApi = {
  failures: (days: number, bucket: FailureBucketSize) => api.get<FailurePatterns>("/health/failures", { query: { days, bucket } }),
};

export function useFailurePatterns(days: number, bucket: FailureBucketSize) {
  return useQuery({
    queryKey: healthKeys.failures(days, bucket),
    queryFn: () => healthApi.failures(days, bucket),
    refetchInterval: () => (document.visibilityState === "hidden" ? false : REFRESH_MS),
    placeholderData: (previous) => previous,
  });
}
