import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useLocation } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CATALOG_NODE_TYPES } from "../../forms/moreNodeTypes.fixture";
import { CatalogPage } from "../CatalogPage";
import { renderWithApp, stubApi } from "../runs/testing";

afterEach(() => vi.unstubAllGlobals());

/** The address the page is at, to see what it keeps there. */
function Address() {
  const location = useLocation();
  return <output aria-label="Address">{location.search}</output>;
}

function catalog(route = "/catalog") {
  stubApi({ "/api/v1/node-types": CATALOG_NODE_TYPES });
  return renderWithApp(
    <>
      <CatalogPage />
      <Address />
    </>,
    { path: "/catalog", route },
  );
}

function groupNames(): string[] {
  return screen.getAllByRole("region").map((region) => region.getAttribute("aria-labelledby") ?? "").map((id) => document.getElementById(id)?.textContent ?? "");
}

describe("CatalogPage", () => {
  it("groups every node type by category, then each connector's operations under the connector", async () => {
    catalog();
    expect(await screen.findByRole("heading", { name: "Node catalog" })).toBeInTheDocument();
    await screen.findByRole("article", { name: /Webhook trigger\.webhook/ });
    expect(groupNames()).toEqual(["Triggers", "Transforms", "Actions", "Connector crm"]);
    const crm = screen.getByRole("region", { name: "Connector crm" });
    expect(within(crm).getAllByRole("article").map((article) => article.id)).toEqual(["connector.crm.createContact", "connector.crm.listContacts"]);
    expect(screen.getByText(`${CATALOG_NODE_TYPES.length} of ${CATALOG_NODE_TYPES.length} node types`)).toBeInTheDocument();
  });

  it("shows a type's description, ports, config fields and example config with a Copy button", async () => {
    catalog();
    const entry = await screen.findByRole("article", { name: /Create a contact connector\.crm\.createContact/ });
    expect(entry).toHaveTextContent("POST /contacts — adds a contact to the CRM.");
    const fields = within(entry).getByRole("table", { name: "Config of connector.crm.createContact" });
    const rows = within(fields)
      .getAllByRole("row")
      .slice(1)
      .map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent));
    expect(rows).toEqual([
      ["version", "integer", "required", "The connector version the flow was built with.Default 2"],
      ["connection", "string", "optional", "The connection that signs the requests."],
      ["server", "string", "optional", "Another base URL."],
      ["parameters", "object", "optional", ""],
      ["body", "JSON", "optional", ""],
    ]);
    expect(within(entry).getByLabelText("Example config").textContent).toBe(
      JSON.stringify({ version: 2, connection: "crm-production", body: { email: "{{ input.email }}" } }, null, 2),
    );
    expect(within(entry).getByRole("button", { name: "Copy Example config" })).toBeInTheDocument();

    const listing = screen.getByRole("article", { name: /List contacts/ });
    expect(listing).toHaveTextContent("No example yet.");
  });

  it("says a switch has a port per case besides default, and names list fields' item types", async () => {
    catalog();
    const entry = await screen.findByRole("article", { name: /Switch transform\.switch/ });
    expect(entry).toHaveTextContent("Outdefault and one per item of cases, named by its port");
    const cases = within(within(entry).getByRole("table")).getByRole("row", { name: /cases/ });
    expect(cases).toHaveTextContent("list of object");
    expect(cases).toHaveTextContent("required");
    // The retry policy every step takes is said once, not listed per type.
    expect(within(screen.getByRole("article", { name: /Webhook trigger\.webhook/ })).queryByText("retry")).not.toBeInTheDocument();
  });

  it("searches by type, title and description, keeping the search in ?q=", async () => {
    const { container } = catalog("/catalog?q=contact");
    expect(await screen.findByRole("searchbox", { name: "Search node types" })).toHaveValue("contact");
    expect((await screen.findAllByRole("article")).map((article) => article.id)).toEqual(["connector.crm.createContact", "connector.crm.listContacts"]);

    const search = screen.getByRole("searchbox", { name: "Search node types" });
    await userEvent.clear(search);
    await userEvent.type(search, "branch true");
    expect(screen.getAllByRole("article").map((article) => article.id)).toEqual(["transform.branch"]);
    expect(screen.getByRole("status", { name: "Address" })).toHaveTextContent("?q=branch+true");

    await userEvent.clear(search);
    await userEvent.type(search, "nothing like this");
    expect(screen.getByRole("heading", { name: "No node type matches “nothing like this”" })).toBeInTheDocument();
    expect(container.querySelector("article")).toBeNull();
  });

  it("opens at the node type named in the address (#type)", async () => {
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    catalog("/catalog#transform.switch");
    const entry = await screen.findByRole("article", { name: /Switch transform\.switch/ });
    expect(entry).toHaveClass("is-target");
    expect(screen.getByRole("article", { name: /Webhook trigger\.webhook/ })).not.toHaveClass("is-target");
    expect(scrolled).toHaveBeenCalled();
    expect(scrolled.mock.contexts[0]).toBe(entry);
    expect(within(entry).getByRole("link", { name: "Link to transform.switch" })).toHaveAttribute("href", "#transform.switch");
  });

  it("shows the server's problem when the node types cannot be read", async () => {
    stubApi({ "/api/v1/node-types": new Response(JSON.stringify({ status: 503, title: "Unavailable", detail: "The hub is starting." }), { status: 503 }) });
    renderWithApp(<CatalogPage />, { path: "/catalog", route: "/catalog" });
    expect(await screen.findByRole("alert")).toHaveTextContent("The hub is starting.");
  });
});
