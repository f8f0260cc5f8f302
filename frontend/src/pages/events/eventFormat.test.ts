import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { serverProblems } from "../../forms/serverProblems";
import {
  attemptSummary,
  canReplay,
  deliveryStatusLabel,
  endpointFormProblems,
  isForbidden,
  orderedEventTypes,
  shortWebhookId,
} from "./eventFormat";

describe("endpointFormProblems", () => {
  it("accepts an https or http URL with at least one event", () => {
    expect(endpointFormProblems(" https://hooks.example.com/in ", ["run.failed"])).toEqual({});
    expect(endpointFormProblems("http://10.0.0.5:8080/", ["run.failed"])).toEqual({});
  });

  it("names what is missing or wrong", () => {
    expect(endpointFormProblems("", [])).toEqual({
      url: "Enter the URL that receives the events.",
      event_types: "Choose at least one event.",
    });
    expect(endpointFormProblems("hooks.example.com", ["run.failed"]).url).toMatch(/full URL/);
    expect(endpointFormProblems("ftp://example.com/x", ["run.failed"]).url).toMatch(/https:\/\//);
  });
});

describe("serverProblems", () => {
  const error = new ApiError({
    status: 400,
    detail: "2 problems",
    errors: [
      { node: null, field: "url", message: "10.0.0.5 is refused" },
      { node: null, field: "event_types[1]", message: "'run.lost' is not an event type." },
    ],
  });

  it("picks the messages about one field, items included", () => {
    expect(serverProblems(error, "url")).toEqual(["10.0.0.5 is refused"]);
    expect(serverProblems(error, "event_types")).toEqual(["'run.lost' is not an event type."]);
    expect(serverProblems(error, "description")).toEqual([]);
    expect(serverProblems(new Error("offline"), "url")).toEqual([]);
  });

  it("tells a refusal for not being an admin", () => {
    expect(isForbidden(new ApiError({ status: 403, detail: "Only admins may manage event subscriptions." }))).toBe(true);
    expect(isForbidden(error)).toBe(false);
  });
});

describe("deliveries", () => {
  it("orders event types as documented", () => {
    expect(orderedEventTypes(["version.rejected", "run.failed", "bogus"])).toEqual(["run.failed", "version.rejected"]);
  });

  it("labels statuses, a pending delivery that already failed once as retrying", () => {
    expect(deliveryStatusLabel({ status: "pending", attempts: 0 })).toBe("Pending");
    expect(deliveryStatusLabel({ status: "pending", attempts: 2 })).toBe("Retrying");
    expect(deliveryStatusLabel({ status: "succeeded", attempts: 1 })).toBe("Delivered");
    expect(deliveryStatusLabel({ status: "failed", attempts: 10 })).toBe("Failed");
  });

  it("sums an attempt up", () => {
    expect(attemptSummary({ attempt: 1, at: "2024-05-01T10:00:00Z", status_code: 503, error: "down", duration_ms: 120, replay: 0 })).toBe("503 · 120 ms");
    expect(attemptSummary({ attempt: 2, at: "2024-05-01T10:00:00Z", status_code: null, error: "timed out", duration_ms: 10000, replay: 0 })).toBe("No answer · 10 s");
    expect(attemptSummary({ attempt: 3, at: "2024-05-01T10:00:00Z", status_code: null, error: "refused", duration_ms: null, replay: 1 })).toBe("No answer");
  });

  it("allows a replay once a delivery is finished, or when its next attempt is overdue", () => {
    const now = Date.parse("2024-05-01T10:00:00Z");
    expect(canReplay({ status: "failed", next_attempt_at: null }, now)).toBe(true);
    expect(canReplay({ status: "succeeded", next_attempt_at: null }, now)).toBe(true);
    expect(canReplay({ status: "pending", next_attempt_at: "2024-05-01T10:05:00Z" }, now)).toBe(false);
    expect(canReplay({ status: "pending", next_attempt_at: "2024-05-01T09:55:00Z" }, now)).toBe(true);
  });

  it("shortens webhook ids", () => {
    expect(shortWebhookId("msg_9f3c2a8e5b1d4c7fa0e6b2d8c4f1a357")).toBe("msg_9f3c2a8e…");
    expect(shortWebhookId("msg_short")).toBe("msg_short");
  });
});
