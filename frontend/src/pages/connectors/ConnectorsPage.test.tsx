import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ConnectorDetail, ConnectorOperation, ConnectorSummary, ImportedConnector } from "../../api/connectors";
import { meWith } from "../../api/identity.fixture";
import { ConnectorsPage } from "../ConnectorsPage";
import { renderWithApp, stubApi } from "../runs/testing";

afterEach(() => vi.unstubAllGlobals());

const SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "CRM", version: "1" },
  servers: [{ url: "https://crm.example.com/api" }],
  paths: { "/contacts": { post: { operationId: "createContact", responses: { 201: { description: "made" } } } } },
});

const crm: ConnectorSummary = {
  id: 7,
  name: "crm",
  title: "CRM",
  team: null,
  created_by: "ada",
  created_at: "2024-05-01T10:00:00Z",
  latest_version: 2,
  version_count: 2,
  operation_count: 14,
  skipped_count: 1,
};

const imported: ImportedConnector = {
  id: crm.id,
  name: "crm",
  version: 3,
  node_types: ["connector.crm.createContact", "connector.crm.listContacts"],
  skipped: [{ operation: "POST /contacts/{id}/avatar", reason: "multipart/form-data bodies are not supported" }],
};

function operation(operationId: string, method: string, path: string): ConnectorOperation {
  return {
    node_type: `connector.crm.${operationId}`,
    operation_id: operationId,
    method,
    path,
    summary: "",
    description: "",
    server_url: "https://crm.example.com/api",
    parameters: [],
    body: null,
    security: [["apiKey"]],
    connection_kinds: ["api_key"],
    config_schema: { type: "object", properties: {} },
  };
}

// Newest first, as the server answers.
const detail: ConnectorDetail = {
  ...crm,
  versions: [
    {
      number: 2,
      created_at: "2024-05-01T10:00:00Z",
      source_url: "https://crm.example.com/openapi.json",
      operations: [{ ...operation("createContact", "post", "/contacts"), summary: "Make a contact" }, operation("listContacts", "get", "/contacts")],
      auth: [{ scheme: "apiKey", kind: "api_key", settings: { in: "header", name: "X-API-Key" } }],
      skipped: [{ operation: "GET /legacy", reason: "no responses" }],
    },
    { number: 1, created_at: "2024-04-01T10:00:00Z", source_url: "", operations: [operation("createContact", "post", "/contacts")], auth: [], skipped: [] },
  ],
};

function problem(status: number, detail: string, errors: unknown[] = []) {
  return new Response(JSON.stringify({ status, title: "Refused", detail, errors }), { status, headers: { "Content-Type": "application/problem+json" } });
}

function page(answers: Record<string, unknown> = {}, route = "/settings/connectors") {
  const calls = stubApi({
    ...answers,
    "/api/v1/me": meWith(["builder"]),
    "/api/v1/connectors": { results: [crm], next: null },
  });
  renderWithApp(<ConnectorsPage />, { path: "/settings/connectors/:connectorId?", route });
  return calls;
}

describe("ConnectorsPage", () => {
  it("imports an uploaded OpenAPI file as text and shows what it made and skipped", async () => {
    const calls = page({ "POST /api/v1/connectors/import": imported });
    const form = await screen.findByRole("form", { name: "Import an OpenAPI document" });
    await userEvent.click(within(form).getByRole("button", { name: "Import" }));
    expect(within(form).getByText(/Enter a name/)).toBeInTheDocument();
    expect(within(form).getByText("Choose the OpenAPI document (JSON or YAML).")).toBeInTheDocument();
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.type(within(form).getByLabelText("Name"), "crm");
    await userEvent.upload(within(form).getByLabelText("OpenAPI file"), new File([SPEC], "crm.json", { type: "application/json" }));
    await userEvent.click(within(form).getByRole("button", { name: "Import" }));

    const result = await screen.findByRole("status", { name: "Import result" });
    expect(result).toHaveTextContent("Imported crm version 3");
    expect(result).toHaveTextContent("2 node types made, 1 operation skipped");
    expect(within(result).getByRole("link", { name: "connector.crm.createContact" })).toHaveAttribute("href", "/catalog#connector.crm.createContact");
    const skipped = within(result).getByRole("table", { name: "Skipped operations" });
    expect(skipped).toHaveTextContent("POST /contacts/{id}/avatar");
    expect(skipped).toHaveTextContent("multipart/form-data bodies are not supported");
    expect(calls.find((call) => call.method === "POST")).toEqual({ method: "POST", url: "/api/v1/connectors/import", body: { name: "crm", spec: SPEC } });
  });

  it("imports from a URL and puts the server's problem on the URL field", async () => {
    const calls = page({
      "POST /api/v1/connectors/import": problem(400, "Not an OpenAPI document.", [
        { node: null, field: "url", message: "https://crm.example.com/openapi.json answered 404 Not Found." },
      ]),
    });
    const form = await screen.findByRole("form", { name: "Import an OpenAPI document" });
    await userEvent.type(within(form).getByLabelText("Name"), "crm");
    await userEvent.click(within(form).getByRole("radio", { name: "From a URL" }));
    await userEvent.type(within(form).getByLabelText("Document URL"), "https://crm.example.com/openapi.json");
    await userEvent.click(within(form).getByRole("button", { name: "Import" }));
    expect(await within(form).findByText("https://crm.example.com/openapi.json answered 404 Not Found.")).toBeInTheDocument();
    expect(within(form).getByLabelText("Document URL")).toHaveAttribute("aria-invalid", "true");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ name: "crm", url: "https://crm.example.com/openapi.json" });
  });

  it("shows a refused document's problem on the file field", async () => {
    page({ "POST /api/v1/connectors/import": problem(400, "Not valid.", [{ node: null, field: "spec", message: "Neither OpenAPI 3.x nor Swagger 2.0: no `openapi` or `swagger` key." }]) });
    const form = await screen.findByRole("form", { name: "Import an OpenAPI document" });
    await userEvent.type(within(form).getByLabelText("Name"), "crm");
    await userEvent.upload(within(form).getByLabelText("OpenAPI file"), new File(["{}"], "empty.json", { type: "application/json" }));
    await userEvent.click(within(form).getByRole("button", { name: "Import" }));
    expect(await within(form).findByText(/Neither OpenAPI 3.x nor Swagger 2.0/)).toBeInTheDocument();
    expect(within(form).getByLabelText("OpenAPI file")).toHaveAttribute("aria-invalid", "true");
  });

  it("lists connectors with their latest version and operation counts, and a connector's versions", async () => {
    page({ [`/api/v1/connectors/${crm.id}`]: detail }, `/settings/connectors/${crm.id}`);
    const row = await screen.findByRole("row", { name: /crm/ });
    expect(within(row).getAllByRole("cell").map((cell) => cell.textContent).slice(0, 4)).toEqual(["crmCRM", "v2 of 2", "14", "1"]);
    const panel = await screen.findByRole("region", { name: "Connector crm" });
    const versions = within(panel).getAllByRole("region").map((region) => region.getAttribute("aria-label"));
    expect(versions).toEqual(["Version 2", "Version 1"]);
    const latest = within(panel).getByRole("region", { name: "Version 2" });
    expect(latest).toHaveTextContent("no responses");
    expect(latest).toHaveTextContent("POST /contacts");
    expect(latest).toHaveTextContent("Make a contact");
    expect(latest).toHaveTextContent("Signs in with apiKey (connection kind api_key).");
    expect(within(latest).getByRole("link", { name: "connector.crm.createContact" })).toHaveAttribute("href", "/catalog#connector.crm.createContact");
    // An older version's operations are not in the catalog: no link.
    expect(within(within(panel).getByRole("region", { name: "Version 1" })).queryByRole("link")).not.toBeInTheDocument();
  });

  it("deletes a connector after a confirmation", async () => {
    const calls = page({ [`DELETE /api/v1/connectors/${crm.id}`]: null });
    await userEvent.click(await screen.findByRole("button", { name: "Delete crm" }));
    const dialog = screen.getByRole("dialog", { name: "Delete crm?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete connector" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "DELETE")?.url).toBe(`/api/v1/connectors/${crm.id}`));
  });
});
