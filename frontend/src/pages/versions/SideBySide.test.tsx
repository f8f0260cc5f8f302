import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FlowDocument } from "../../api/types";
import { renderWithApp, stubApi } from "../runs/testing";
import { SideBySide } from "./SideBySide";

const before: FlowDocument = {
  nodes: [
    { id: "order", type: "trigger.webhook" },
    { id: "big", type: "transform.filter" },
    { id: "mail", type: "action.email" },
  ],
  edges: [
    { source: "order", target: "big" },
    { source: "big", target: "mail" },
  ],
};
const after: FlowDocument = {
  nodes: [
    { id: "order", type: "trigger.webhook" },
    { id: "big", type: "transform.filter" },
    { id: "crm", type: "action.http" },
  ],
  edges: [
    { source: "order", target: "big" },
    { source: "big", target: "crm" },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("SideBySide", () => {
  it("draws both versions with a legend, and only the newer for a first version", () => {
    const common = { beforeHighlights: { mail: "removed" as const, big: "changed" as const }, afterHighlights: { crm: "added" as const, big: "changed" as const }, selectedNodeId: null, onNodeClick: vi.fn() };
    stubApi({ "/api/v1/node-types": [] });
    // jsdom has no layout: React Flow only needs to be able to observe sizes.
    vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
    renderWithApp(<SideBySide before={{ number: 1, document: before }} after={{ number: 2, document: after }} {...common} />);
    expect(screen.getByRole("note", { name: "Legend" })).toHaveTextContent("AddedRemovedChanged");
    expect(screen.getByText("Before — version 1")).toBeInTheDocument();
    expect(screen.getByText("After — version 2")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Version 1 of the flow" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Version 2 of the flow" })).toBeInTheDocument();
    cleanup();
    renderWithApp(<SideBySide before={null} after={{ number: 1, document: after }} {...common} />);
    expect(screen.queryByText(/Before/)).not.toBeInTheDocument();
    expect(screen.getByText("Version 1")).toBeInTheDocument();
  });
});
