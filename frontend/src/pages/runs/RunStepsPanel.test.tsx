import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { approvalTask } from "../../api/approvalTasks.fixture";
import type { Run, Step } from "../../api/types";
import { RunStepsPanel } from "./RunStepsPanel";
import type { StepRow } from "./runGraph";
import { renderWithApp, stubApi } from "./testing";

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

  it("puts the decision box on a step waiting for an approval the person may decide", async () => {
    const task = approvalTask();
    const waiting: Step = { node: "manager_ok", node_type: "transform.approval", status: "waiting", attempts: 1, input: { order: 1234 }, output: null, port: null, attempt_log: [], masked: false };
    const waitingRun = { id: task.run, status: "running", output: null, steps: [waiting] } as unknown as Run;
    const waitingRows = [{ node: "manager_ok", nodeType: "transform.approval", step: waiting, inDocument: true } as StepRow];
    const calls = stubApi({
      [`POST /api/v1/approval-tasks/${task.id}/decide`]: { ...task, state: "rejected" },
      "/api/v1/approval-tasks": { results: [approvalTask({ id: "someone-elses", node: "other" }), task], next: null },
    });
    renderWithApp(<RunStepsPanel run={waitingRun} rows={waitingRows} nodeTypes={new Map()} selected="manager_ok" onSelect={vi.fn()} />);
    const box = await screen.findByRole("region", { name: "Refund over 500 €" });
    expect(calls[0].url).toBe(`/api/v1/approval-tasks?state=pending&run=${task.run}`);
    await userEvent.type(screen.getByLabelText(/Comment/), "Too much");
    await userEvent.click(screen.getByRole("button", { name: "Reject" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "POST")).toEqual({
      method: "POST",
      url: `/api/v1/approval-tasks/${task.id}/decide`,
      body: { decision: "reject", comment: "Too much" },
    }));
    expect(box).toBeInTheDocument();
  });

  it("says when an approval is someone else's to decide", async () => {
    const waiting: Step = { node: "cfo_ok", node_type: "transform.approval", status: "waiting", attempts: 1, input: null, output: null, port: null, attempt_log: [], masked: false };
    stubApi({ "/api/v1/approval-tasks": { results: [], next: null } });
    renderWithApp(
      <RunStepsPanel
        run={{ id: "r2", status: "running", output: null, steps: [waiting] } as unknown as Run}
        rows={[{ node: "cfo_ok", nodeType: "transform.approval", step: waiting, inDocument: true } as StepRow]}
        nodeTypes={new Map()}
        selected="cfo_ok"
        onSelect={vi.fn()}
      />,
    );
    expect(await screen.findByText(/not yours to decide/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
  });
});
