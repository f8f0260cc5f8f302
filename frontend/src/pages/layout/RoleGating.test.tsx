/** The app as each role sees it: what is hidden or read-only for whom, the no-role page, the user menu and signing out. */
import { ReactFlowProvider } from "@xyflow/react";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import type { Flow, Me, Run } from "../../api/types";
import { FIXTURE_FLOW_ID as FLOW_ID, pendingVersion } from "../../api/versions.fixture";
import { App } from "../../App";
import { EditorHeader } from "../flowEditor/EditorHeader";
import { RunActions } from "../runs/RunActions";
import { renderWithApp, stubApi } from "../runs/testing";
import { VersionDecision } from "../versions/VersionDecision";

afterEach(() => vi.unstubAllGlobals());

const flow: Flow = {
  id: FLOW_ID,
  name: "Big orders to the CRM",
  draft: { nodes: [], edges: [] },
  live_version: 1,
  paused: false,
  webhook_url: null,
  state: "live",
  trigger_type: null,
  last_run: null,
  created_at: "2024-05-01T10:00:00Z",
  updated_at: "2024-05-01T10:00:00Z",
  team: { id: 10, name: "Sales" },
};

const pending = pendingVersion({ flow_name: flow.name });

const failedRun: Run = {
  id: "5e00a462-0fe1-42b9-9e01-1e64b0d9fc60",
  flow: FLOW_ID,
  version: 1,
  status: "failed",
  trigger: "webhook",
  correlation_id: "order-150",
  created_at: "2024-05-01T10:00:00Z",
  output: null,
  steps: [],
};

/** The whole app at `route`, for someone holding `me`'s roles. */
function app(me: Me, route: string, extra: Record<string, unknown> = {}) {
  const calls = stubApi({
    "/api/v1/me": me,
    "/api/v1/teams": {
      results: [
        { id: 10, name: "Sales", scim_managed: false, member_count: 2, roles: [], is_default: false },
        { id: 11, name: "Support", scim_managed: false, member_count: 3, roles: [], is_default: false },
      ],
      next: null,
    },
    "/api/v1/node-types": [],
    "/api/v1/templates": [],
    "/api/v1/flows": { results: [flow], next: null },
    ...extra,
  });
  renderWithApp(<App />, { path: "/*", route });
  return calls;
}

describe("the flows list by role", () => {
  it("offers a viewer no way to make flows", async () => {
    app(meWith(["viewer"]), "/");
    expect(await screen.findByRole("link", { name: flow.name })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "New flow" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Import flow" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Start from a template" })).not.toBeInTheDocument();
  });

  it("offers a builder New flow, import and templates", async () => {
    app(meWith(["builder"]), "/");
    expect(await screen.findByRole("link", { name: "New flow" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Import flow" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Start from a template" })).toBeInTheDocument();
  });

  it("shows a viewer with no flows that builders make them, not the templates", async () => {
    app(meWith(["viewer"]), "/", { "/api/v1/flows": { results: [], next: null } });
    expect(await screen.findByRole("heading", { name: "No flows yet" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Start with a template" })).not.toBeInTheDocument();
  });

  it("shows each flow's team and filters by team", async () => {
    const calls = app(meWith(["viewer"]), "/");
    const row = await screen.findByRole("row", { name: /Big orders to the CRM/ });
    expect(row).toHaveTextContent("Sales");
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Team" }), "10");
    await vi.waitFor(() => expect(calls.some((call) => call.url === "/api/v1/flows?team=10")).toBe(true));
  });
});

describe("the shell by role", () => {
  it("gives someone with no role a page that says so, and no navigation", async () => {
    const calls = app(meWith([], { teams: [], teams_detail: [] }), "/");
    expect(await screen.findByRole("heading", { name: "You don't have a role yet — ask an admin" })).toBeInTheDocument();
    expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument();
    expect(calls.some((call) => call.url.startsWith("/api/v1/flows"))).toBe(false);
  });

  it("shows admins every settings tab", async () => {
    app(meWith(["admin"]), "/settings/tokens", { "/api/v1/tokens": { results: [], next: null }, "/api/v1/service-accounts": { results: [], next: null } });
    const tabs = await screen.findByRole("navigation", { name: "Settings" });
    expect(within(tabs).getAllByRole("link").map((link) => link.textContent)).toEqual([
      "People",
      "Teams",
      "API tokens",
      "Connections",
      "Connectors",
      "Data tables",
      "Events",
      "Policies",
      "Audit log",
    ]);
  });

  it("sends others from /settings to their tokens, with no admin tabs; builders also get what flows are built with", async () => {
    app(meWith(["builder"]), "/settings", { "/api/v1/tokens": { results: [], next: null } });
    expect(await screen.findByRole("heading", { name: "API tokens" })).toBeInTheDocument();
    const tabs = screen.getByRole("navigation", { name: "Settings" });
    expect(within(tabs).getAllByRole("link").map((link) => link.textContent)).toEqual(["API tokens", "Connections", "Connectors", "Data tables"]);
  });

  it("gives a viewer only their tokens in settings, and the catalog in the main navigation", async () => {
    app(meWith(["viewer"]), "/settings", { "/api/v1/tokens": { results: [], next: null } });
    expect(await screen.findByRole("heading", { name: "API tokens" })).toBeInTheDocument();
    const tabs = screen.getByRole("navigation", { name: "Settings" });
    expect(within(tabs).getAllByRole("link").map((link) => link.textContent)).toEqual(["API tokens"]);
    expect(within(screen.getByRole("navigation", { name: "Main" })).getByRole("link", { name: "Catalog" })).toHaveAttribute("href", "/catalog");
  });

  it("tells a viewer at /flows/new that builders make flows", async () => {
    app(meWith(["viewer"]), "/flows/new");
    expect(await screen.findByRole("heading", { name: "Only builders make flows" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Flow canvas" })).not.toBeInTheDocument();
  });
});

describe("actions by role", () => {
  it("hides approve and reject from someone who may not approve", async () => {
    stubApi({ "/api/v1/me": meWith(["builder"]) });
    renderWithApp(<VersionDecision flowId={FLOW_ID} version={pending} isLive={false} />);
    expect(await screen.findByRole("heading", { name: "Waiting for a decision" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Reject" })).not.toBeInTheDocument();
  });

  it("lets an approver approve or reject", async () => {
    stubApi({ "/api/v1/me": meWith(["approver"]) });
    renderWithApp(<VersionDecision flowId={FLOW_ID} version={pending} isLive={false} />);
    expect(await screen.findByRole("button", { name: "Approve" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Reject" })).toBeInTheDocument();
  });

  it("hides replay and cancel from someone who may not write runs", async () => {
    const calls = stubApi({ "/api/v1/me": meWith(["viewer", "approver"]) });
    renderWithApp(<RunActions run={failedRun} />);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(screen.queryByRole("button", { name: /Replay/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel run" })).not.toBeInTheDocument();
  });

  it("keeps the editor's header read-only for a viewer", () => {
    renderWithApp(
      <ReactFlowProvider>
        <EditorHeader
          flow={flow}
          name={flow.name}
          onNameChange={() => undefined}
          onSave={() => undefined}
          onTest={() => undefined}
          onSubmit={() => undefined}
          onShowVersions={() => undefined}
          canTest
          readOnly
        />
      </ReactFlowProvider>,
    );
    expect(screen.getByLabelText("Flow name")).toHaveAttribute("readonly");
    expect(screen.getByText("View only")).toBeInTheDocument();
    for (const name of ["Undo", "Redo", "Auto layout", "Save", "Test flow", "Submit for approval", "Pause"]) {
      expect(screen.queryByRole("button", { name })).not.toBeInTheDocument();
    }
    expect(screen.getByRole("button", { name: "Export flow" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Versions" })).toBeInTheDocument();
  });
});

describe("the user menu", () => {
  it("shows who is signed in, and signs out with the CSRF token, then follows the redirect", async () => {
    document.cookie = "csrftoken=the-csrf-token";
    const assign = vi.fn();
    vi.stubGlobal("location", { ...window.location, assign, origin: window.location.origin, pathname: "/", search: "" });
    const sent: { url: string; init?: RequestInit }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        sent.push({ url, init });
        if (url === "/logout/") {
          const answer = new Response("<html>sign in</html>", { status: 200 });
          Object.defineProperties(answer, { redirected: { value: true }, url: { value: "http://localhost/login/" } });
          return answer;
        }
        if (url === "/api/v1/me") return new Response(JSON.stringify(meWith(["builder"])), { status: 200 });
        return new Response(JSON.stringify({ results: [], next: null }), { status: 200 });
      }),
    );
    renderWithApp(<App />, { path: "/*", route: "/runs" });
    await userEvent.click(await screen.findByRole("button", { name: "Account of Alice Liddell" }));
    const menu = screen.getByRole("region", { name: "Signed in as" });
    expect(menu).toHaveTextContent("alice · alice@example.com");
    expect(menu).toHaveTextContent("Builder");
    expect(menu).toHaveTextContent("Sales");
    await userEvent.click(within(menu).getByRole("button", { name: "Sign out" }));
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith("http://localhost/login/"));
    const logout = sent.find((call) => call.url === "/logout/");
    expect(logout?.init?.method).toBe("POST");
    expect((logout?.init?.headers as Record<string, string>)["X-CSRFToken"]).toBe("the-csrf-token");
  });
});
