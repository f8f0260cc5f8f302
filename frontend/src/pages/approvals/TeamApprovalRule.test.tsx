import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TeamDetail } from "../../api/types";
import { renderWithApp, stubApi } from "../runs/testing";
import { TeamApprovalRule } from "./TeamApprovalRule";

afterEach(() => vi.unstubAllGlobals());

const sales: TeamDetail = {
  id: 10,
  name: "Sales",
  scim_managed: true,
  member_count: 2,
  roles: [],
  is_default: false,
  required_approvals: 1,
  members: [],
};

describe("TeamApprovalRule", () => {
  it("shows the team's rule and asks for two approvals when chosen", async () => {
    const calls = stubApi({ "PATCH /api/v1/teams/10": { ...sales, required_approvals: 2 } });
    renderWithApp(<TeamApprovalRule team={sales} />);
    expect(screen.getByRole("radio", { name: /One approval/ })).toBeChecked();
    await userEvent.click(screen.getByRole("radio", { name: /Two approvals/ }));
    await vi.waitFor(() =>
      expect(calls).toContainEqual({ method: "PATCH", url: "/api/v1/teams/10", body: { required_approvals: 2 } }),
    );
  });

  it("says why a change was refused", async () => {
    stubApi({
      "PATCH /api/v1/teams/10": new Response(JSON.stringify({ status: 403, title: "Forbidden", detail: "This needs the admin scope." }), {
        status: 403,
        headers: { "Content-Type": "application/problem+json" },
      }),
    });
    renderWithApp(<TeamApprovalRule team={sales} />);
    await userEvent.click(screen.getByRole("radio", { name: /Two approvals/ }));
    expect(await screen.findByText("The rule could not be changed.")).toBeInTheDocument();
  });
});
