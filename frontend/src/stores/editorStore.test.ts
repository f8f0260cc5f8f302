import { beforeEach, describe, expect, it } from "vitest";
import { nodeType } from "../forms/nodeTypes.fixture";
import { useEditorStore, wouldCreateCycle } from "./editorStore";

const store = () => useEditorStore.getState();

beforeEach(() => {
  store().load({
    schema: "switchboard.flow/v1",
    nodes: [
      { id: "hook", type: "trigger.webhook", config: {}, position: { x: 0, y: 0 } },
      { id: "branch", type: "transform.branch", config: {}, position: { x: 300, y: 0 } },
    ],
    edges: [{ source: "hook", target: "branch" }],
  });
});

describe("the editor store", () => {
  it("adds nodes with readable ids, wired from the chosen node's free port", () => {
    const first = store().addNode(nodeType("action.http"), undefined, { connectFrom: { id: "branch", ports: ["true", "false"] } });
    const second = store().addNode(nodeType("action.http"), undefined, { connectFrom: { id: "branch", ports: ["true", "false"] } });
    expect([first, second]).toEqual(["http", "http_2"]);
    expect(store().document().edges).toEqual([
      { source: "hook", target: "branch" },
      { source: "branch", target: "http", sourcePort: "true" },
      { source: "branch", target: "http_2", sourcePort: "false" },
    ]);
    expect(store().selectedNodeId).toBe("http_2");
  });

  it("refuses edges that loop, repeat or close a cycle", () => {
    expect(store().connect({ source: "branch", sourceHandle: "true", target: "branch", targetHandle: "in" })).toBe(false);
    expect(store().connect({ source: "hook", sourceHandle: "out", target: "branch", targetHandle: "in" })).toBe(false);
    store().addNode(nodeType("transform.map"), { x: 600, y: 0 });
    expect(store().connect({ source: "branch", sourceHandle: "true", target: "map", targetHandle: "in" })).toBe(true);
    expect(wouldCreateCycle(store().edges, "map", "branch")).toBe(true);
  });

  it("undoes and redoes whole changes, and coalesces typing into one step", () => {
    const revision = store().revision;
    store().updateConfig("branch", { condition: { "==": [1, 1] } });
    store().updateConfig("branch", { condition: { "==": [1, 2] } });
    expect(store().revision).toBe(revision + 2);
    expect(store().past).toHaveLength(1);
    store().removeNodes(["hook"]);
    expect(store().document().nodes.map((node) => node.id)).toEqual(["branch"]);
    expect(store().document().edges).toEqual([]);
    store().undo();
    expect(store().document().nodes.map((node) => node.id)).toEqual(["hook", "branch"]);
    expect(store().document().edges).toEqual([{ source: "hook", target: "branch" }]);
    store().undo();
    expect(store().document().nodes[1].config).toEqual({});
    store().redo();
    expect(store().document().nodes[1].config).toEqual({ condition: { "==": [1, 2] } });
    store().redo();
    expect(store().document().nodes.map((node) => node.id)).toEqual(["branch"]);
  });

  it("removes the selection with the edges of removed nodes in one step", () => {
    store().select("branch");
    store().removeSelection();
    expect(store().document()).toMatchObject({ nodes: [{ id: "hook" }], edges: [] });
    expect(store().selectedNodeId).toBeNull();
    store().undo();
    expect(store().document().edges).toHaveLength(1);
  });

  it("renames nodes without touching their ids", () => {
    store().renameNode("branch", "Big order?");
    expect(store().document().nodes[1]).toMatchObject({ id: "branch", name: "Big order?" });
  });

  it("marks a node sensitive in the document, and unmarks it without leaving the key", () => {
    store().setSensitive("branch", true);
    expect(store().document().nodes[1]).toMatchObject({ id: "branch", sensitive: true });
    store().setSensitive("branch", false);
    expect(store().document().nodes[1]).not.toHaveProperty("sensitive");
    store().undo();
    expect(store().document().nodes[1]).toMatchObject({ sensitive: true });
  });

  it("lays the graph out left to right", () => {
    store().addNode(nodeType("transform.map"), { x: -500, y: 900 }, { connectFrom: { id: "branch", ports: ["true", "false"] } });
    store().autoLayout();
    const [hook, branch, map] = store().document().nodes;
    expect(hook.position!.x).toBeLessThan(branch.position!.x);
    expect(branch.position!.x).toBeLessThan(map.position!.x);
  });
});
