import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
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
});
