import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import type { DataTable, TableRow } from "../../api/tables";
import { TablesPage } from "../TablesPage";
import { renderWithApp, stubApi } from "../runs/testing";

afterEach(() => vi.unstubAllGlobals());

const customers: DataTable = {
  id: "5a5a5a5a-1111-4222-8333-444444444444",
  name: "customers",
  team: { id: 10, name: "Sales" },
  rows: 3,
  created_at: "2024-05-01T10:00:00Z",
  updated_at: "2024-05-03T10:00:00Z",
};

function row(key: string, data: unknown): TableRow {
  return { key, data, created_at: "2024-05-01T10:00:00Z", updated_at: "2024-05-02T10:00:00Z" };
}

function page(answers: Record<string, unknown> = {}, route = "/settings/tables") {
  const calls = stubApi({
    ...answers,
    "/api/v1/me": meWith(["builder"]),
    "/api/v1/tables": { results: [customers], next: null },
  });
  renderWithApp(<TablesPage />, { path: "/settings/tables/:tableId?", route });
  return calls;
}

const rowsUrl = `/api/v1/tables/${customers.id}/rows`;

describe("TablesPage", () => {
  it("lists the data tables with their team and row count", async () => {
    page();
    const table = await screen.findByRole("table", { name: "Data tables" });
    const cells = within(within(table).getAllByRole("row")[1]).getAllByRole("cell").map((cell) => cell.textContent);
    expect(cells.slice(0, 3)).toEqual(["customers", "Sales", "3"]);
  });

  it("shows a table's rows page by page, and finds one by its key", async () => {
    const calls = page(
      {
        [`${rowsUrl}?key=acme`]: { results: [row("acme", { name: "Acme" })], next: null },
        [`${rowsUrl}?cursor=2`]: { results: [row("zeta", { name: "Zeta" })], next: null },
        [rowsUrl]: { results: [row("acme", { name: "Acme" }), row("bolt", { name: "Bolt" })], next: `http://testserver${rowsUrl}?cursor=2` },
      },
      `/settings/tables/${customers.id}`,
    );
    const panel = await screen.findByRole("region", { name: "Table customers" });
    const rows = await within(panel).findByRole("table", { name: "Rows of customers" });
    expect(within(rows).getAllByRole("row").slice(1).map((tr) => within(tr).getAllByRole("cell")[0].textContent)).toEqual(["acme", "bolt"]);
    expect(rows).toHaveTextContent('{"name":"Acme"}');

    await userEvent.click(within(panel).getByRole("button", { name: "Load more" }));
    expect(await within(panel).findByText("zeta")).toBeInTheDocument();
    expect(calls.some((call) => call.url === `${rowsUrl}?cursor=2`)).toBe(true);

    await userEvent.type(within(panel).getByRole("searchbox", { name: "Search customers by key" }), "acme");
    await vi.waitFor(() => expect(calls.some((call) => call.url === `${rowsUrl}?key=acme`)).toBe(true));
    await vi.waitFor(() => {
      const found = within(panel).getByRole("table", { name: "Rows of customers" });
      expect(within(found).getAllByRole("row").slice(1).map((tr) => within(tr).getAllByRole("cell")[0].textContent)).toEqual(["acme"]);
    });
  });

  it("deletes a table after a confirmation", async () => {
    const calls = page({ [`DELETE /api/v1/tables/${customers.id}`]: null, [rowsUrl]: { results: [], next: null } }, `/settings/tables/${customers.id}`);
    const panel = await screen.findByRole("region", { name: "Table customers" });
    expect(await within(panel).findByText("No rows yet.")).toBeInTheDocument();
    await userEvent.click(within(panel).getByRole("button", { name: "Delete table" }));
    await userEvent.click(within(screen.getByRole("dialog", { name: "Delete customers?" })).getByRole("button", { name: "Delete table" }));
    await vi.waitFor(() => expect(calls.find((call) => call.method === "DELETE")?.url).toBe(`/api/v1/tables/${customers.id}`));
    await vi.waitFor(() => expect(screen.queryByRole("region", { name: "Table customers" })).not.toBeInTheDocument());
  });
});
