/**
 * Dead letters: runs that failed after their retries. They are listed by `GET /runs?status=failed`;
 * this module replays many at once (`POST /runs/replay`) and reads a step's attempt history.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { healthKeys } from "./health";
import { queryKeys } from "./queryKeys";
import type { Run, Step } from "./types";

export type ReplayFrom = "failed" | "start";

/** The server replays at most this many runs per call; more are sent in several calls. */
export const MAX_REPLAYS_PER_CALL = 100;

/** One run replayed: `of` is the original, `run` the new run. */
export interface ReplayStarted {
  of: string;
  run: Run;
}

export const deadLettersApi = {
  replayMany: (runs: string[], from: ReplayFrom) => api.post<{ replays: ReplayStarted[] }>("/runs/replay", { runs, from }),
};

/** `items` cut into lists of at most `size`, in order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError("size must be at least 1");
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/** A replay of many runs that stopped part-way: `started` went ahead, `cause` stopped the rest. */
export class PartialReplayError extends Error {
  readonly started: ReplayStarted[];

  constructor(started: ReplayStarted[], cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "PartialReplayError";
    this.started = started;
  }
}

/**
 * Replays every run in `ids`, a call per hundred. Each call is all-or-nothing on the server; when a
 * later call is refused, the replays already started are reported with the refusal.
 */
export async function replayAll(
  ids: readonly string[],
  from: ReplayFrom,
  send: (runs: string[], from: ReplayFrom) => Promise<{ replays: ReplayStarted[] }> = deadLettersApi.replayMany,
): Promise<ReplayStarted[]> {
  const started: ReplayStarted[] = [];
  for (const part of chunk([...new Set(ids)], MAX_REPLAYS_PER_CALL)) {
    try {
      started.push(...(await send(part, from)).replays);
    } catch (error) {
      if (started.length === 0) throw error;
      throw new PartialReplayError(started, error);
    }
  }
  return started;
}

export function useReplayMany() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, from }: { ids: readonly string[]; from: ReplayFrom }) => replayAll(ids, from),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.allRunLists });
      void client.invalidateQueries({ queryKey: healthKeys.all });
    },
  });
}

/** One attempt of a step, as the engine logs it. */
export interface Attempt {
  attempt: number;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  error: string;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * A step's attempts, oldest first, from its `attempt_log` (entries that are not objects are left out;
 * a step stored before attempts were logged has none).
 */
export function attemptLogOf(step: Step): Attempt[] {
  const log: unknown = (step as Step & { attempt_log?: unknown }).attempt_log;
  if (!Array.isArray(log)) return [];
  return log
    .filter((entry): entry is Record<string, unknown> => typeof entry === "object" && entry !== null && !Array.isArray(entry))
    .map((entry, index) => ({
      attempt: typeof entry.attempt === "number" ? entry.attempt : index + 1,
      status: text(entry.status) ?? "unknown",
      started_at: text(entry.started_at),
      finished_at: text(entry.finished_at),
      error: text(entry.error) ?? "",
    }))
    .sort((a, b) => a.attempt - b.attempt);
}
