import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./client";
import { attemptLogOf, chunk, MAX_REPLAYS_PER_CALL, PartialReplayError, replayAll, type ReplayFrom, type ReplayStarted } from "./deadLetters";
import type { Run, Step } from "./types";

function started(of: string): ReplayStarted {
  return { of, run: { id: `replay-of-${of}`, flow: "f", status: "queued", trigger: "manual", correlation_id: "c", created_at: "", output: null, steps: [] } as Run };
}

function step(extra: Record<string, unknown>): Step {
  return { node: "call", node_type: "action.http", status: "failed", input: {}, output: null, ...extra } as Step;
}

describe("chunk", () => {
  it("cuts a list in order into parts of at most the size", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe("replayAll", () => {
  it("sends a hundred runs per call, each once, and gathers what started in order", async () => {
    const ids = Array.from({ length: 230 }, (_, index) => `run-${index}`);
    const send = vi.fn(async (runs: string[], _from: ReplayFrom) => ({ replays: runs.map(started) }));
    const result = await replayAll([...ids, "run-0"], "failed", send);
    expect(send.mock.calls.map(([runs, from]) => [runs.length, from])).toEqual([
      [MAX_REPLAYS_PER_CALL, "failed"],
      [MAX_REPLAYS_PER_CALL, "failed"],
      [30, "failed"],
    ]);
    expect(result.map((replay) => replay.of)).toEqual(ids);
  });

  it("passes a first refusal on as it is", async () => {
    const refusal = new ApiError({ status: 409, detail: "Run x is running; only a finished run can be replayed." });
    await expect(replayAll(["x"], "start", async () => Promise.reject(refusal))).rejects.toBe(refusal);
  });

  it("reports the replays already started when a later call is refused", async () => {
    const ids = Array.from({ length: 150 }, (_, index) => `run-${index}`);
    const refusal = new ApiError({ status: 400, detail: "No run has the id run-120." });
    const send = vi.fn(async (runs: string[]) => {
      if (runs.includes("run-120")) throw refusal;
      return { replays: runs.map(started) };
    });
    const error = await replayAll(ids, "failed", send).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(PartialReplayError);
    expect((error as PartialReplayError).started).toHaveLength(100);
    expect((error as PartialReplayError).cause).toBe(refusal);
    expect((error as PartialReplayError).message).toBe("No run has the id run-120.");
  });
});

describe("attemptLogOf", () => {
  it("reads each attempt with its times, status and error, oldest first", () => {
    const log = [
      { attempt: 2, status: "failed", started_at: "2024-05-01T10:00:03Z", finished_at: "2024-05-01T10:00:04Z", error: "HTTP 503" },
      { attempt: 1, status: "failed", started_at: "2024-05-01T10:00:00Z", finished_at: "2024-05-01T10:00:01Z", error: "timeout" },
    ];
    expect(attemptLogOf(step({ attempt_log: log }))).toEqual([
      { attempt: 1, status: "failed", started_at: "2024-05-01T10:00:00Z", finished_at: "2024-05-01T10:00:01Z", error: "timeout" },
      { attempt: 2, status: "failed", started_at: "2024-05-01T10:00:03Z", finished_at: "2024-05-01T10:00:04Z", error: "HTTP 503" },
    ]);
  });

  it("is empty for a step without a log, and makes do with partial entries", () => {
    expect(attemptLogOf(step({}))).toEqual([]);
    expect(attemptLogOf(step({ attempt_log: "nonsense" }))).toEqual([]);
    expect(attemptLogOf(step({ attempt_log: [null, { status: "succeeded" }, 7] }))).toEqual([
      { attempt: 1, status: "succeeded", started_at: null, finished_at: null, error: "" },
    ]);
  });
});
