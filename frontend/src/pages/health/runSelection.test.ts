import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { pageSelection, selectedShown, toggleAllShown, toggleOne, useRunSelection } from "./runSelection";

describe("selection state", () => {
  it("toggles one run in and out, leaving the set it was given alone", () => {
    const before = new Set(["a"]);
    const after = toggleOne(before, "b");
    expect([...after]).toEqual(["a", "b"]);
    expect([...toggleOne(after, "a")]).toEqual(["b"]);
    expect([...before]).toEqual(["a"]);
  });

  it("selects every shown run, or none of them when all already are", () => {
    const shown = ["a", "b", "c"];
    expect([...toggleAllShown(new Set(["b"]), shown)].sort()).toEqual(["a", "b", "c"]);
    expect([...toggleAllShown(new Set(shown), shown)]).toEqual([]);
    // runs selected elsewhere (not shown) are not touched
    expect([...toggleAllShown(new Set(["a", "b", "c", "z"]), shown)]).toEqual(["z"]);
    expect([...toggleAllShown(new Set(), [])]).toEqual([]);
  });

  it("says how much of the page is selected", () => {
    const shown = ["a", "b"];
    expect(pageSelection(new Set(), shown)).toBe("none");
    expect(pageSelection(new Set(["b", "z"]), shown)).toBe("some");
    expect(pageSelection(new Set(["a", "b"]), shown)).toBe("all");
    expect(pageSelection(new Set(["z"]), [])).toBe("none");
  });

  it("keeps the list's order and only what is shown", () => {
    expect(selectedShown(new Set(["c", "a", "z"]), ["a", "b", "c"])).toEqual(["a", "c"]);
  });
});

describe("useRunSelection", () => {
  it("selects, selects all, forgets runs that left the list, and clears", () => {
    let shown = ["a", "b", "c"];
    const { result, rerender } = renderHook(() => useRunSelection(shown));
    act(() => result.current.toggle("b"));
    expect(result.current.ids).toEqual(["b"]);
    expect(result.current.state).toBe("some");
    act(() => result.current.toggleAll());
    expect(result.current.ids).toEqual(["a", "b", "c"]);
    expect(result.current.state).toBe("all");

    shown = ["a", "c"]; // b was replayed and the list refreshed without it
    rerender();
    expect(result.current.ids).toEqual(["a", "c"]);
    expect(result.current.selected.has("b")).toBe(false);

    act(() => result.current.clear());
    expect(result.current.ids).toEqual([]);
    expect(result.current.state).toBe("none");
  });
});
