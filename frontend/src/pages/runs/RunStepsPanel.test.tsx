import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Run, Step } from "../../api/types";
import { RunStepsPanel } from "./RunStepsPanel";
import type { StepRow } from "./runGraph";
import { renderWithApp } from "./testing";

afterEach(() => vi.unstubAllGlobals());

function step(node: string, masked: boolean, output: unknown): Step {
  return { node, node_type: "transform.map", status: "succeeded", attempts: 1, input: null, output, port: "out", attempt_log: [], masked };
}

const rows: StepRow[] = [
  { node: "salary", nodeType: "transform.map", step: step("salary", true, { iban: "••••" }), inDocument: true } as StepRow,
  { node: "done", nodeType: "transform.map", step: step("done", false, { ok: true }), inDocument: true } as StepRow,
];
const run = { id: "r1", status: "succeeded", output: { ok: true }, steps: rows.map((row) => row.step) } as unknown as Run;

describe("RunStepsPanel", () => {
  it("says a masked step is hidden, and only that one", async () => {
    const onSelect = vi.fn();
    const { rerender } = renderWithApp(<RunStepsPanel run={run} rows={rows} nodeTypes={new Map()} selected="salary" onSelect={onSelect} />);
    expect(screen.getByRole("note")).toHaveTextContent("Hidden: sensitive step (admins only).");
    expect(screen.getByRole("button", { name: "Step salary" })).toHaveTextContent("hidden (sensitive)");
    expect(screen.getByRole("button", { name: "Step done" })).not.toHaveTextContent("hidden");
    rerender(<RunStepsPanel run={run} rows={rows} nodeTypes={new Map()} selected="done" onSelect={onSelect} />);
    expect(screen.queryByText(/Hidden: sensitive step/)).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Step salary" }));
    expect(onSelect).toHaveBeenCalledWith("salary");
  });
});
