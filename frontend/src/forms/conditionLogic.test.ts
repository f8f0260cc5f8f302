import { describe, expect, it } from "vitest";
import {
  emptyCondition,
  fromJsonLogic,
  newRule,
  textToValue,
  toJsonLogic,
  valueToText,
  type ConditionGroup,
} from "./conditionLogic";

/** Round trip: JsonLogic → builder model → JsonLogic gives back the same rule. */
const representable: [string, unknown][] = [
  ["a comparison", { ">": [{ var: "trigger.body.total" }, 100] }],
  ["equality with text", { "==": [{ var: "input.land" }, "NL"] }],
  ["a comparison with another path", { "<=": [{ var: "input.paid" }, { var: "input.total" }] }],
  ["contains", { in: ["vip", { var: "input.tags" }] }],
  ["does not contain", { "!": { in: ["spam", { var: "input.subject" }] } }],
  ["is one of", { in: [{ var: "input.country" }, ["NL", "BE", "DE"]] }],
  ["is not one of", { "!": { in: [{ var: "input.country" }, ["FR"]] } }],
  ["has a value", { "!!": { var: "input.email" } }],
  ["is empty", { "!": { var: "input.email" } }],
  ["an and group", { and: [{ ">": [{ var: "input.total" }, 100] }, { "==": [{ var: "input.paid" }, true] }] }],
  [
    "nested groups",
    {
      or: [
        { "==": [{ var: "input.country" }, "NL"] },
        { and: [{ ">=": [{ var: "input.total" }, 50] }, { "!=": [{ var: "input.status" }, null] }] },
      ],
    },
  ],
  ["a negated group", { "!": { or: [{ "==": [{ var: "a" }, 1] }, { "==": [{ var: "b" }, 2] }] } }],
  ["a negated rule", { "!": { ">": [{ var: "a" }, 1] } }],
  ["an and with one rule", { and: [{ "==": [{ var: "a" }, 1] }] }],
];

describe("condition builder ↔ JsonLogic", () => {
  it.each(representable)("round-trips %s", (_name, logic) => {
    const model = fromJsonLogic(logic);
    expect(model).not.toBeNull();
    expect(toJsonLogic(model!)).toEqual(logic);
  });

  it.each([
    ["a var with a default", { "==": [{ var: ["input.total", 0] }, 1] }],
    ["arithmetic", { ">": [{ "*": [{ var: "input.total" }, 1.21] }, 100] }],
    ["between", { "<": [1, { var: "x" }, 10] }],
    ["a literal on the left", { ">": [100, { var: "input.total" }] }],
    ["a Switchboard extension", { exists: "input.email" }],
    ["a plain value", true],
    ["an if", { if: [{ var: "a" }, true, false] }],
  ])("leaves %s to the raw JsonLogic editor", (_name, logic) => {
    expect(fromJsonLogic(logic)).toBeNull();
  });

  it("starts empty when there is no condition, and writes nothing until a rule exists", () => {
    const model = fromJsonLogic(undefined);
    expect(model).toEqual(expect.objectContaining({ kind: "group", combinator: "and", rules: [] }));
    expect(toJsonLogic(model!)).toBeUndefined();
  });

  it("writes a single rule bare, and wraps it once a second rule joins", () => {
    const root: ConditionGroup = { ...emptyCondition(), rules: [{ ...newRule("input.total"), operator: ">", value: 10 }] };
    expect(toJsonLogic(root)).toEqual({ ">": [{ var: "input.total" }, 10] });
    const two: ConditionGroup = { ...root, combinator: "or", rules: [...root.rules, { ...newRule("input.vip"), operator: "truthy" }] };
    expect(toJsonLogic(two)).toEqual({ or: [{ ">": [{ var: "input.total" }, 10] }, { "!!": { var: "input.vip" } }] });
  });

  it("uses only standard JsonLogic operators", () => {
    const operators = new Set<string>();
    const collect = (logic: unknown) => {
      if (Array.isArray(logic)) logic.forEach(collect);
      else if (logic && typeof logic === "object") {
        for (const [key, value] of Object.entries(logic)) {
          operators.add(key);
          collect(value);
        }
      }
    };
    const root: ConditionGroup = {
      ...emptyCondition(),
      implicit: false,
      rules: (["==", "!=", ">", ">=", "<", "<=", "contains", "notContains", "in", "notIn", "truthy", "falsy"] as const).map((operator) => ({
        ...newRule("input.x"),
        operator,
        value: operator === "in" || operator === "notIn" ? ["a"] : "a",
      })),
    };
    collect(toJsonLogic(root));
    expect([...operators].sort()).toEqual(["!", "!!", "!=", "<", "<=", "==", ">", ">=", "and", "in", "var"].sort());
  });
});

describe("rule values as text", () => {
  it.each([
    ["42", 42],
    ["4.5", 4.5],
    ["true", true],
    ["null", null],
    ['"42"', "42"],
    ["NL", "NL"],
    ["hello world", "hello world"],
    ["{{ trigger.body.total }}", { var: "trigger.body.total" }],
  ])("reads %j as %j and shows it the same way", (text, value) => {
    expect(textToValue(text)).toEqual(value);
    expect(valueToText(value)).toBe(text);
  });

  it("reads lists from commas, and keeps tricky lists as JSON", () => {
    expect(textToValue("NL, BE, 3", true)).toEqual(["NL", "BE", 3]);
    expect(valueToText(["NL", "BE", 3], true)).toBe("NL, BE, 3");
    expect(valueToText(["a, b", "c"], true)).toBe('["a, b","c"]');
    expect(textToValue('["a, b","c"]', true)).toEqual(["a, b", "c"]);
  });
});
