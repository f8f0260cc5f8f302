import { describe, expect, it } from "vitest";
import type { FlowDocument, Step } from "../../api/types";
import { defaultStepNode, notRunLabel, stepRows, takenEdgeIds } from "./runGraph";

function step(node: string, status: Step["status"], port: string | null = "out"): Step {
  return { node, node_type: "transform.map", status, attempts: 1, input: null, output: null, port, attempt_log: [], masked: false };
}

const document: FlowDocument = {
  nodes: [
    { id: "order", type: "trigger.webhook" },
    { id: "check", type: "transform.branch", name: "Is it big?" },
    { id: "crm", type: "action.http" },
    { id: "mail", type: "action.email" },
  ],
  edges: [
    { source: "order", target: "check" },
    { source: "check", target: "crm", sourcePort: "true" },
    { source: "check", target: "mail", sourcePort: "false" },
  ],
};

describe("takenEdgeIds", () => {
  it("marks the edges a run went along, by the port it left through", () => {
    const run = { steps: [step("order", "succeeded"), step("check", "succeeded", "true"), step("crm", "succeeded"), step("mail", "skipped", null)] };
    expect([...takenEdgeIds(run, document)].sort()).toEqual(["check:true->crm", "order:out->check"]);
  });

  it("marks nothing past a failed step", () => {
    const run = { steps: [step("order", "succeeded"), step("check", "failed", null)] };
    expect([...takenEdgeIds(run, document)]).toEqual(["order:out->check"]);
  });

  it("marks nothing without a run or a document", () => {
    expect(takenEdgeIds(null, document).size).toBe(0);
    expect(takenEdgeIds({ steps: [] }, null).size).toBe(0);
  });
});

describe("stepRows", () => {
  it("lists steps as they ran, then the nodes not reached", () => {
    const run = { steps: [step("order", "succeeded"), step("check", "running")] };
    const rows = stepRows(run, document);
    expect(rows.map((row) => [row.node, row.step?.status ?? null])).toEqual([
      ["order", "succeeded"],
      ["check", "running"],
      ["crm", null],
      ["mail", null],
    ]);
    expect(rows[1].name).toBe("Is it big?");
    expect(rows[2].nodeType).toBe("action.http");
  });

  it("keeps steps of nodes the document no longer has", () => {
    const rows = stepRows({ steps: [step("gone", "succeeded")] }, document);
    expect(rows[0]).toMatchObject({ node: "gone", inDocument: false });
  });
});

describe("defaultStepNode", () => {
  it("opens the failed step first, then a running one", () => {
    expect(defaultStepNode({ steps: [step("order", "succeeded"), step("check", "failed")] })).toBe("check");
    expect(defaultStepNode({ steps: [step("order", "succeeded"), step("check", "waiting")] })).toBe("check");
    expect(defaultStepNode({ steps: [step("order", "succeeded")] })).toBeNull();
  });

  it("says whether a node is still to come", () => {
    expect(notRunLabel("running")).toBe("Not started");
    expect(notRunLabel("failed")).toBe("Not reached");
  });
});
