import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import { AuditPage } from "../AuditPage";
import { SettingsLayout } from "../SettingsLayout";
import { renderWithApp, stubApi } from "../runs/testing";
import type { AuditEntry } from "./auditApi";

afterEach(() => vi.unstubAllGlobals());

const renamed: AuditEntry = {
  id: 42,
  seq: 42,
  at: "2024-05-01T10:00:00Z",
  actor: "carol",
  actor_id: 3,
  ip: "203.0.113.9",
  action: "flow.renamed",
  target_type: "flow",
  target_id: "8f1c",
  detail: { before: { name: "Orders", config: { limit: 100 } }, after: { name: "Big orders", config: { limit: 200, hosts: ["a.example"] } }, reason: "tidy" },
  correlation_id: "req-7f3a9c01",
};

const cancelled: AuditEntry = {
  id: 41,
  seq: 41,
  at: "2024-05-01T09:00:00Z",
  actor: "system",
  actor_id: null,
  ip: "",
  action: "run.cancelled",
  target_type: "run",
  target_id: "r9",
  detail: {},
  correlation_id: "",
};

const url = (call: { url: string }) => new URL(call.url, "http://localhost");

describe("AuditPage", () => {
  it("tells someone who is not an admin that the audit log is for admins, and does not ask for it", async () => {
    const calls = stubApi({ "/api/v1/me": meWith(["builder"]), "/api/v1/audit": { results: [renamed], next: null } });
    renderWithApp(<AuditPage />);
    expect(await screen.findByText("Audit logs are managed by admins")).toBeInTheDocument();
    expect(calls.some((call) => url(call).pathname === "/api/v1/audit")).toBe(false);
  });

  it("lists entries newest first and opens one to its before/after as a diff", async () => {
    stubApi({ "/api/v1/me": meWith(["admin"]), "/api/v1/audit": { results: [renamed, cancelled], next: null } });
    renderWithApp(<AuditPage />);
    const table = await screen.findByRole("table", { name: "Audit log" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("carol");
    expect(rows[0]).toHaveTextContent("flow.renamed");
    expect(rows[0]).toHaveTextContent("flow 8f1c");
    expect(rows[0]).toHaveTextContent("203.0.113.9");
    expect(rows[1]).toHaveTextContent("system");

    await userEvent.click(within(rows[0]).getByRole("button", { name: "Show detail of flow.renamed on flow 8f1c" }));
    const diff = screen.getByRole("table", { name: "Changes" });
    expect(within(diff).getByRole("row", { name: /^name changed/ })).toHaveTextContent("OrdersBig orders");
    expect(within(diff).getByRole("row", { name: /^config\.limit changed/ })).toHaveTextContent("100200");
    expect(within(diff).getByRole("row", { name: /^config\.hosts added/ })).toHaveTextContent('["a.example"]');
    expect(screen.getByText("req-7f3a9c01")).toBeInTheDocument();
    expect(screen.getByLabelText("Detail")).toHaveTextContent('"reason": "tidy"');

    await userEvent.click(within(rows[0]).getByRole("button", { name: /Hide detail/ }));
    expect(screen.queryByRole("table", { name: "Changes" })).not.toBeInTheDocument();
  });

  it("applies the filters together, and exports with the same filters", async () => {
    const calls = stubApi({ "/api/v1/me": meWith(["admin"]), "/api/v1/audit": { results: [renamed], next: null } });
    renderWithApp(<AuditPage />, { path: "/settings/audit", route: "/settings/audit" });
    await screen.findByRole("table", { name: "Audit log" });
    const form = screen.getByRole("form", { name: "Filter the audit log" });
    await userEvent.type(within(form).getByLabelText("Actor"), "carol");
    await userEvent.type(within(form).getByLabelText("Action"), "flow.");
    await userEvent.type(within(form).getByLabelText("Correlation id"), "req-7f3a9c01");
    await userEvent.type(within(form).getByLabelText("From"), "2024-05-01");
    await userEvent.type(within(form).getByLabelText("To"), "2024-05-02");
    await userEvent.click(within(form).getByRole("button", { name: "Apply filters" }));

    const expected = {
      actor: "carol",
      action: "flow.",
      correlation_id: "req-7f3a9c01",
      since: new Date(2024, 4, 1).toISOString(),
      until: new Date(2024, 4, 3).toISOString(),
    };
    await waitFor(() => {
      const asked = calls.map(url).filter((u) => u.pathname === "/api/v1/audit" && u.searchParams.has("actor"));
      expect(asked).toHaveLength(1);
      expect(Object.fromEntries(asked[0].searchParams)).toEqual(expected);
    });
    const link = screen.getByRole("link", { name: "Export JSON Lines" });
    const exported = new URL(link.getAttribute("href") ?? "", "http://localhost");
    expect(exported.pathname).toBe("/api/v1/audit/export");
    expect(Object.fromEntries(exported.searchParams)).toEqual(expected);
  });

  it("refuses an end date before the start date before asking", async () => {
    stubApi({ "/api/v1/me": meWith(["admin"]), "/api/v1/audit": { results: [], next: null } });
    renderWithApp(<AuditPage />);
    expect(await screen.findByText("Nothing recorded yet")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Filter the audit log" });
    await userEvent.type(within(form).getByLabelText("From"), "2024-05-03");
    await userEvent.type(within(form).getByLabelText("To"), "2024-05-01");
    expect(within(form).getByRole("alert")).toHaveTextContent("The end date is before the start date.");
    expect(within(form).getByRole("button", { name: "Apply filters" })).toBeDisabled();
  });

  it("loads older entries from the next page", async () => {
    const calls = stubApi({
      "/api/v1/me": meWith(["admin"]),
      "/api/v1/audit?cursor=older": { results: [cancelled], next: null },
      "/api/v1/audit": { results: [renamed], next: "http://testserver/api/v1/audit?cursor=older" },
    });
    renderWithApp(<AuditPage />);
    await screen.findByRole("table", { name: "Audit log" });
    await userEvent.click(screen.getByRole("button", { name: "Load older entries" }));
    expect(await screen.findByText("run.cancelled")).toBeInTheDocument();
    expect(calls.some((call) => call.url === "/api/v1/audit?cursor=older")).toBe(true);
  });

  it("shows the server's problem when the log cannot be read", async () => {
    stubApi({
      "/api/v1/me": meWith(["admin"]),
      "/api/v1/audit": new Response(JSON.stringify({ status: 400, title: "Invalid request", detail: "Enter a valid date/time.", errors: [{ field: "since", message: "Enter a valid date/time." }] }), {
        status: 400,
        headers: { "Content-Type": "application/problem+json" },
      }),
    });
    renderWithApp(<AuditPage />, { path: "/settings/audit", route: "/settings/audit?from=2024-05-01" });
    expect(await screen.findByRole("alert")).toHaveTextContent("Enter a valid date/time.");
  });

  it("is a settings tab for admins only", async () => {
    stubApi({ "/api/v1/me": meWith(["admin"]) });
    const { unmount } = renderWithApp(<SettingsLayout />);
    const nav = await screen.findByRole("navigation", { name: "Settings" });
    expect(await within(nav).findByRole("link", { name: "Audit log" })).toHaveAttribute("href", "/settings/audit");
    unmount();
    vi.unstubAllGlobals();
    stubApi({ "/api/v1/me": meWith(["approver"]) });
    renderWithApp(<SettingsLayout />);
    const theirs = await screen.findByRole("navigation", { name: "Settings" });
    await within(theirs).findByRole("link", { name: "API tokens" });
    expect(within(theirs).queryByRole("link", { name: "Audit log" })).not.toBeInTheDocument();
  });
});
