import { describe, expect, it } from "vitest";
import { apiFilters, filtersFromSearch, hasFilters, isFlowId, NO_FILTERS, searchFromFilters } from "./runFilters";

const FLOW = "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924";

describe("run filters and the URL", () => {
  it("reads every filter from the query", () => {
    const filters = filtersFromSearch(new URLSearchParams(`flow=${FLOW}&status=failed&correlation_id=order-1`));
    expect(filters).toEqual({ flow: FLOW, status: "failed", correlationId: "order-1" });
    expect(hasFilters(filters)).toBe(true);
  });

  it("ignores a status the server does not know", () => {
    expect(filtersFromSearch(new URLSearchParams("status=pending")).status).toBe("");
  });

  it("reads an empty query as no filters", () => {
    const filters = filtersFromSearch(new URLSearchParams());
    expect(filters).toEqual(NO_FILTERS);
    expect(hasFilters(filters)).toBe(false);
  });

  it("writes only the filters that are set, keeping other parameters", () => {
    const query = searchFromFilters({ flow: "", status: "running", correlationId: " abc " }, new URLSearchParams("flow=x&tab=2"));
    expect(query.toString()).toBe("tab=2&status=running&correlation_id=abc");
  });

  it("round-trips", () => {
    const filters = { flow: FLOW, status: "waiting" as const, correlationId: "order-150" };
    expect(filtersFromSearch(searchFromFilters(filters))).toEqual(filters);
  });

  it("asks the API only for the filters that are set", () => {
    expect(apiFilters({ flow: FLOW, status: "", correlationId: "" })).toEqual({ flow: FLOW });
    expect(apiFilters({ flow: "", status: "failed", correlationId: "c" })).toEqual({ status: "failed", correlation_id: "c" });
  });

  it("tells flow ids from anything else", () => {
    expect(isFlowId(FLOW)).toBe(true);
    expect(isFlowId("big-orders")).toBe(false);
  });
});
