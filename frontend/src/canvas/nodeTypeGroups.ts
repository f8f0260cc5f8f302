/**
 * Node types in the groups the palette and the node catalog show: the built-in ones by category
 * (triggers, transforms, actions), then each imported connector's operations under its connector
 * (`connector.<name>.<operation>`), narrowed by a search of type, title and description.
 */
import type { NodeType } from "../api/types";
import { categoryLabel, categoryOrder } from "./nodeCategories";

const CONNECTOR_PREFIX = "connector.";

export interface NodeTypeGroup {
  /** `trigger`, `transform`, `action`, or `connector.<name>`: unique, usable as an element id. */
  key: string;
  label: string;
  /** The category of the group's types (a connector's operations are actions). */
  category: string;
  /** The connector's name for a connector's group. */
  connector: string | null;
  types: NodeType[];
}

/** The connector a node type is an operation of (`connector.crm.createContact` → `crm`), or null for a built-in one. */
export function connectorOf(type: string): string | null {
  if (!type.startsWith(CONNECTOR_PREFIX)) return null;
  const rest = type.slice(CONNECTOR_PREFIX.length);
  const dot = rest.indexOf(".");
  return dot > 0 ? rest.slice(0, dot) : null;
}

/** Whether a node type matches a search: every word appears in its type, title or description. */
export function matchesSearch(nodeType: Pick<NodeType, "type" | "title" | "description">, search: string): boolean {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = `${nodeType.type} ${nodeType.title} ${nodeType.description}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

export function groupNodeTypes(nodeTypes: readonly NodeType[], search = ""): NodeTypeGroup[] {
  const groups = new Map<string, NodeTypeGroup>();
  for (const nodeType of nodeTypes) {
    if (!matchesSearch(nodeType, search)) continue;
    const connector = connectorOf(nodeType.type);
    const key = connector ? `${CONNECTOR_PREFIX}${connector}` : nodeType.category;
    let group = groups.get(key);
    if (!group) {
      group = { key, label: connector ?? categoryLabel(nodeType.category), category: nodeType.category, connector, types: [] };
      groups.set(key, group);
    }
    group.types.push(nodeType);
  }
  // Built-in categories in their order, then connectors by name; connectors' operations by title.
  return [...groups.values()]
    .map((group) => (group.connector ? { ...group, types: [...group.types].sort((a, b) => a.title.localeCompare(b.title)) } : group))
    .sort(
      (a, b) =>
        Number(a.connector !== null) - Number(b.connector !== null) ||
        categoryOrder(a.category) - categoryOrder(b.category) ||
        a.label.localeCompare(b.label),
    );
}
