import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import type { ApiToken, ServiceAccount } from "../../api/types";
import { renderWithApp, stubApi } from "../runs/testing";
import { TokensPage } from "../TokensPage";

afterEach(() => vi.unstubAllGlobals());

const mine: ApiToken = {
  id: 7,
  name: "CI deploys",
  prefix: "sb_AbCdEfG",
  scopes: ["runs:read", "flows:read"],
  owner: { id: 1, username: "alice", is_service_account: false },
  created_by: "alice",
  created_at: "2024-05-01T10:00:00Z",
  last_used_at: "2024-05-02T10:00:00Z",
  expires_at: null,
  revoked_at: null,
  active: true,
};

const revoked: ApiToken = { ...mine, id: 8, name: "Old script", prefix: "sb_ZyXwVuT", last_used_at: null, revoked_at: "2024-05-03T10:00:00Z", active: false };

const ciBot: ServiceAccount = {
  id: 4,
  username: "ci-bot",
  email: "",
  display_name: "CI pipeline",
  active: true,
  roles: ["builder"],
  direct_roles: ["builder"],
  teams: [],
  scim_managed: false,
  is_service_account: true,
  last_login: null,
  date_joined: "2024-04-01T10:00:00Z",
  deactivated_at: null,
  active_tokens: 1,
};

const PLAIN = "sb_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg";

describe("TokensPage", () => {
  it("lists one's tokens with when they were last used, their expiry and whether they are revoked", async () => {
    const calls = stubApi({ "/api/v1/me": meWith(["builder"]), "GET /api/v1/tokens": { results: [mine, revoked], next: null } });
    renderWithApp(<TokensPage />);
    const table = await screen.findByRole("table", { name: "Tokens" });
    const active = within(table).getByRole("row", { name: /CI deploys/ });
    expect(active).toHaveTextContent("sb_AbCdEfG…");
    expect(active).toHaveTextContent("flows:readruns:read");
    expect(active).toHaveTextContent("Active");
    expect(within(active).getByRole("button", { name: "Revoke CI deploys" })).toBeInTheDocument();
    const ended = within(table).getByRole("row", { name: /Old script/ });
    expect(ended).toHaveTextContent("Revoked");
    expect(ended).toHaveTextContent("Never");
    expect(within(ended).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();
    // not an admin: neither everyone's tokens nor service accounts
    expect(screen.queryByRole("checkbox", { name: /All tokens/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Service accounts" })).not.toBeInTheDocument();
    expect(calls.some((call) => call.url.includes("service-accounts"))).toBe(false);
  });

  it("offers only the scopes one holds, and shows the new token once with a copy button", async () => {
    const calls = stubApi({
      "/api/v1/me": meWith(["viewer"]),
      "POST /api/v1/tokens": { ...mine, id: 9, name: "Reporting", scopes: ["flows:read"], expires_at: "2030-06-30T21:59:59Z", token: PLAIN },
      "GET /api/v1/tokens": { results: [], next: null },
    });
    renderWithApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    const form = screen.getByRole("form", { name: "New API token" });
    const scopes = within(form).getAllByRole("checkbox");
    expect(scopes.map((box) => box.closest("label")?.querySelector("code")?.textContent)).toEqual(["flows:read", "runs:read"]);
    // reading is ticked to begin with
    expect(scopes.every((box) => (box as HTMLInputElement).checked)).toBe(true);

    await userEvent.click(within(form).getByRole("button", { name: "Make token" }));
    expect(within(form).getByText(/Name it after what will use it/)).toBeInTheDocument();
    await userEvent.type(within(form).getByLabelText("Name"), "Reporting");
    await userEvent.click(within(form).getByRole("checkbox", { name: /runs:read/ }));
    await userEvent.type(within(form).getByLabelText(/Expires/), "2030-06-30");
    await userEvent.click(within(form).getByRole("button", { name: "Make token" }));

    const reveal = await screen.findByRole("dialog", { name: "Your new token" });
    expect(within(reveal).getByLabelText("API token")).toHaveValue(PLAIN);
    expect(within(reveal).getByRole("button", { name: "Copy token" })).toBeInTheDocument();
    expect(within(reveal).getByText(/shown only this once/)).toBeInTheDocument();
    const sent = calls.find((call) => call.method === "POST")?.body as { name: string; scopes: string[]; expires_at: string };
    expect(sent.name).toBe("Reporting");
    expect(sent.scopes).toEqual(["flows:read"]);
    expect(new Date(sent.expires_at).getTime()).toBe(new Date("2030-06-30T23:59:59").getTime());

    await userEvent.click(within(reveal).getByRole("button", { name: "Done" }));
    expect(screen.queryByDisplayValue(PLAIN)).not.toBeInTheDocument();
  });

  it("revokes a token only after a confirmation", async () => {
    const calls = stubApi({
      "/api/v1/me": meWith(["builder"]),
      "DELETE /api/v1/tokens/7": new Response(null, { status: 204 }),
      "GET /api/v1/tokens": { results: [mine], next: null },
    });
    renderWithApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Revoke CI deploys" }));
    const dialog = screen.getByRole("dialog", { name: "Revoke CI deploys?" });
    expect(dialog).toHaveTextContent("refused from its next request on");
    expect(calls.some((call) => call.method === "DELETE")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke token" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "DELETE")?.url).toBe("/api/v1/tokens/7"));
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("lets an admin see everyone's tokens, and make service accounts and their tokens", async () => {
    const botToken: ApiToken = { ...mine, id: 10, name: "ci-bot integration", owner: { id: 4, username: "ci-bot", is_service_account: true } };
    const calls = stubApi({
      "/api/v1/me": meWith(["admin"]),
      "POST /api/v1/service-accounts": { id: 12, username: "sync-bot", display_name: "", roles: ["viewer", "builder"] },
      "POST /api/v1/tokens": { ...botToken, token: PLAIN },
      "GET /api/v1/service-accounts": { results: [ciBot], next: null },
      "GET /api/v1/tokens?all=true": { results: [mine, botToken], next: null },
      "GET /api/v1/tokens": { results: [mine], next: null },
    });
    renderWithApp(<TokensPage />);
    await screen.findByRole("table", { name: "Tokens" });
    await userEvent.click(screen.getByRole("checkbox", { name: /All tokens/ }));
    const bot = await screen.findByRole("row", { name: /ci-bot integration/ });
    expect(bot).toHaveTextContent("service account");
    expect(screen.getByRole("columnheader", { name: "Owner" })).toBeInTheDocument();

    const accounts = screen.getByRole("region", { name: "Service accounts" });
    await userEvent.click(within(accounts).getByRole("button", { name: "New service account" }));
    const form = within(accounts).getByRole("form", { name: "New service account" });
    await userEvent.type(within(form).getByLabelText("Username"), "sync-bot");
    await userEvent.click(within(form).getByRole("checkbox", { name: /Builder/ }));
    await userEvent.click(within(form).getByRole("button", { name: "Make service account" }));
    await vi.waitFor(() =>
      expect(calls.find((call) => call.url === "/api/v1/service-accounts" && call.method === "POST")?.body).toEqual({
        username: "sync-bot",
        display_name: "",
        roles: ["viewer", "builder"],
      }),
    );

    await userEvent.click(within(accounts).getByRole("button", { name: "New token for ci-bot" }));
    const tokenForm = screen.getByRole("form", { name: "New API token" });
    expect(within(tokenForm).getAllByRole("checkbox")).toHaveLength(6);
    await userEvent.click(within(tokenForm).getByRole("button", { name: "Make token" }));
    expect(await screen.findByRole("dialog", { name: "Your new token" })).toHaveTextContent("acts as the service account ci-bot");
    expect(calls.find((call) => call.url === "/api/v1/tokens" && call.method === "POST")?.body).toMatchObject({ name: "ci-bot integration", owner: 4 });
  });
});
