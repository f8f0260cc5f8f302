import { describe, expect, it } from "vitest";
import type { FlowFailures } from "../../api/health";
import {
  bucketLabel,
  bucketStarts,
  chartSummary,
  countsText,
  failingNodes,
  failureRate,
  fillBuckets,
  formatRate,
  splitFlows,
  windowFromSearch,
  worstBucket,
} from "./failureBuckets";

function flow(id: string, name: string, failed: number, succeeded: number, nodes: FlowFailures["nodes"] = []): FlowFailures {
  return { id, name, runs: { failed, succeeded, failure_rate: failureRate(failed, succeeded) }, buckets: [], nodes };
}

function node(name: string, failed: number, succeeded: number): FlowFailures["nodes"][number] {
  return { node: name, node_type: "transform.map", failed, succeeded, failure_rate: failureRate(failed, succeeded), buckets: [], errors: [] };
}

describe("bucketStarts", () => {
  it("lists every hour from the first bucket to the one holding `until`", () => {
    expect(bucketStarts("2024-05-01T22:00:00Z", "2024-05-02T01:30:12Z", "hour")).toEqual([
      "2024-05-01T22:00:00.000Z",
      "2024-05-01T23:00:00.000Z",
      "2024-05-02T00:00:00.000Z",
      "2024-05-02T01:00:00.000Z",
    ]);
  });

  it("lists days, and nothing for a window that ends before it starts or cannot be read", () => {
    expect(bucketStarts("2024-05-01T00:00:00Z", "2024-05-03T09:00:00Z", "day")).toHaveLength(3);
    expect(bucketStarts("2024-05-03T00:00:00Z", "2024-05-01T00:00:00Z", "day")).toEqual([]);
    expect(bucketStarts("yesterday", "2024-05-01T00:00:00Z", "day")).toEqual([]);
  });

  it("covers 90 days of hours", () => {
    expect(bucketStarts("2024-01-01T00:00:00Z", "2024-03-30T23:59:59Z", "hour")).toHaveLength(90 * 24);
  });
});

describe("fillBuckets", () => {
  it("puts zeros where the API left empty buckets out, matching times however they are written", () => {
    const starts = bucketStarts("2024-05-01T00:00:00Z", "2024-05-03T12:00:00Z", "day");
    const filled = fillBuckets([{ start: "2024-05-02T00:00:00+00:00", failed: 2, succeeded: 5 }], starts);
    expect(filled.map((b) => [b.failed, b.succeeded])).toEqual([
      [0, 0],
      [2, 5],
      [0, 0],
    ]);
    expect(filled.map((b) => b.start)).toEqual(starts);
  });
});

describe("rates and labels", () => {
  it("reads rates so a rare failure still shows", () => {
    expect(failureRate(0, 0)).toBe(0);
    expect(failureRate(1, 3)).toBe(0.25);
    expect([0, 0.001, 0.25, 2 / 3, 0.995, 1].map(formatRate)).toEqual(["0%", "<1%", "25%", "67%", ">99%", "100%"]);
  });

  it("names buckets in UTC", () => {
    expect(bucketLabel("2024-05-03T00:00:00Z", "day")).toMatch(/May.*3|3.*May/);
    expect(bucketLabel("2024-05-03T14:00:00Z", "hour")).toMatch(/14:00|0?2:00\sPM/i); // 24 or 12 hours, as the reader's locale has it
    expect(bucketLabel("not a time", "day")).toBe("not a time");
  });

  it("counts in words", () => {
    expect(countsText(2, 1)).toBe("2 failed of 3 runs");
    expect(countsText(0, 1, "step")).toBe("0 failed of 1 step");
  });

  it("finds the bucket with the most failures and says it in the chart's name", () => {
    const buckets = [
      { start: "2024-05-01T00:00:00Z", failed: 1, succeeded: 3 },
      { start: "2024-05-02T00:00:00Z", failed: 4, succeeded: 0 },
      { start: "2024-05-03T00:00:00Z", failed: 4, succeeded: 9 },
    ];
    expect(worstBucket(buckets)?.start).toBe("2024-05-02T00:00:00Z");
    expect(worstBucket([{ start: "2024-05-01T00:00:00Z", failed: 0, succeeded: 3 }])).toBeNull();
    const summary = chartSummary("Runs of Orders", buckets, "day");
    expect(summary).toMatch(/^Runs of Orders: 9 failed and 12 succeeded runs over 3 days; most failures .* \(4\)\.$/);
  });
});

describe("which flows and nodes need attention", () => {
  it("keeps the API's order for failing flows and sorts the healthy ones by name", () => {
    const flows = [
      flow("a", "Zebra", 3, 1),
      flow("b", "Orders", 1, 9),
      flow("c", "Mail", 0, 4),
      flow("d", "Alerts", 0, 2),
      // a run may succeed although a node failed (a branch that handles it): it still needs a look
      flow("e", "Billing", 0, 5, [node("charge", 1, 4)]),
    ];
    const { failing, healthy } = splitFlows(flows);
    expect(failing.map((f) => f.name)).toEqual(["Zebra", "Orders", "Billing"]);
    expect(healthy.map((f) => f.name)).toEqual(["Alerts", "Mail"]);
  });

  it("lists only the nodes that failed, by failure rate then by failures", () => {
    const nodes = [node("start", 0, 10), node("shape", 2, 8), node("send", 5, 5), node("crm", 1, 1)];
    expect(failingNodes(flow("a", "Orders", 5, 5, nodes)).map((n) => n.node)).toEqual(["send", "crm", "shape"]);
  });
});

describe("windowFromSearch", () => {
  it("reads the window from the URL, and falls back to what each window offers", () => {
    expect(windowFromSearch(new URLSearchParams("days=1&bucket=day"))).toEqual({ days: 1, bucket: "hour" });
    expect(windowFromSearch(new URLSearchParams("days=7&bucket=hour"))).toEqual({ days: 7, bucket: "hour" });
    expect(windowFromSearch(new URLSearchParams("days=90"))).toEqual({ days: 90, bucket: "day" });
    expect(windowFromSearch(new URLSearchParams("days=3"))).toEqual({ days: 7, bucket: "day" });
    expect(windowFromSearch(new URLSearchParams(""))).toEqual({ days: 7, bucket: "day" });
  });
});
