import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import type { Person, Team, TeamDetail } from "../../api/types";
import { renderWithApp, stubApi } from "../runs/testing";
import { TeamsPage } from "../TeamsPage";

afterEach(() => vi.unstubAllGlobals());

const admin = meWith(["admin"]);

const sales: Team = { id: 10, name: "Sales", scim_managed: false, member_count: 1, roles: ["builder"], is_default: false, required_approvals: 1 };
const approvers: Team = { id: 11, name: "Approvers", scim_managed: true, member_count: 2, roles: ["approver"], is_default: false, required_approvals: 1 };
const everyone: Team = { id: 1, name: "Everyone", scim_managed: false, member_count: 0, roles: [], is_default: true, required_approvals: 1 };

const salesDetail: TeamDetail = { ...sales, members: [{ id: 2, username: "bob", display_name: "Bob Builder", source: "local" }] };
const approversDetail: TeamDetail = {
  ...approvers,
  members: [
    { id: 3, username: "carol", display_name: "Carol", source: "scim" },
    { id: 5, username: "dave", display_name: "", source: "oidc" },
  ],
};

const erin: Person = {
  id: 6,
  username: "erin",
  email: "erin@example.com",
  display_name: "Erin",
  active: true,
  roles: [],
  direct_roles: [],
  teams: [],
  scim_managed: false,
  is_service_account: false,
  last_login: null,
  date_joined: "2024-04-01T10:00:00Z",
  deactivated_at: null,
};

const TEAMS_ROUTE = { path: "/settings/teams/:teamId?", route: "/settings/teams" };

describe("TeamsPage", () => {
  it("lists teams with the roles they give through ROLE_GROUPS", async () => {
    stubApi({ "/api/v1/me": admin, "GET /api/v1/teams": { results: [everyone, approvers, sales], next: null } });
    renderWithApp(<TeamsPage />, TEAMS_ROUTE);
    const table = await screen.findByRole("table", { name: "Teams" });
    expect(within(table).getByRole("row", { name: /Sales/ })).toHaveTextContent("Builder");
    const scim = within(table).getByRole("row", { name: /Approvers/ });
    expect(scim).toHaveTextContent("SCIM");
    expect(scim).toHaveTextContent("Approver");
    expect(within(table).getByRole("row", { name: /Everyone/ })).toHaveTextContent("default");
  });

  it("makes a local team and opens it", async () => {
    const calls = stubApi({
      "/api/v1/me": admin,
      "POST /api/v1/teams": { ...sales, id: 12, name: "Ops", roles: [], member_count: 0 },
      "GET /api/v1/teams/12": { ...sales, id: 12, name: "Ops", roles: [], member_count: 0, members: [] },
      "GET /api/v1/teams": { results: [sales], next: null },
    });
    renderWithApp(<TeamsPage />, TEAMS_ROUTE);
    await userEvent.click(await screen.findByRole("button", { name: "New team" }));
    const form = screen.getByRole("form", { name: "New team" });
    await userEvent.type(within(form).getByLabelText("Team name"), "Ops");
    await userEvent.click(within(form).getByRole("button", { name: "Make team" }));
    const panel = await screen.findByRole("region", { name: "Team Ops" });
    expect(within(panel).getByText(/No role: members hold only the roles given to them/)).toBeInTheDocument();
    expect(calls.find((call) => call.method === "POST")).toMatchObject({ url: "/api/v1/teams", body: { name: "Ops" } });
  });

  it("adds and removes members of a local team", async () => {
    const calls = stubApi({
      "/api/v1/me": admin,
      "POST /api/v1/teams/10/members": { ...salesDetail, members: [...salesDetail.members, { id: 6, username: "erin", display_name: "Erin", source: "local" }] },
      "DELETE /api/v1/teams/10/members/2": new Response(null, { status: 204 }),
      "GET /api/v1/people": { results: [erin], next: null },
      "GET /api/v1/teams/10": salesDetail,
      "GET /api/v1/teams": { results: [sales], next: null },
    });
    renderWithApp(<TeamsPage />, { ...TEAMS_ROUTE, route: "/settings/teams/10" });
    const panel = await screen.findByRole("region", { name: "Team Sales" });
    const members = within(panel).getByRole("list", { name: "Members of Sales" });
    expect(members).toHaveTextContent("Bob Builder");
    expect(members).toHaveTextContent("Added here");
    expect(within(panel).getByText(/Builder/, { selector: ".role-badge" })).toBeInTheDocument();

    await userEvent.type(within(panel).getByLabelText("Add a member"), "er");
    await userEvent.click(await within(panel).findByRole("button", { name: "Add erin to Sales" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "POST")).toMatchObject({ url: "/api/v1/teams/10/members", body: { user: 6 } }));

    await userEvent.click(within(panel).getByRole("button", { name: "Remove bob from Sales" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "DELETE")?.url).toBe("/api/v1/teams/10/members/2"));
  });

  it("shows a SCIM team read-only, with where each membership came from", async () => {
    stubApi({ "/api/v1/me": admin, "GET /api/v1/teams/11": approversDetail, "GET /api/v1/teams": { results: [approvers], next: null } });
    renderWithApp(<TeamsPage />, { ...TEAMS_ROUTE, route: "/settings/teams/11" });
    const panel = await screen.findByRole("region", { name: "Team Approvers" });
    expect(within(panel).getByText(/Managed by your identity provider \(SCIM\)/)).toBeInTheDocument();
    const members = within(panel).getByRole("list", { name: "Members of Approvers" });
    expect(within(members).getByText("SCIM")).toBeInTheDocument();
    expect(within(members).getByText("Sign-in groups")).toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    expect(within(panel).queryByLabelText("Add a member")).not.toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: "Rename" })).not.toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: "Delete team" })).not.toBeInTheDocument();
  });

  it("deletes a local team after saying its flows move to the default team", async () => {
    const calls = stubApi({
      "/api/v1/me": admin,
      "DELETE /api/v1/teams/10": new Response(null, { status: 204 }),
      "GET /api/v1/teams/10": salesDetail,
      "GET /api/v1/teams": { results: [sales], next: null },
    });
    renderWithApp(<TeamsPage />, { ...TEAMS_ROUTE, route: "/settings/teams/10" });
    const panel = await screen.findByRole("region", { name: "Team Sales" });
    await userEvent.click(within(panel).getByRole("button", { name: "Delete team" }));
    const dialog = screen.getByRole("dialog", { name: "Delete Sales?" });
    expect(dialog).toHaveTextContent("Its flows move to the default team");
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete team" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "DELETE")?.url).toBe("/api/v1/teams/10"));
    await vi.waitFor(() => expect(screen.queryByRole("region", { name: "Team Sales" })).not.toBeInTheDocument());
  });
});
