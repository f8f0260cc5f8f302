/** Node types grouped by category, in the palette's order, for the policy checkboxes (labels: canvas/nodeCategories). */
import type { NodeType } from "../../api/types";

export const CATEGORIES = ["trigger", "transform", "action"] as const;
export type Category = (typeof CATEGORIES)[number];

/** Categories a team may be allowed as a whole (`trigger.*`); actions are named one by one. */
export const WILDCARD_CATEGORIES: readonly Category[] = ["trigger", "transform"];

export function byCategory(types: readonly NodeType[]): [Category, NodeType[]][] {
  return CATEGORIES.map((category) => [category, types.filter((t) => t.category === category).sort((a, b) => a.title.localeCompare(b.title))]);
}
