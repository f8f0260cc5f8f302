import { describe, expect, it } from "vitest";
import { CATALOG_NODE_TYPES } from "../forms/moreNodeTypes.fixture";
import { connectorOf, groupNodeTypes, matchesSearch } from "./nodeTypeGroups";

describe("node type groups", () => {
  it("knows a connector's operations by their type", () => {
    expect(connectorOf("connector.crm.createContact")).toBe("crm");
    expect(connectorOf("connector.crm")).toBeNull();
    expect(connectorOf("action.http")).toBeNull();
  });

  it("puts categories first in their order, then connectors by name", () => {
    const groups = groupNodeTypes(CATALOG_NODE_TYPES);
    expect(groups.map((group) => [group.key, group.label])).toEqual([
      ["trigger", "Triggers"],
      ["transform", "Transforms"],
      ["action", "Actions"],
      ["connector.crm", "crm"],
    ]);
    expect(groups[3].types.map((type) => type.title)).toEqual(["Create a contact", "List contacts"]);
  });

  it("matches every word of a search in the type, title or description", () => {
    const http = CATALOG_NODE_TYPES.find((type) => type.type === "action.http")!;
    expect(matchesSearch(http, "  ")).toBe(true);
    expect(matchesSearch(http, "ACTION.HTTP")).toBe(true);
    expect(matchesSearch(http, "http nowhere-to-be-found")).toBe(false);
    expect(groupNodeTypes(CATALOG_NODE_TYPES, "contacts").map((group) => group.key)).toEqual(["connector.crm"]);
  });
});
