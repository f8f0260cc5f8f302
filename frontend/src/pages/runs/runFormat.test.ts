import { describe, expect, it } from "vitest";
import { formatDuration, formatRunDuration, isRunActive, isRunStatus, runDurationMs, shortId, triggerLabel, truncate } from "./runFormat";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [350, "350 ms"],
    [999, "999 ms"],
    [1000, "1 s"],
    [2430, "2.43 s"],
    [12_345, "12.3 s"],
    [59_999, "59.9 s"],
    [60_000, "1 min"],
    [65_000, "1 min 5 s"],
    [3_600_000, "1 h"],
    [2 * 3_600_000 + 3 * 60_000 + 7000, "2 h 3 min"],
    [3 * 86_400_000 + 4 * 3_600_000, "3 d 4 h"],
    [86_400_000, "1 d"],
  ])("%d ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("has nothing to say about negative or missing lengths", () => {
    expect(formatDuration(-5)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("run durations", () => {
  const base = { created_at: "2024-05-01T10:00:00Z", status: "succeeded" as const };

  it("measures a finished run from its start to its end", () => {
    const run = { ...base, started_at: "2024-05-01T10:00:01Z", finished_at: "2024-05-01T10:00:03.500Z" };
    expect(runDurationMs(run)).toBe(2500);
    expect(formatRunDuration(run)).toBe("2.5 s");
  });

  it("measures a running run against now", () => {
    const run = { ...base, status: "running" as const, started_at: "2024-05-01T10:00:00Z", finished_at: null };
    expect(runDurationMs(run, Date.parse("2024-05-01T10:01:30Z"))).toBe(90_000);
  });

  it("has no duration before the run started", () => {
    expect(formatRunDuration({ ...base, status: "queued", started_at: null, finished_at: null })).toBe("—");
  });
});

describe("run statuses", () => {
  it("knows which runs can still be cancelled", () => {
    expect(["queued", "running", "waiting"].every(isRunActive)).toBe(true);
    expect(["succeeded", "failed", "cancelled", "", undefined].some(isRunActive)).toBe(false);
  });

  it("accepts only real statuses", () => {
    expect(isRunStatus("failed")).toBe(true);
    expect(isRunStatus("pending")).toBe(false);
    expect(isRunStatus(null)).toBe(false);
  });
});

describe("labels", () => {
  it("shortens ids", () => {
    expect(shortId("5e00a462-0fe1-42b9-9e01-1e64b0d9fc60")).toBe("5e00a462");
  });

  it("names triggers", () => {
    expect(triggerLabel("webhook")).toBe("Webhook");
    expect(triggerLabel("test")).toBe("Test run");
    expect(triggerLabel("event")).toBe("Event");
    expect(triggerLabel(null)).toBe("—");
  });

  it("cuts long errors at their first line", () => {
    expect(truncate("short")).toBe("short");
    expect(truncate("first line\nsecond line")).toBe("first line");
    expect(truncate("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(truncate(undefined)).toBe("");
  });
});
