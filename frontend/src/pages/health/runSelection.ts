/**
 * Which failed runs are selected on the runs list, to be replayed together. Only runs shown can be
 * selected: when the list changes (a filter, a refresh after a replay), runs that left it are dropped.
 */
import { useCallback, useMemo, useState } from "react";

/** How much of the shown list is selected, for the "select all on this page" box. */
export type PageSelection = "none" | "some" | "all";

export function toggleOne(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** Selects every shown run, or — when they all are already — none of them. */
export function toggleAllShown(selected: ReadonlySet<string>, shown: readonly string[]): Set<string> {
  const next = new Set(selected);
  const all = shown.length > 0 && shown.every((id) => selected.has(id));
  for (const id of shown) {
    if (all) next.delete(id);
    else next.add(id);
  }
  return next;
}

export function pageSelection(selected: ReadonlySet<string>, shown: readonly string[]): PageSelection {
  const count = shown.filter((id) => selected.has(id)).length;
  if (count === 0) return "none";
  return count === shown.length ? "all" : "some";
}

/** The selected runs still shown, in the list's order. */
export function selectedShown(selected: ReadonlySet<string>, shown: readonly string[]): string[] {
  return shown.filter((id) => selected.has(id));
}

/** Selection state over the runs shown (`shown`: their ids, in order). */
export function useRunSelection(shown: readonly string[]) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  // Derived rather than pruned in an effect: a run that left the list is simply not counted.
  const ids = useMemo(() => selectedShown(selected, shown), [selected, shown]);
  const state = useMemo(() => pageSelection(selected, shown), [selected, shown]);
  const toggle = useCallback((id: string) => setSelected((current) => toggleOne(current, id)), []);
  const toggleAll = useCallback(() => setSelected((current) => toggleAllShown(current, shown)), [shown]);
  const clear = useCallback(() => setSelected(new Set()), []);
  const selectedSet = useMemo(() => new Set(ids), [ids]);
  return { ids, selected: selectedSet as ReadonlySet<string>, state, toggle, toggleAll, clear };
}

export type RunSelection = ReturnType<typeof useRunSelection>;
