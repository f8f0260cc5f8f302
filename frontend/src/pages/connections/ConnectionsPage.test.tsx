import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Connection, ConnectionKind } from "../../api/connections";
import { meWith } from "../../api/identity.fixture";
import { ConnectionsPage } from "../ConnectionsPage";
import { renderWithApp, stubApi } from "../runs/testing";
import { leavePage } from "./ConnectionPanel";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const KINDS: ConnectionKind[] = [
  {
    kind: "api_key",
    title: "API key",
    description: "A key sent in a header or the query string.",
    settings_schema: {
      type: "object",
      properties: {
        header: { type: "string", title: "Header", default: "X-Api-Key", description: "The header that carries the key." },
        placement: { type: "string", title: "Placement", enum: ["header", "query"], default: "header" },
      },
    },
    secret: { title: "API key", description: "The key the system gave you.", required: true },
    oauth: false,
  },
  {
    kind: "oauth2",
    title: "OAuth2",
    description: "Tokens from an OAuth2 provider, refreshed before they expire.",
    settings_schema: {
      type: "object",
      properties: {
        grant: {
          type: "string",
          title: "Grant",
          enum: ["client_credentials", "authorization_code"],
          default: "client_credentials",
          description: "client_credentials: the hub gets tokens for itself. authorization_code: a person authorizes once in the browser.",
        },
        token_url: { type: "string", title: "Token URL" },
        authorize_url: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Authorize URL" },
        client_id: { type: "string", title: "Client ID", minLength: 1, maxLength: 500 },
      },
      required: ["token_url", "client_id"],
    },
    secret: { title: "Client secret", description: "The OAuth2 app's client secret.", required: true },
    oauth: true,
  },
  {
    kind: "webhook_secret",
    title: "Webhook signing secret",
    description: "Signs outgoing webhooks; Switchboard makes the secret.",
    settings_schema: { type: "object", properties: {} },
    secret: null,
    oauth: false,
  },
];

function connection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: "6f1c2d3e-4a5b-4c6d-8e7f-901234567890",
    name: "CRM production",
    kind: "api_key",
    team: 10,
    team_name: "Sales",
    personal: false,
    owner: "alice",
    settings: { header: "X-Api-Key", placement: "header" },
    fingerprint: "k3Yf1ngr",
    authorized: false,
    token_expires_at: null,
    created_at: "2024-05-01T10:00:00Z",
    updated_at: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}

const crm = connection();
const google = connection({
  id: "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  name: "Google Sheets",
  kind: "oauth2",
  team: null,
  team_name: null,
  personal: true,
  settings: { grant: "authorization_code", token_url: "https://oauth2.example.com/token", authorize_url: "https://oauth2.example.com/authorize", client_id: "app-1" },
  fingerprint: "g00gleFp",
});
const signing = connection({ id: "8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", name: "Signing", kind: "webhook_secret", team: null, team_name: null, settings: {}, fingerprint: "" });

function problem(status: number, detail: string, errors: unknown[] = []) {
  return new Response(JSON.stringify({ status, title: "Refused", detail, errors }), { status, headers: { "Content-Type": "application/problem+json" } });
}

function page(route = "/settings/connections", answers: Record<string, unknown> = {}, roles: Parameters<typeof meWith>[0] = ["builder"]) {
  const calls = stubApi({
    ...answers,
    "/api/v1/me": meWith(roles, { teams_detail: [{ id: 10, name: "Sales" }, { id: 11, name: "Support" }] }),
    "/api/v1/connection-kinds": KINDS,
    "/api/v1/connections": { results: [crm, google, signing], next: null },
  });
  renderWithApp(<ConnectionsPage />, { path: "/settings/connections/:connectionId?", route });
  return calls;
}

describe("ConnectionsPage", () => {
  it("lists connections: kind, who shares it, whether an OAuth2 one is authorized, fingerprint", async () => {
    page();
    const table = await screen.findByRole("table", { name: "Connections" });
    const rows = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent));
    expect(rows).toEqual([
      ["CRM production", "API key", "Sales", "—", "k3Yf1ngr"],
      ["Google Sheets", "OAuth2", "personal", "not authorized", "g00gleFp"],
      ["Signing", "Webhook signing secret", "everyone", "—", "—"],
    ]);
  });

  it("tells a viewer that builders manage connections", async () => {
    page("/settings/connections", {}, ["viewer"]);
    expect(await screen.findByRole("heading", { name: "Connections are managed by builders" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New connection" })).not.toBeInTheDocument();
  });

  it("makes a connection from the kind's settings form, with its secret and a team", async () => {
    const calls = page("/settings/connections", { "POST /api/v1/connections": connection({ id: "99999999-aaaa-4bbb-8ccc-dddddddddddd", name: "Billing" }) });
    await userEvent.click(await screen.findByRole("button", { name: "New connection" }));
    const form = screen.getByRole("form", { name: "New connection" });
    await userEvent.click(within(form).getByRole("button", { name: "Make connection" }));
    expect(within(form).getByText("Enter a name.")).toBeInTheDocument();
    expect(within(form).getByText("Choose a kind.")).toBeInTheDocument();

    await userEvent.type(within(form).getByLabelText("Name"), "Billing");
    await userEvent.selectOptions(within(form).getByLabelText("Kind"), "api_key");
    expect(within(form).getByText("A key sent in a header or the query string.")).toBeInTheDocument();
    const header = within(form).getByLabelText("Header");
    expect(header).toHaveValue("X-Api-Key");
    await userEvent.clear(header);
    await userEvent.type(header, "Authorization");
    const secret = within(form).getByLabelText("API key");
    expect(secret).toHaveAttribute("type", "password");
    await userEvent.type(secret, "sk_live_123");
    await userEvent.selectOptions(within(form).getByLabelText("Shared with"), "team:11");
    await userEvent.click(within(form).getByRole("button", { name: "Make connection" }));

    await vi.waitFor(() => expect(calls.some((call) => call.method === "POST")).toBe(true));
    expect(calls.find((call) => call.method === "POST")).toEqual({
      method: "POST",
      url: "/api/v1/connections",
      body: { name: "Billing", kind: "api_key", team: 11, settings: { header: "Authorization", placement: "header" }, secret: "sk_live_123" },
    });
  });

  it("makes a personal connection, and shows a secret the server made once", async () => {
    const calls = page("/settings/connections", { "POST /api/v1/connections": { ...signing, id: "11111111-2222-4333-8444-555555555555", secret: "whsec_bWFkZS1mb3IteW91" } });
    await userEvent.click(await screen.findByRole("button", { name: "New connection" }));
    const form = screen.getByRole("form", { name: "New connection" });
    await userEvent.type(within(form).getByLabelText("Name"), "Signing");
    await userEvent.selectOptions(within(form).getByLabelText("Kind"), "webhook_secret");
    expect(within(form).queryByLabelText(/secret/i)).not.toBeInTheDocument();
    await userEvent.selectOptions(within(form).getByLabelText("Shared with"), "personal");
    await userEvent.click(within(form).getByRole("button", { name: "Make connection" }));

    const dialog = await screen.findByRole("dialog", { name: "Connection made" });
    expect(within(dialog).getByLabelText("Secret")).toHaveValue("whsec_bWFkZS1mb3IteW91");
    expect(within(dialog).getByText(/shown only this once/)).toBeInTheDocument();
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ name: "Signing", kind: "webhook_secret", personal: true, settings: {} });
  });

  it("puts the server's problems on their fields, settings included", async () => {
    page("/settings/connections", {
      "POST /api/v1/connections": problem(400, "The connection is not valid.", [
        { node: null, field: "name", message: "A connection named Billing exists in this team." },
        { node: null, field: "settings.header", message: "Not a valid header name." },
      ]),
    });
    await userEvent.click(await screen.findByRole("button", { name: "New connection" }));
    const form = screen.getByRole("form", { name: "New connection" });
    await userEvent.type(within(form).getByLabelText("Name"), "Billing");
    await userEvent.selectOptions(within(form).getByLabelText("Kind"), "api_key");
    await userEvent.type(within(form).getByLabelText("API key"), "k");
    await userEvent.click(within(form).getByRole("button", { name: "Make connection" }));
    expect(await within(form).findByText("A connection named Billing exists in this team.")).toBeInTheDocument();
    expect(within(form).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByText("Not a valid header name.").closest(".form-field")).toContainElement(within(form).getByLabelText("Header"));
    // Every problem is on a field: no general message besides.
    expect(within(form).queryByText("The connection is not valid.")).not.toBeInTheDocument();
  });

  it("edits a connection keeping its stored secret unless a new one is typed", async () => {
    const calls = page(`/settings/connections/${crm.id}`, { [`PATCH /api/v1/connections/${crm.id}`]: { ...crm, name: "CRM (prod)" } });
    const panel = await screen.findByRole("region", { name: "Connection CRM production" });
    expect(panel).toHaveTextContent("stored, fingerprint k3Yf1ngr");
    const form = within(panel).getByRole("form", { name: "Edit CRM production" });
    const secret = within(form).getByLabelText(/API key/);
    expect(secret).toHaveValue("");
    expect(secret).toHaveAttribute("placeholder", "stored — leave empty to keep");
    const name = within(form).getByLabelText("Name");
    await userEvent.clear(name);
    await userEvent.type(name, "CRM (prod)");
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await vi.waitFor(() => expect(calls.some((call) => call.method === "PATCH")).toBe(true));
    expect(calls.find((call) => call.method === "PATCH")?.body).toEqual({ name: "CRM (prod)", settings: { header: "X-Api-Key", placement: "header" } });

    await userEvent.type(secret, "sk_new");
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await vi.waitFor(() => expect(calls.filter((call) => call.method === "PATCH")).toHaveLength(2));
    expect(calls.filter((call) => call.method === "PATCH")[1].body).toMatchObject({ secret: "sk_new" });
  });

  it("tests a connection and shows what the other system answered", async () => {
    const calls = page(`/settings/connections/${crm.id}`, {
      [`POST /api/v1/connections/${crm.id}/test`]: { ok: false, message: "The server answered 401 Unauthorized: the key was refused.", status: 401 },
    });
    const panel = await screen.findByRole("region", { name: "Connection CRM production" });
    await userEvent.click(within(panel).getByRole("button", { name: "Test connection" }));
    const result = await within(panel).findByRole("status");
    expect(result).toHaveTextContent("It did not work. The server answered 401 Unauthorized: the key was refused. (answered 401)");
    expect(calls.find((call) => call.url.endsWith("/test"))?.method).toBe("POST");
    // An API key is not authorized through the browser.
    expect(within(panel).queryByRole("button", { name: "Authorize" })).not.toBeInTheDocument();
  });

  it("sends the browser to the provider to authorize an OAuth2 authorization-code connection", async () => {
    const leave = vi.spyOn(leavePage, "to").mockImplementation(() => undefined);
    page(`/settings/connections/${google.id}`, {
      [`POST /api/v1/connections/${google.id}/authorize`]: { authorize_url: "https://accounts.example.com/authorize?client_id=app-1&state=s1" },
    });
    const panel = await screen.findByRole("region", { name: "Connection Google Sheets" });
    expect(panel).toHaveTextContent("Authorizednot yet");
    await userEvent.click(within(panel).getByRole("button", { name: "Authorize" }));
    await vi.waitFor(() => expect(leave).toHaveBeenCalledWith("https://accounts.example.com/authorize?client_id=app-1&state=s1"));
  });

  it("offers no Authorize button to an OAuth2 client-credentials connection", async () => {
    const machine = { ...google, settings: { grant: "client_credentials", token_url: "https://oauth2.example.com/token", authorize_url: null, client_id: "app-2" } };
    stubApi({
      "/api/v1/me": meWith(["builder"]),
      "/api/v1/connection-kinds": KINDS,
      "/api/v1/connections": { results: [machine], next: null },
    });
    renderWithApp(<ConnectionsPage />, { path: "/settings/connections/:connectionId?", route: `/settings/connections/${machine.id}` });
    const panel = await screen.findByRole("region", { name: "Connection Google Sheets" });
    expect(within(panel).getByRole("button", { name: "Test connection" })).toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: /Authorize/ })).not.toBeInTheDocument();
  });

  it("says how authorizing went when the provider sends the browser back", async () => {
    page(`/settings/connections?authorized=${google.id}`);
    expect(await screen.findByText(/Google Sheets holds its tokens now/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByText(/holds its tokens now/)).not.toBeInTheDocument();
  });

  it("shows the provider's refusal", async () => {
    page("/settings/connections?error=access_denied%3A%20the%20user%20said%20no");
    expect(await screen.findByRole("alert")).toHaveTextContent("Authorization failed. access_denied: the user said no");
  });

  it("deletes a connection only after a confirmation", async () => {
    const calls = page(`/settings/connections/${crm.id}`, { [`DELETE /api/v1/connections/${crm.id}`]: null });
    const panel = await screen.findByRole("region", { name: "Connection CRM production" });
    await userEvent.click(within(panel).getByRole("button", { name: "Delete connection" }));
    const dialog = screen.getByRole("dialog", { name: "Delete CRM production?" });
    expect(calls.some((call) => call.method === "DELETE")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete connection" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "DELETE")?.url).toBe(`/api/v1/connections/${crm.id}`));
  });

  it("opens a linked connection that is not on the list's first page", async () => {
    const older = connection({ id: "0ld0ld00-1111-4222-8333-444444444444", name: "Legacy ERP" });
    const calls = page(`/settings/connections/${older.id}`, { [`/api/v1/connections/${older.id}`]: older });
    expect(await screen.findByRole("region", { name: "Connection Legacy ERP" })).toBeInTheDocument();
    expect(calls.some((call) => call.url === `/api/v1/connections/${older.id}`)).toBe(true);
  });
});
