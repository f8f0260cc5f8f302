import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import type { Person } from "../../api/types";
import { PeoplePage } from "../PeoplePage";
import { renderWithApp, stubApi } from "../runs/testing";

afterEach(() => vi.unstubAllGlobals());

const admin = meWith(["admin"], { id: 1, username: "root" });

const bob: Person = {
  id: 2,
  username: "bob",
  email: "bob@example.com",
  display_name: "Bob Builder",
  active: true,
  roles: ["builder", "viewer"],
  direct_roles: ["viewer"],
  teams: [{ id: 10, name: "Sales", source: "local" }],
  scim_managed: false,
  is_service_account: false,
  last_login: "2024-05-01T10:00:00Z",
  date_joined: "2024-04-01T10:00:00Z",
  deactivated_at: null,
};

const carol: Person = {
  ...bob,
  id: 3,
  username: "carol",
  email: "carol@corp.example",
  display_name: "Carol Approver",
  roles: ["approver"],
  direct_roles: [],
  teams: [{ id: 11, name: "Approvers", source: "scim" }],
  scim_managed: true,
};

const ciBot: Person = { ...bob, id: 4, username: "ci-bot", email: "", display_name: "", roles: ["builder"], direct_roles: ["builder"], teams: [], is_service_account: true, last_login: null };

function problem(status: number, detail: string, errors: unknown[] = []) {
  return new Response(JSON.stringify({ status, title: "Refused", detail, errors }), { status, headers: { "Content-Type": "application/problem+json" } });
}

const PEOPLE_ROUTE = { path: "/settings/people/:personId?", route: "/settings/people" };

describe("PeoplePage", () => {
  it("lists people with their roles, and badges for SCIM and service accounts", async () => {
    const calls = stubApi({ "/api/v1/me": admin, "GET /api/v1/people": { results: [bob, carol, ciBot], next: null } });
    renderWithApp(<PeoplePage />, PEOPLE_ROUTE);
    const table = await screen.findByRole("table", { name: "People" });
    const carolRow = within(table).getByRole("row", { name: /Carol Approver/ });
    expect(within(carolRow).getByText("SCIM")).toBeInTheDocument();
    expect(within(carolRow).getByText("Approver")).toBeInTheDocument();
    const botRow = within(table).getByRole("row", { name: /ci-bot/ });
    expect(within(botRow).getByText("service account")).toBeInTheDocument();
    // roles in the documented order, whatever order they came in
    expect(within(table).getByRole("row", { name: /Bob Builder/ })).toHaveTextContent("ViewerBuilder");
    // active people by default
    expect(calls.find((call) => call.url.startsWith("/api/v1/people"))?.url).toBe("/api/v1/people?active=true");
  });

  it("searches and filters through the API", async () => {
    const calls = stubApi({ "/api/v1/me": admin, "GET /api/v1/people": { results: [bob], next: null } });
    renderWithApp(<PeoplePage />, PEOPLE_ROUTE);
    await screen.findByRole("table", { name: "People" });
    await userEvent.type(screen.getByRole("searchbox", { name: "Search people" }), "bo");
    await userEvent.click(screen.getByRole("radio", { name: "Deactivated" }));
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Kind of account" }), "true");
    await vi.waitFor(() => expect(calls.at(-1)?.url).toBe("/api/v1/people?q=bo&active=false&service_account=true"));
  });

  it("keeps the name and e-mail of someone SCIM manages read-only, but their roles can change", async () => {
    const calls = stubApi({
      "/api/v1/me": admin,
      "PATCH /api/v1/people/3": { ...carol, direct_roles: ["builder"], roles: ["approver", "builder"] },
      "GET /api/v1/people/3": carol,
      "GET /api/v1/people": { results: [carol], next: null },
    });
    renderWithApp(<PeoplePage />, { ...PEOPLE_ROUTE, route: "/settings/people/3" });
    const panel = await screen.findByRole("region", { name: "Person carol" });
    expect(within(panel).getByText(/Managed by your identity provider \(SCIM\)/)).toBeInTheDocument();
    expect(within(panel).getByLabelText("Name")).toHaveAttribute("readonly");
    expect(within(panel).getByLabelText("E-mail")).toHaveAttribute("readonly");
    expect(within(panel).queryByRole("button", { name: "Save profile" })).not.toBeInTheDocument();
    expect(within(panel).getByText("SCIM", { selector: ".source-badge" })).toBeInTheDocument();

    const roles = within(panel).getByRole("group", { name: "Roles given here" });
    expect(within(roles).getByRole("checkbox", { name: /Approver/ })).not.toBeChecked();
    expect(within(roles).getByRole("checkbox", { name: /Approver/ })).toHaveAccessibleName(/held through a team/);
    await userEvent.click(within(roles).getByRole("checkbox", { name: /Builder/ }));
    await userEvent.click(within(panel).getByRole("button", { name: "Save roles" }));
    await vi.waitFor(() =>
      expect(calls.find((call) => call.method === "PATCH")).toMatchObject({ url: "/api/v1/people/3", body: { roles: ["builder"] } }),
    );
  });

  it("saves a local person's profile and shows a refusal on its field", async () => {
    const calls = stubApi({
      "/api/v1/me": admin,
      "PATCH /api/v1/people/2": problem(400, "The request is not valid.", [{ node: null, field: "email", message: "Enter a valid email address." }]),
      "GET /api/v1/people/2": bob,
      "GET /api/v1/people": { results: [bob], next: null },
    });
    renderWithApp(<PeoplePage />, { ...PEOPLE_ROUTE, route: "/settings/people/2" });
    const panel = await screen.findByRole("region", { name: "Person bob" });
    const email = within(panel).getByLabelText("E-mail");
    await userEvent.clear(email);
    await userEvent.type(email, "bob@");
    await userEvent.click(within(panel).getByRole("button", { name: "Save profile" }));
    expect(await within(panel).findByText("Enter a valid email address.")).toBeInTheDocument();
    expect(within(panel).getByLabelText("E-mail")).toHaveAttribute("aria-invalid", "true");
    expect(calls.find((call) => call.method === "PATCH")?.body).toEqual({ display_name: "Bob Builder", email: "bob@" });
  });

  it("deactivates someone only after a confirmation", async () => {
    const calls = stubApi({
      "/api/v1/me": admin,
      "POST /api/v1/people/2/deactivate": { ...bob, active: false, deactivated_at: "2024-05-02T10:00:00Z" },
      "GET /api/v1/people/2": bob,
      "GET /api/v1/people": { results: [bob], next: null },
    });
    renderWithApp(<PeoplePage />, { ...PEOPLE_ROUTE, route: "/settings/people/2" });
    const panel = await screen.findByRole("region", { name: "Person bob" });
    await userEvent.click(within(panel).getByRole("button", { name: "Deactivate" }));
    const dialog = screen.getByRole("dialog", { name: "Deactivate Bob Builder?" });
    expect(dialog).toHaveTextContent("every API token they hold stops working");
    expect(calls.some((call) => call.method === "POST")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Deactivate" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "POST")?.url).toBe("/api/v1/people/2/deactivate"));
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("does not offer to reactivate someone SCIM deactivated", async () => {
    const gone = { ...carol, active: false, deactivated_at: "2024-05-02T10:00:00Z" };
    stubApi({ "/api/v1/me": admin, "GET /api/v1/people/3": gone, "GET /api/v1/people": { results: [gone], next: null } });
    renderWithApp(<PeoplePage />, { ...PEOPLE_ROUTE, route: "/settings/people/3" });
    const panel = await screen.findByRole("region", { name: "Person carol" });
    expect(within(panel).getByRole("button", { name: "Reactivate" })).toBeDisabled();
    expect(within(panel).getByText(/reactivate them there/)).toBeInTheDocument();
  });

  it("adds a local person, and puts the server's problems next to the fields", async () => {
    const calls = stubApi({
      "/api/v1/me": admin,
      "POST /api/v1/people": problem(400, "The request is not valid.", [{ node: null, field: "username", message: "A person with that username already exists." }]),
      "GET /api/v1/people": { results: [bob], next: null },
    });
    renderWithApp(<PeoplePage />, PEOPLE_ROUTE);
    await userEvent.click(await screen.findByRole("button", { name: "Add person" }));
    const form = screen.getByRole("form", { name: "Add a person" });
    await userEvent.click(within(form).getByRole("button", { name: "Add person" }));
    expect(within(form).getByText("Enter a username.")).toBeInTheDocument();
    expect(within(form).getByText("Enter their e-mail address.")).toBeInTheDocument();
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.type(within(form).getByLabelText("Username"), "bob");
    await userEvent.type(within(form).getByLabelText("E-mail"), "bob@example.com");
    await userEvent.type(within(form).getByLabelText(/Password/), "a-long-password-1");
    await userEvent.click(within(form).getByRole("button", { name: "Add person" }));
    expect(await within(form).findByText("A person with that username already exists.")).toBeInTheDocument();
    expect(within(form).getByLabelText("Username")).toHaveAttribute("aria-invalid", "true");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({
      username: "bob",
      email: "bob@example.com",
      display_name: "",
      password: "a-long-password-1",
    });
  });

  it("tells someone who is not an admin that people are managed by admins", async () => {
    const calls = stubApi({ "/api/v1/me": meWith(["builder"]) });
    renderWithApp(<PeoplePage />, PEOPLE_ROUTE);
    expect(await screen.findByRole("heading", { name: "People are managed by admins" })).toBeInTheDocument();
    expect(calls.some((call) => call.url.startsWith("/api/v1/people"))).toBe(false);
  });
});
