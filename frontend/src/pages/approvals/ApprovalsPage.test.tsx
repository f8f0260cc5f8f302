import { screen } from "@testing-library/react";
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
});
