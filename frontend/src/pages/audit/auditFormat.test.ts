import { describe, expect, it } from "vitest";
import { apiQuery, detailChanges, filtersFromSearch, NO_FILTERS, otherDetail, searchFromFilters } from "./auditFormat";

describe("detailChanges", () => {
  it("lists the fields before and after differ in, deep inside objects", () => {
    const changes = detailChanges({
      before: { name: "A", config: { limit: 100, mode: "x" }, gone: true },
      after: { name: "B", config: { limit: 100, mode: "y" }, added: [1] },
    });
    expect(changes).toEqual([
      { path: "name", before: "A", after: "B", kind: "changed" },
      { path: "config.mode", before: "x", after: "y", kind: "changed" },
      { path: "gone", before: true, after: undefined, kind: "removed" },
      { path: "added", before: undefined, after: [1], kind: "added" },
    ]);
  });

  it("compares plain values, and a created or deleted object field by field", () => {
    expect(detailChanges({ before: "viewer", after: "admin" })).toEqual([{ path: "", before: "viewer", after: "admin", kind: "changed" }]);
    expect(detailChanges({ after: { name: "Ops" } })).toEqual([{ path: "name", before: undefined, after: "Ops", kind: "added" }]);
    expect(detailChanges({ before: { name: "Ops" } })).toEqual([{ path: "name", before: "Ops", after: undefined, kind: "removed" }]);
  });

  it("is null without before and after, and keeps the rest of the detail apart", () => {
    expect(detailChanges({ role: "admin" })).toBeNull();
    expect(otherDetail({ before: 1, after: 2, reason: "x" })).toEqual({ reason: "x" });
  });
});

describe("filters", () => {
  it("round-trip through the URL, leaving out empty ones", () => {
    const filters = { ...NO_FILTERS, actor: "carol", from: "2024-05-01" };
    const search = searchFromFilters(filters);
    expect(search.toString()).toBe("actor=carol&from=2024-05-01");
    expect(filtersFromSearch(search)).toEqual(filters);
  });

  it("turn whole days into since (start of the first) and until (start of the day after the last)", () => {
    const query = apiQuery({ ...NO_FILTERS, from: "2024-02-28", to: "2024-02-29", action: "flow." });
    expect(query).toEqual({ action: "flow.", since: new Date(2024, 1, 28).toISOString(), until: new Date(2024, 2, 1).toISOString() });
    expect(apiQuery({ ...NO_FILTERS, from: "yesterday" })).toEqual({});
  });
});
