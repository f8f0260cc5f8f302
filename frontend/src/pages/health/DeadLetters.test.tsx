import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import type { Run, Step } from "../../api/types";
import { StepDetails } from "../../ui/StepDetails";
import { RunsPage } from "../RunsPage";
import { renderWithApp, stubApi } from "../runs/testing";

const FLOW = "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924";
const FIRST = "5e00a462-0fe1-42b9-9e01-1e64b0d9fc60";
const SECOND = "7a1b2c3d-0fe1-42b9-9e01-1e64b0d9fc61";

function run(id: string, status: Run["status"]): Run {
  return {
    id,
    flow: FLOW,
    version: 1,
    status,
    trigger: "webhook",
    correlation_id: `order-${id.slice(0, 4)}`,
    created_at: "2024-05-01T10:00:00Z",
    started_at: "2024-05-01T10:00:00Z",
    finished_at: "2024-05-01T10:00:02Z",
    error: status === "failed" ? "Step 'crm' (action.http) failed after 3 attempts: HTTP 503" : "",
    output: null,
    steps: [],
  };
}

function api(extra: Record<string, unknown> = {}) {
  return stubApi({
    "GET /api/v1/flows": { results: [{ id: FLOW, name: "Big orders" }], next: null },
    "GET /api/v1/runs": { results: [run(FIRST, "failed"), run(SECOND, "failed")], next: null },
    "GET /api/v1/me": meWith(["builder"]),
    ...extra,
  });
}

afterEach(() => vi.unstubAllGlobals());

describe("the failed-runs list", () => {
  it("is one click away, and only then offers to select runs", async () => {
    const calls = api();
    renderWithApp(<RunsPage />, { path: "/runs", route: "/runs" });
    await screen.findByRole("link", { name: "Run 5e00a462" });
    expect(screen.queryByRole("checkbox")).not.toBeInTheDocument();

    const quick = screen.getByRole("button", { name: "Failed runs" });
    expect(quick).toHaveAttribute("aria-pressed", "false");
    await userEvent.click(quick);
    expect(await screen.findByRole("checkbox", { name: "Select run 5e00a462" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Failed runs" })).toHaveAttribute("aria-pressed", "true");
    expect(calls.at(-1)?.url).toContain("status=failed");
  });

  it("replays the selected runs at once, from the failed step or from the start", async () => {
    const calls = api({
      "POST /api/v1/runs/replay": {
        replays: [
          { of: FIRST, run: { ...run("aaaaaaaa-0000-0000-0000-000000000001", "queued"), replay_of: FIRST } },
          { of: SECOND, run: { ...run("bbbbbbbb-0000-0000-0000-000000000002", "queued"), replay_of: SECOND } },
        ],
      },
    });
    renderWithApp(<RunsPage />, { path: "/runs", route: "/runs?status=failed" });
    const all = await screen.findByRole("checkbox", { name: "Select all runs on this page" });
    const replayFailed = screen.getByRole("button", { name: "Replay selected from failed step" });
    expect(replayFailed).toBeDisabled();

    // one box, then all of the page
    await userEvent.click(screen.getByRole("checkbox", { name: "Select run 7a1b2c3d" }));
    expect(screen.getByText(/of 2 runs selected/)).toHaveTextContent("1 of 2 runs selected");
    expect((all as HTMLInputElement).indeterminate).toBe(true);
    await userEvent.click(all);
    expect(screen.getByRole("checkbox", { name: "Select run 5e00a462" })).toBeChecked();
    expect(screen.getByText(/of 2 runs selected/)).toHaveTextContent("2 of 2 runs selected");

    await userEvent.click(replayFailed);
    const started = await screen.findByRole("status");
    expect(started).toHaveTextContent("2 replays started");
    expect(within(started).getByRole("link", { name: "Run aaaaaaaa, the replay of run 5e00a462" })).toHaveAttribute(
      "href",
      "/runs/aaaaaaaa-0000-0000-0000-000000000001",
    );
    const post = calls.find((call) => call.method === "POST");
    expect(post).toMatchObject({ url: "/api/v1/runs/replay", body: { runs: [FIRST, SECOND], from: "failed" } });
    // the selection is done with
    expect(screen.getByRole("checkbox", { name: "Select run 5e00a462" })).not.toBeChecked();

    await userEvent.click(screen.getByRole("checkbox", { name: "Select run 5e00a462" }));
    await userEvent.click(screen.getByRole("button", { name: "Replay selected from start" }));
    await vi.waitFor(() => expect(calls.filter((call) => call.method === "POST").at(-1)?.body).toEqual({ runs: [FIRST], from: "start" }));
  });

  it("names the runs the server refused to replay", async () => {
    api({
      "POST /api/v1/runs/replay": new Response(
        JSON.stringify({
          status: 409,
          title: "Conflict",
          detail: "1 of the runs are not finished; nothing was replayed.",
          errors: [{ node: null, field: "runs[0]", message: `Run ${FIRST} is running; only a finished run can be replayed.` }],
        }),
        { status: 409, headers: { "Content-Type": "application/problem+json" } },
      ),
    });
    renderWithApp(<RunsPage />, { path: "/runs", route: "/runs?status=failed" });
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select run 5e00a462" }));
    await userEvent.click(screen.getByRole("button", { name: "Replay selected from failed step" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("nothing was replayed");
    expect(alert).toHaveTextContent(`runs[0]: Run ${FIRST} is running`);
  });
});

describe("a step's attempt history", () => {
  it("lists every attempt with its time, result and error", () => {
    const step = {
      node: "crm",
      node_type: "action.http",
      status: "failed",
      attempts: 2,
      input: { email: "a@example.com" },
      output: null,
      error: "HTTP 503",
      attempt_log: [
        { attempt: 1, status: "retrying", started_at: "2024-05-01T10:00:00Z", finished_at: "2024-05-01T10:00:00.350Z", error: "timeout after 30 s" },
        { attempt: 2, status: "failed", started_at: "2024-05-01T10:00:02Z", finished_at: "2024-05-01T10:00:03.5Z", error: "HTTP 503" },
      ],
    } as unknown as Step;
    render(<StepDetails step={step} />);
    const table = screen.getByRole("table", { name: "Attempts" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("1");
    expect(rows[0]).toHaveTextContent("350 ms");
    expect(rows[0]).toHaveTextContent("timeout after 30 s");
    expect(rows[0]).toHaveTextContent("Failed, retried");
    expect(rows[1]).toHaveTextContent("1.50 s");
    expect(rows[1]).toHaveTextContent("Failed");
  });

  it("is left out for a step without one", () => {
    render(<StepDetails step={{ node: "a", node_type: "transform.map", status: "succeeded", input: {}, output: {} } as Step} />);
    expect(screen.queryByRole("table", { name: "Attempts" })).not.toBeInTheDocument();
  });
});
