import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import { NODE_TYPES } from "../../forms/nodeTypes.fixture";
import { SubmitDialog } from "../flowEditor/SubmitDialog";
import { PoliciesPage } from "../PoliciesPage";
import { renderWithApp, stubApi } from "../runs/testing";
import type { DlpPolicy, TeamPolicy } from "./policiesApi";

afterEach(() => vi.unstubAllGlobals());

const ROUTE = { path: "/settings/policies/:teamId?", route: "/settings/policies" };
const teams = { results: [{ id: 10, name: "Sales", scim_managed: false, member_count: 1, roles: [], is_default: false }], next: null };

const open: TeamPolicy = {
  team: { id: 10, name: "Sales" },
  allowed_node_types: [],
  allowed_hosts: [],
  require_sensitive: [],
  updated_at: null,
  updated_by: null,
};

const dlp: DlpPolicy = {
  classification: {},
  default_group: "non_business",
  effective: {},
  exempt: ["trigger.manual", "trigger.schedule", "transform.map", "transform.filter", "transform.branch", "transform.delay"],
  updated_at: null,
  updated_by: null,
};

function problem(status: number, body: object) {
  return new Response(JSON.stringify({ status, title: "Invalid request", ...body }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

function answers(extra: Record<string, unknown> = {}) {
  return {
    "/api/v1/me": meWith(["admin"]),
    ...extra,
    "GET /api/v1/teams/10/policy": open,
    "GET /api/v1/teams": teams,
    "GET /api/v1/node-types": NODE_TYPES,
    "GET /api/v1/policies/dlp": dlp,
  };
}

describe("PoliciesPage", () => {
  it("is for admins only", async () => {
    stubApi({ "/api/v1/me": meWith(["builder"]) });
    renderWithApp(<PoliciesPage />, ROUTE);
    expect(await screen.findByText("Policies are managed by admins")).toBeInTheDocument();
  });

  it("limits a team's node types, hosts and sensitive nodes, and saves them", async () => {
    const saved: TeamPolicy = { ...open, allowed_hosts: ["*.sales.example.com"], updated_at: "2026-01-01T00:00:00Z", updated_by: "alice" };
    const calls = stubApi(answers({ "PUT /api/v1/teams/10/policy": saved }));
    renderWithApp(<PoliciesPage />, ROUTE);
    const form = await screen.findByRole("form", { name: "Policy of Sales" });
    // given every node type allowed, the admin limits them: all transforms, and e-mails
    await userEvent.click(within(form).getByLabelText("Only the ones ticked"));
    const transforms = within(form).getByRole("group", { name: "Transforms" });
    await userEvent.click(within(transforms).getByLabelText(/All transforms/));
    expect(within(transforms).getByLabelText(/^Map/)).toBeDisabled(); // allowed with the category
    const actions = within(form).getByRole("group", { name: "Actions" });
    expect(within(actions).queryByLabelText(/All actions/)).toBeNull();
    await userEvent.click(within(actions).getByLabelText(/^Send e-mail/));
    await userEvent.click(within(within(form).getByRole("group", { name: "Triggers" })).getByLabelText(/^Webhook/));
    // a host
    await userEvent.type(within(form).getByLabelText("Add a host"), "*.sales.example.com{Enter}");
    expect(within(form).getByRole("list", { name: "Allowed hosts" })).toHaveTextContent("*.sales.example.com");
    // HTTP requests must be marked sensitive
    const sensitive = within(form).getByRole("group", { name: "Must be marked sensitive" });
    await userEvent.click(within(sensitive).getByLabelText(/^HTTP request/));
    await userEvent.click(within(form).getByRole("button", { name: "Save policy" }));
    const put = calls.find((call) => call.method === "PUT");
    expect(put?.url).toBe("/api/v1/teams/10/policy");
    expect(put?.body).toEqual({
      allowed_node_types: ["transform.*", "action.email", "trigger.webhook"],
      allowed_hosts: ["*.sales.example.com"],
      require_sensitive: ["action.http"],
    });
    expect(await screen.findByText("Last changed by alice.")).toBeInTheDocument();
  });

  it("refuses to limit node types to none, and shows the server's problem next to a host", async () => {
    const calls = stubApi(
      answers({
        "PUT /api/v1/teams/10/policy": problem(400, {
          detail: "'a.com:8080' is not a host: give the name only, without scheme, port or path.",
          errors: [{ node: null, field: "allowed_hosts[0]", message: "'a.com:8080' is not a host: give the name only, without scheme, port or path." }],
        }),
      }),
    );
    renderWithApp(<PoliciesPage />, ROUTE);
    const form = await screen.findByRole("form", { name: "Policy of Sales" });
    await userEvent.click(within(form).getByLabelText("Only the ones ticked"));
    await userEvent.click(within(form).getByRole("button", { name: "Save policy" }));
    expect(within(form).getByText("Tick at least one node type, or choose Every node type.")).toBeInTheDocument();
    expect(calls.some((call) => call.method === "PUT")).toBe(false);
    await userEvent.click(within(form).getByLabelText("Every node type"));
    await userEvent.type(within(form).getByLabelText("Add a host"), "a.com:8080");
    await userEvent.click(within(form).getByRole("button", { name: "Add" }));
    await userEvent.click(within(form).getByRole("button", { name: "Save policy" }));
    const row = (await within(form).findByRole("list", { name: "Allowed hosts" })).querySelector("li")!;
    expect(await within(row).findByText(/is not a host/)).toBeInTheDocument();
  });

  it("moves node types between the DLP columns and saves the classification", async () => {
    const calls = stubApi(answers({ "PUT /api/v1/policies/dlp": { ...dlp, classification: { "action.http": "business" }, updated_at: "2026-01-01T00:00:00Z" } }));
    renderWithApp(<PoliciesPage />, ROUTE);
    const board = await screen.findByRole("region", { name: "Data-loss prevention" });
    // unclassified actions start in the default group; transforms are outside DLP
    const nonBusiness = await within(board).findByRole("list", { name: "Non-business" });
    expect(within(nonBusiness).getByText("HTTP request")).toBeInTheDocument();
    expect(within(within(board).getByRole("list", { name: "Outside DLP" })).getByText("Map")).toBeInTheDocument();
    // moving HTTP requests to Business
    await userEvent.selectOptions(within(board).getByLabelText("Group of HTTP request"), "business");
    expect(within(within(board).getByRole("list", { name: "Business" })).getByText("HTTP request")).toBeInTheDocument();
    await userEvent.selectOptions(within(board).getByLabelText("Group of Send e-mail"), "blocked");
    await userEvent.click(within(board).getByRole("button", { name: "Save DLP policy" }));
    const put = calls.find((call) => call.method === "PUT");
    expect(put?.url).toBe("/api/v1/policies/dlp");
    expect(put?.body).toEqual({ classification: { "action.http": "business", "action.email": "blocked" }, default_group: "non_business" });
  });
});

describe("a policy violation at submit", () => {
  it("is shown in the submit dialog, naming the node and the rule", async () => {
    const message = "'Notify CRM' (HTTP request) calls api.example.org, which team Sales may not call: allowed hosts are *.sales.example.com.";
    stubApi({ "POST /api/v1/flows/f1/versions": problem(400, { detail: message, errors: [{ node: "crm", field: "config.url", message }] }) });
    renderWithApp(<SubmitDialog flowId="f1" problemCount={0} onClose={() => {}} onSubmitted={() => {}} beforeSubmit={async () => true} />);
    await userEvent.click(screen.getByRole("button", { name: "Submit" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The version could not be submitted.");
    expect(within(alert).getByText(`Node crm · config.url: ${message}`)).toBeInTheDocument();
  });
});
