import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import type { Run } from "../../api/types";
import { RunActions } from "./RunActions";
import { renderWithApp, stubApi } from "./testing";

function run(status: Run["status"]): Run {
  return {
    id: "5e00a462-0fe1-42b9-9e01-1e64b0d9fc60",
    flow: "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924",
    version: 1,
    status,
    trigger: "webhook",
    correlation_id: "order-150",
    created_at: "2024-05-01T10:00:00Z",
    output: null,
    steps: [],
  };
}

afterEach(() => vi.unstubAllGlobals());

describe("RunActions", () => {
  it("offers a replay from the failed step only for a failed run, and no cancel", async () => {
    stubApi({ "/api/v1/me": meWith(["builder"]) });
    renderWithApp(<RunActions run={run("failed")} />);
    expect(await screen.findByRole("button", { name: "Replay from failed step" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Replay from start" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel run" })).not.toBeInTheDocument();
  });

  it.each(["queued", "running", "waiting"] as const)("lets a %s run be cancelled", async (status) => {
    stubApi({ "/api/v1/me": meWith(["builder"]) });
    renderWithApp(<RunActions run={run(status)} />);
    expect(await screen.findByRole("button", { name: "Cancel run" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Replay from failed step" })).not.toBeInTheDocument();
  });

  it("shows the server's reason when a replay is refused", async () => {
    stubApi({
      "POST /api/v1/runs/": new Response(JSON.stringify({ status: 409, title: "Conflict", detail: "This run cannot be replayed yet." }), {
        status: 409,
        headers: { "Content-Type": "application/problem+json" },
      }),
      "/api/v1/me": meWith(["builder"]),
    });
    renderWithApp(<RunActions run={run("succeeded")} />);
    await userEvent.click(await screen.findByRole("button", { name: "Replay from start" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This run cannot be replayed yet.");
  });

  it("asks for a replay from the failed step and opens the new run", async () => {
    const calls = stubApi({ "POST /api/v1/runs/": { ...run("queued"), id: "11111111-2222-3333-4444-555555555555" }, "/api/v1/me": meWith(["builder"]) });
    renderWithApp(<RunActions run={run("failed")} />, { path: "/runs/5e00a462-0fe1-42b9-9e01-1e64b0d9fc60", route: "/runs/5e00a462-0fe1-42b9-9e01-1e64b0d9fc60" });
    await userEvent.click(await screen.findByRole("button", { name: "Replay from failed step" }));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument();
    expect(calls.find((call) => call.method === "POST")).toMatchObject({ method: "POST", url: "/api/v1/runs/5e00a462-0fe1-42b9-9e01-1e64b0d9fc60/replay", body: { from: "failed" } });
  });
});
