import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { approvalTask } from "../../api/approvalTasks.fixture";
import { ApprovalsPage } from "../ApprovalsPage";
import { renderWithApp, stubApi } from "../runs/testing";

afterEach(() => vi.unstubAllGlobals());

const me = { username: "carol", email: "", roles: ["approver"], teams: [] };

describe("ApprovalsPage", () => {
  it("says when nothing waits", async () => {
    stubApi({ "/api/v1/versions": { results: [], next: null }, "/api/v1/me": me });
    renderWithApp(<ApprovalsPage />);
    expect(await screen.findByRole("heading", { name: "Nothing waits for your decision" })).toBeInTheDocument();
  });

  it("links each waiting version to its review", async () => {
    const calls = stubApi({
      "/api/v1/versions": {
        results: [
          { flow: "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924", flow_name: "Big orders", number: 2, state: "pending", author: "bob", note: "Send to the CRM", graph: { nodes: [], edges: [] }, created_at: "2024-05-01T10:00:00Z" },
        ],
        next: null,
      },
      "/api/v1/me": me,
    });
    renderWithApp(<ApprovalsPage />);
    const review = await screen.findByRole("link", { name: "Review Big orders version 2" });
    expect(review).toHaveAttribute("href", "/flows/ef8fc7ef-2c61-46a6-ac6f-43d8526c1924/versions/2");
    expect(screen.getByText("Send to the CRM")).toBeInTheDocument();
    expect(calls.some((call) => call.url === "/api/v1/versions?state=pending")).toBe(true);
  });

  it("shows each waiting version's team, age and approvals so far", async () => {
    stubApi({
      "/api/v1/versions": {
        results: [
          {
            flow: "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924",
            flow_name: "Big orders",
            number: 3,
            state: "pending",
            author: "bob",
            note: "",
            graph: { nodes: [], edges: [] },
            created_at: new Date(Date.now() - 2 * 3600_000).toISOString(),
            team: { id: 10, name: "Sales" },
            required_approvals: 2,
            approvals: [{ by: "carol", at: "2024-05-01T11:00:00Z", comment: "", self_approved: false, fewer_deciders: false }],
            rejections: [],
            rollback_of: 1,
            self_approval_allowed: false,
          },
        ],
        next: null,
      },
      "/api/v1/me": me,
    });
    renderWithApp(<ApprovalsPage />);
    const row = (await screen.findByRole("link", { name: "Review Big orders version 3" })).closest("tr")!;
    const cells = within(row).getAllByRole("cell").map((cell) => cell.textContent);
    expect(cells).toContain("Sales");
    expect(cells).toContain("1 of 2you approved");
    expect(cells.some((text) => /2 hours ago/.test(text ?? ""))).toBe(true);
    expect(within(row).getByText("roll back to v1")).toBeInTheDocument();
  });

  it("lists the runs waiting for the person's decision, and approves one with a comment", async () => {
    const task = approvalTask();
    const calls = stubApi({
      [`POST /api/v1/approval-tasks/${task.id}/decide`]: { ...task, state: "approved", decided_by: "carol", comment: "Checked the order" },
      "/api/v1/approval-tasks": { results: [task], next: null },
      "/api/v1/versions": { results: [], next: null },
      "/api/v1/me": me,
    });
    renderWithApp(<ApprovalsPage />);
    const section = await screen.findByRole("region", { name: "Waiting for your decision in runs" });
    const card = await within(section).findByRole("article", { name: "Refund over 500 € in Refunds" });
    expect(card).toHaveTextContent("Order 1234 asks for a refund of 750 €.");
    expect(card).toHaveTextContent("Decided by anyone with the approver role");
    expect(within(card).getByRole("link", { name: "run 5e00a462" })).toHaveAttribute("href", `/runs/${task.run}?step=manager_ok`);
    expect(within(card).getByLabelText("Data")).toHaveTextContent('"amount": 750');
    expect(calls.some((call) => call.url === "/api/v1/approval-tasks?state=pending")).toBe(true);

    await userEvent.type(within(card).getByLabelText(/Comment/), "Checked the order");
    await userEvent.click(within(card).getByRole("button", { name: "Approve" }));
    await vi.waitFor(() => expect(calls.some((call) => call.method === "POST")).toBe(true));
    expect(calls.find((call) => call.method === "POST")).toEqual({
      method: "POST",
      url: `/api/v1/approval-tasks/${task.id}/decide`,
      body: { decision: "approve", comment: "Checked the order" },
    });
  });

  it("rejects, and shows the server's answer when someone decided first", async () => {
    const task = approvalTask({ assignee: "carol", role: null });
    const calls = stubApi({
      [`POST /api/v1/approval-tasks/${task.id}/decide`]: new Response(
        JSON.stringify({ status: 409, title: "Conflict", detail: "This task was already approved by dave." }),
        { status: 409, headers: { "Content-Type": "application/problem+json" } },
      ),
      "/api/v1/approval-tasks": { results: [task], next: null },
      "/api/v1/versions": { results: [], next: null },
      "/api/v1/me": me,
    });
    renderWithApp(<ApprovalsPage />);
    const card = await screen.findByRole("article", { name: "Refund over 500 € in Refunds" });
    expect(card).toHaveTextContent("Decided by carol");
    await userEvent.click(within(card).getByRole("button", { name: "Reject" }));
    expect(await within(card).findByRole("alert")).toHaveTextContent("This task was already approved by dave.");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ decision: "reject" });
  });

  it("says when no run waits for a decision", async () => {
    stubApi({ "/api/v1/approval-tasks": { results: [], next: null }, "/api/v1/versions": { results: [], next: null }, "/api/v1/me": me });
    renderWithApp(<ApprovalsPage />);
    const section = await screen.findByRole("region", { name: "Waiting for your decision in runs" });
    expect(await within(section).findByText(/No run waits for your decision/)).toBeInTheDocument();
  });
});
