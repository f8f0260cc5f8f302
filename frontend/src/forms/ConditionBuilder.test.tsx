import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { ConditionBuilder } from "./ConditionBuilder";

function Harness({ initial }: { initial?: unknown }) {
  const [value, setValue] = useState<unknown>(initial);
  return (
    <>
      <ConditionBuilder value={value} onChange={setValue} paths={[{ path: "input.total", group: "Input" }]} />
      <output data-testid="logic">{JSON.stringify(value) ?? ""}</output>
    </>
  );
}

const logic = () => JSON.parse(screen.getByTestId("logic").textContent || "null") as unknown;

describe("the condition builder", () => {
  it("shows an existing condition as rules", () => {
    render(<Harness initial={{ and: [{ ">": [{ var: "input.total" }, 100] }, { "==": [{ var: "input.country" }, "NL"] }] }} />);
    const rules = screen.getAllByRole("group", { name: /^Rule \d$/ });
    expect(rules).toHaveLength(2);
    expect(within(rules[0]).getByLabelText("Field")).toHaveValue("input.total");
    expect(within(rules[0]).getByLabelText("Operator")).toHaveValue(">");
    expect(within(rules[0]).getByLabelText("Value")).toHaveValue("100");
    expect(within(rules[1]).getByLabelText("Value")).toHaveValue("NL");
  });

  it("builds an or group with a nested and group", async () => {
    render(<Harness />);
    await userEvent.click(screen.getByRole("button", { name: "Add rule" }));
    const first = screen.getByRole("group", { name: "Rule 1" });
    fireEvent.change(within(first).getByLabelText("Field"), { target: { value: "input.country" } });
    fireEvent.change(within(first).getByLabelText("Value"), { target: { value: "NL" } });
    expect(logic()).toEqual({ "==": [{ var: "input.country" }, "NL"] });

    await userEvent.selectOptions(screen.getAllByLabelText("Match")[0], "or");
    await userEvent.click(screen.getAllByRole("button", { name: "Add group" })[0]);
    const nested = screen.getByRole("group", { name: "Rule group" });
    fireEvent.change(within(nested).getByLabelText("Field"), { target: { value: "input.total" } });
    await userEvent.selectOptions(within(nested).getByLabelText("Operator"), ">=");
    fireEvent.change(within(nested).getByLabelText("Value"), { target: { value: "50" } });
    await userEvent.click(within(nested).getByRole("button", { name: "Add rule" }));
    const second = within(nested).getByRole("group", { name: "Rule 2" });
    fireEvent.change(within(second).getByLabelText("Field"), { target: { value: "input.vip" } });
    await userEvent.selectOptions(within(second).getByLabelText("Operator"), "truthy");

    expect(logic()).toEqual({
      or: [{ "==": [{ var: "input.country" }, "NL"] }, { and: [{ ">=": [{ var: "input.total" }, 50] }, { "!!": { var: "input.vip" } }] }],
    });

    await userEvent.click(within(nested).getByRole("button", { name: "Remove group" }));
    expect(logic()).toEqual({ or: [{ "==": [{ var: "input.country" }, "NL"] }] });
  });

  it("writes lists for 'is one of' and paths for {{ }} values", async () => {
    render(<Harness />);
    await userEvent.click(screen.getByRole("button", { name: "Add rule" }));
    fireEvent.change(screen.getByLabelText("Field"), { target: { value: "input.country" } });
    await userEvent.selectOptions(screen.getByLabelText("Operator"), "in");
    fireEvent.change(screen.getByLabelText("Value"), { target: { value: "NL, BE" } });
    expect(logic()).toEqual({ in: [{ var: "input.country" }, ["NL", "BE"]] });
    await userEvent.selectOptions(screen.getByLabelText("Operator"), "==");
    fireEvent.change(screen.getByLabelText("Value"), { target: { value: "{{ trigger.body.country }}" } });
    expect(logic()).toEqual({ "==": [{ var: "input.country" }, { var: "trigger.body.country" }] });
  });

  it("edits raw JsonLogic, and the builder follows", async () => {
    render(<Harness initial={{ ">": [{ var: "input.total" }, 100] }} />);
    await userEvent.click(screen.getByRole("tab", { name: "JsonLogic" }));
    const raw = screen.getByLabelText("Condition as JsonLogic");
    fireEvent.change(raw, { target: { value: '{"<": [{"var": "input.total"}, 10' } });
    expect(screen.getByText(/Not valid JSON yet/)).toBeInTheDocument();
    expect(logic()).toEqual({ ">": [{ var: "input.total" }, 100] });
    fireEvent.change(raw, { target: { value: '{"<": [{"var": "input.total"}, 10]}' } });
    expect(logic()).toEqual({ "<": [{ var: "input.total" }, 10] });
    await userEvent.click(screen.getByRole("tab", { name: "Builder" }));
    expect(screen.getByLabelText("Operator")).toHaveValue("<");
    expect(screen.getByLabelText("Value")).toHaveValue("10");
  });
});
