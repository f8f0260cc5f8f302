import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CATALOG_NODE_TYPES, CRM_CREATE_CONTACT } from "../forms/moreNodeTypes.fixture";
import { renderWithApp, stubApi } from "../pages/runs/testing";
import { Palette } from "./Palette";

afterEach(() => vi.unstubAllGlobals());

describe("Palette", () => {
  it("shows imported connectors' operations under their connector, searchable, and adds one", async () => {
    stubApi({ "/api/v1/node-types": CATALOG_NODE_TYPES });
    const onAdd = vi.fn();
    renderWithApp(<Palette onAdd={onAdd} hasTrigger />);
    const crm = await screen.findByRole("region", { name: "Connector crm" });
    expect(within(crm).getAllByRole("button").map((button) => button.getAttribute("aria-label"))).toEqual(["Add Create a contact", "Add List contacts"]);
    expect(screen.getAllByRole("region").map((region) => region.getAttribute("aria-label"))).toEqual(["Triggers", "Transforms", "Actions", "Connector crm"]);

    await userEvent.type(screen.getByRole("searchbox", { name: "Search node types" }), "create contact");
    expect(screen.getAllByRole("region").map((region) => region.getAttribute("aria-label"))).toEqual(["Connector crm"]);
    await userEvent.click(screen.getByRole("button", { name: "Add Create a contact" }));
    expect(onAdd).toHaveBeenCalledWith(CRM_CREATE_CONTACT);
  });
});
