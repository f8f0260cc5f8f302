import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "../api/connections";
import type { NodeType } from "../api/types";
import { renderWithApp, stubApi } from "../pages/runs/testing";
import { CRM_CREATE_CONTACT } from "./moreNodeTypes.fixture";
import { NodeConfigForm } from "./NodeConfigForm";

afterEach(() => vi.unstubAllGlobals());

function connection(overrides: Partial<Connection>): Connection {
  return {
    id: "00000000-0000-4000-8000-000000000000",
    name: "Connection",
    kind: "api_key",
    team: 10,
    team_name: "Sales",
    personal: false,
    owner: "alice",
    settings: {},
    fingerprint: "fp",
    authorized: false,
    token_expires_at: null,
    created_at: "2024-05-01T10:00:00Z",
    updated_at: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}

const crmKey = connection({ id: "11111111-1111-4111-8111-111111111111", name: "CRM production", kind: "api_key" });
const myKey = connection({ id: "22222222-2222-4222-8222-222222222222", name: "My CRM key", kind: "api_key", team: null, team_name: null, personal: true });
const google = connection({ id: "33333333-3333-4333-8333-333333333333", name: "Google", kind: "oauth2" });
const slackHook = connection({ id: "44444444-4444-4444-8444-444444444444", name: "Slack #ops", kind: "incoming_webhook", team: 11, team_name: "Support" });

// action.slack's config as the server gives it: the connection is required (nodes/builtin/action/_incoming_webhook.py).
const SLACK: NodeType = {
  type: "action.slack",
  title: "Slack message",
  category: "action",
  description: "Posts a message to a Slack channel through an incoming webhook.",
  config_schema: {
    type: "object",
    additionalProperties: false,
    properties: {
      connection: {
        type: "string",
        minLength: 1,
        title: "Incoming webhook (connection)",
        description: "An incoming_webhook connection holding the Slack webhook URL.",
        "x-widget": "connection",
        "x-connection-kinds": ["incoming_webhook"],
      },
      text: { type: "string", title: "Text", "x-widget": "template" },
    },
    required: ["connection", "text"],
  },
  ports: ["out"],
  config_ports: null,
  inputs: ["in"],
  example: null,
};

let changes: Record<string, unknown>[] = [];

function Harness({ type, initial = {} }: { type: NodeType; initial?: Record<string, unknown> }) {
  const [config, setConfig] = useState(initial);
  return (
    <>
      <NodeConfigForm
        nodeType={type}
        config={config}
        onChange={(next) => {
          changes.push(next);
          setConfig(next);
        }}
      />
      <output data-testid="config">{JSON.stringify(config)}</output>
    </>
  );
}

const shownConfig = () => JSON.parse(screen.getByTestId("config").textContent ?? "{}") as Record<string, unknown>;

function form(type: NodeType, initial?: Record<string, unknown>) {
  changes = [];
  const calls = stubApi({ "/api/v1/connections": { results: [crmKey, google, myKey, slackHook], next: null } });
  renderWithApp(<Harness type={type} initial={initial} />);
  return calls;
}

async function optionsOf(select: HTMLElement, count: number) {
  await vi.waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(count));
  return within(select).getAllByRole("option").map((option) => option.textContent);
}

describe("the connection picker of node config forms", () => {
  it("offers only the connections of the property's kinds, with who shares them, and sets the id", async () => {
    const calls = form(CRM_CREATE_CONTACT, { version: 2 });
    const select = screen.getByLabelText("Connection");
    expect(await optionsOf(select, 3)).toEqual(["None", "CRM production (Sales)", "My CRM key (personal)"]);
    expect(calls[0].url).toBe("/api/v1/connections?limit=500");
    expect(changes).toEqual([]);

    await userEvent.selectOptions(select, "My CRM key (personal)");
    expect(shownConfig()).toEqual({ version: 2, connection: myKey.id });

    // Not required: "None" takes the connection out again.
    await userEvent.selectOptions(select, "None");
    expect(shownConfig()).toEqual({ version: 2 });
    expect(screen.getByRole("link", { name: "Manage connections" })).toHaveAttribute("href", "/settings/connections");
  });

  it("has no None choice when the connection is required", async () => {
    form(SLACK, { text: "Deployed" });
    const select = screen.getByLabelText("Incoming webhook (connection)");
    expect(await optionsOf(select, 2)).toEqual(["Choose a connection…", "Slack #ops (Support)"]);
    expect(within(select).getByRole("option", { name: "Choose a connection…" })).toBeDisabled();
    await userEvent.selectOptions(select, "Slack #ops (Support)");
    expect(shownConfig()).toEqual({ text: "Deployed", connection: slackHook.id });
  });

  it("keeps a chosen connection one cannot use, saying so", async () => {
    form(CRM_CREATE_CONTACT, { version: 2, connection: google.id });
    const select = screen.getByLabelText("Connection");
    expect(await optionsOf(select, 4)).toEqual(["None", "A connection you cannot use (33333333…)", "CRM production (Sales)", "My CRM key (personal)"]);
    expect(select).toHaveValue(google.id);
    expect(select).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(/is not one you may use here/)).toBeInTheDocument();
    expect(changes).toEqual([]);
  });
});
