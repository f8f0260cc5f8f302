import { describe, expect, it } from "vitest";
import type { FlowDocument } from "../api/types";
import { SWITCH } from "../forms/moreNodeTypes.fixture";
import { documentToGraph, graphToDocument, nextNodeId, outputPorts } from "./flowGraph";

const document: FlowDocument = {
  schema: "switchboard.flow/v1",
  name: "Big orders",
  nodes: [
    { id: "order", type: "trigger.webhook", config: {}, position: { x: 0, y: 0 } },
    { id: "big", type: "transform.branch", name: "Big order?", config: { condition: { ">": [{ var: "trigger.body.total" }, 100] } }, position: { x: 300, y: 0 } },
    { id: "mail", type: "action.email", description: "tell sales", config: { to: "sales@example.com" }, position: { x: 600, y: -80 } },
    { id: "log", type: "action.http", config: { url: "https://example.com" }, position: { x: 600, y: 80 } },
  ],
  edges: [
    { source: "order", target: "big" },
    { source: "big", target: "mail", sourcePort: "true" },
    { source: "big", target: "log", sourcePort: "false" },
  ],
};

describe("flow document ↔ canvas graph", () => {
  it("round-trips a document unchanged: ids, names, positions, other keys and ports", () => {
    const { nodes, edges } = documentToGraph(document);
    const { nodes: _n, edges: _e, ...head } = document;
    expect(graphToDocument(nodes, edges, head)).toEqual(document);
  });

  it("gives edges their ports as handles, and branch edges their port's colour", () => {
    const { edges } = documentToGraph(document);
    expect(edges.map((edge) => [edge.id, edge.sourceHandle, edge.targetHandle, edge.className])).toEqual([
      ["order:out->big", "out", "in", undefined],
      ["big:true->mail", "true", "in", "edge-port-true"],
      ["big:false->log", "false", "in", "edge-port-false"],
    ]);
  });

  it("names each node for the canvas and its tests", () => {
    const { nodes } = documentToGraph(document);
    expect(nodes.map((node) => node.ariaLabel)).toEqual(["Node order", "Node big", "Node mail", "Node log"]);
  });

  it("lays out nodes without a position left to right, and writes the positions back", () => {
    const bare: FlowDocument = {
      nodes: [
        { id: "a", type: "trigger.manual", config: {} },
        { id: "b", type: "transform.map", config: { fields: {} } },
      ],
      edges: [{ source: "a", target: "b" }],
    };
    const { nodes, edges } = documentToGraph(bare);
    expect(nodes[1].position.x).toBeGreaterThan(nodes[0].position.x);
    const written = graphToDocument(nodes, edges);
    expect(written.schema).toBe("switchboard.flow/v1");
    expect(written.nodes.every((node) => Number.isInteger(node.position?.x) && Number.isInteger(node.position?.y))).toBe(true);
    expect(written.edges).toEqual([{ source: "a", target: "b" }]);
  });

  it("skips edges React Flow cannot draw (to missing nodes, or twice)", () => {
    const broken: FlowDocument = {
      nodes: [{ id: "a", type: "trigger.manual", position: { x: 0, y: 0 } }],
      edges: [{ source: "a", target: "ghost" }, { source: "a", target: "a" }, { source: "a", target: "a" }],
    };
    expect(documentToGraph(broken).edges.map((edge) => edge.id)).toEqual(["a:out->a"]);
  });

  it("gives new nodes readable ids from their type", () => {
    expect(nextNodeId("transform.filter", [])).toBe("filter");
    expect(nextNodeId("transform.filter", ["filter"])).toBe("filter_2");
    expect(nextNodeId("transform.filter", ["filter", "filter_2"])).toBe("filter_3");
    expect(nextNodeId("connector.acme.create lead", [])).toBe("create_lead");
  });
});

describe("output ports", () => {
  it("gives a switch its default port, then one per case, each once, as the server's ports_for does", () => {
    const config = { cases: [{ port: "big" }, { port: "small" }, { port: "big" }, { port: "" }, { nope: 1 }, "junk"] };
    expect(outputPorts(SWITCH, config)).toEqual(["default", "big", "small"]);
    expect(outputPorts(SWITCH, {})).toEqual(["default"]);
    expect(outputPorts(SWITCH, { cases: "not a list" })).toEqual(["default"]);
  });

  it("gives other types their declared ports, and an unknown type the default port", () => {
    expect(outputPorts({ ports: ["true", "false"], config_ports: null }, { cases: [{ port: "x" }] })).toEqual(["true", "false"]);
    expect(outputPorts(undefined, {})).toEqual(["out"]);
  });
});
