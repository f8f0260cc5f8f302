import { describe, expect, it } from "vitest";
import type { FlowNode } from "../../api/types";
import { baseHighlights, changeCount, describeDiff, diffHighlights, diffLines, foldDiff, foldRuleChanges, formatValue, type FlowDiff } from "./versionDiff";

const titles = new Map([
  ["transform.map", { title: "Map" }],
  ["transform.filter", { title: "Filter" }],
  ["action.http", { title: "HTTP request" }],
  ["action.email", { title: "Send e-mail" }],
]);

const diff: FlowDiff = {
  from_version: 1,
  to_version: 2,
  nodes: {
    added: [{ id: "shape", type: "transform.map", config: {} }],
    removed: [{ id: "mail", type: "action.email", config: {} }],
    changed: [
      {
        id: "big",
        type: "transform.filter",
        changes: [
          { path: "config.condition", old: { ">": [{ var: "trigger.body.total" }, 100] }, new: { ">": [{ var: "trigger.body.total" }, 250] }, kind: "changed" },
          { path: "name", old: null, new: "Only big ones", kind: "added" },
          { path: "config.retry", old: { max_attempts: 3 }, new: null, kind: "removed" },
        ],
      },
    ],
  },
  edges: {
    added: [{ source: "big", target: "shape", sourcePort: "true" }],
    removed: [{ source: "big", target: "crm" }],
  },
};

describe("describeDiff", () => {
  it("says every change in plain words", () => {
    expect(describeDiff(diff, titles).map((line) => line.text)).toEqual([
      "Added node 'shape' (Map)",
      `Filter 'big': config.condition changed from {">":[{"var":"trigger.body.total"},100]} to {">":[{"var":"trigger.body.total"},250]}`,
      `Filter 'big': name set to "Only big ones"`,
      `Filter 'big': config.retry removed (was {"max_attempts":3})`,
      "Removed node 'mail' (Send e-mail)",
      "Added edge big (true) → shape",
      "Removed edge big → crm",
    ]);
  });

  it("tells which lines point at a node on the canvas", () => {
    const lines = describeDiff(diff, titles);
    expect(lines.map((line) => [line.tone, line.node])).toEqual([
      ["added", "shape"],
      ["changed", "big"],
      ["changed", "big"],
      ["changed", "big"],
      ["removed", null],
      ["added", null],
      ["removed", null],
    ]);
  });

  it("marks paths and values for a code font, keeping the same sentence", () => {
    const changed = describeDiff(diff, titles)[2];
    expect(changed.parts).toEqual([
      { text: "Filter 'big': " },
      { text: "name", code: true },
      { text: " set to " },
      { text: '"Only big ones"', code: true },
    ]);
    expect(changed.parts.map((part) => part.text).join("")).toBe(changed.text);
  });

  it("names types it has no title for after their last part", () => {
    const lines = describeDiff({ ...diff, nodes: { added: [{ id: "x", type: "vendor.crm_push" }], removed: [], changed: [] }, edges: { added: [], removed: [] } });
    expect(lines[0].text).toBe("Added node 'x' (Crm_push)");
  });
});

describe("diffHighlights", () => {
  it("marks added nodes and changed nodes, never removed ones", () => {
    expect(diffHighlights(diff)).toEqual({ shape: "added", big: "changed" });
    expect(diffHighlights(null)).toEqual({});
  });

  it("counts changes", () => {
    expect(changeCount(diff)).toBe(5);
  });
});

describe("formatValue", () => {
  it("quotes strings, prints JSON compactly and cuts long values", () => {
    expect(formatValue("a")).toBe('"a"');
    expect(formatValue(3)).toBe("3");
    expect(formatValue(null)).toBe("null");
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatValue("x".repeat(200), 10)).toHaveLength(10);
  });
});

describe("folding rule changes", () => {
  const before: FlowNode = { id: "big", type: "transform.filter", config: { condition: { ">": [{ var: "trigger.body.total" }, 100] }, fields: { a: 1, b: { "*": [2, 3] } } } };
  const after: FlowNode = { id: "big", type: "transform.filter", config: { condition: { "<": [{ var: "trigger.body.total" }, 250] }, fields: { a: 2, b: { "*": [2, 4] } } } };

  it("shows a rule whole instead of key by key", () => {
    const folded = foldRuleChanges(
      [
        { path: "config.condition.<", old: null, new: [{ var: "trigger.body.total" }, 250], kind: "added" },
        { path: "config.condition.>", old: [{ var: "trigger.body.total" }, 100], new: null, kind: "removed" },
        { path: "config.fields.a", old: 1, new: 2, kind: "changed" },
        { path: "config.fields.b.*", old: [2, 3], new: [2, 4], kind: "changed" },
      ],
      before,
      after,
    );
    expect(folded).toEqual([
      { path: "config.condition", old: before.config!.condition, new: after.config!.condition, kind: "changed" },
      { path: "config.fields.a", old: 1, new: 2, kind: "changed" },
      { path: "config.fields.b", old: { "*": [2, 3] }, new: { "*": [2, 4] }, kind: "changed" },
    ]);
  });

  it("leaves changes as they are without both nodes", () => {
    const changes = [{ path: "config.condition.>", old: 1, new: 2, kind: "changed" as const }];
    expect(foldRuleChanges(changes, null, after)).toBe(changes);
  });

  it("folds a whole diff", () => {
    const raw: FlowDiff = {
      from_version: 1,
      to_version: 2,
      nodes: { added: [], removed: [], changed: [{ id: "big", type: "transform.filter", changes: [{ path: "config.condition.>", old: 1, new: null, kind: "removed" }] }] },
      edges: { added: [], removed: [] },
    };
    const folded = foldDiff(raw, [before], [after]);
    expect(folded.nodes.changed[0].changes[0].path).toBe("config.condition");
    expect(foldDiff(raw, null, [after])).toBe(raw);
  });
});

describe("the server's sentences", () => {
  const server: FlowDiff = {
    ...diff,
    nodes: { ...diff.nodes, renamed: [{ id: "crm", from: "crm", to: "Notify CRM" }] },
    summary: ["Filter 'big' now checks total > 250 instead of total > 100", "Removed Send e-mail 'mail'"],
    details: [
      { text: "Filter 'big' now checks total > 250 instead of total > 100", kind: "changed", subject: "node", node: "big" },
      { text: "Removed Send e-mail 'mail'", kind: "removed", subject: "node", node: null },
    ],
  };

  it("are the lines when the server sent them, our own otherwise", () => {
    expect(diffLines(server).map((line) => [line.tone, line.node, line.text])).toEqual([
      ["changed", "big", "Filter 'big' now checks total > 250 instead of total > 100"],
      ["removed", null, "Removed Send e-mail 'mail'"],
    ]);
    expect(diffLines(diff, titles)[0].text).toBe("Added node 'shape' (Map)");
  });

  it("colour both sides: removed and changed on the older, added and changed on the newer", () => {
    expect(baseHighlights(server)).toEqual({ big: "changed", crm: "changed", mail: "removed" });
    expect(diffHighlights(server)).toEqual({ big: "changed", crm: "changed", shape: "added" });
  });
});
