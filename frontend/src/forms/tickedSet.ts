/** The set behind a group of checkboxes, after one of them is ticked (`on`) or cleared; the given set is left as it was. */
export function withTicked<T>(set: ReadonlySet<T>, key: T, on: boolean): Set<T> {
  const next = new Set(set);
  if (on) next.add(key);
  else next.delete(key);
  return next;
}
