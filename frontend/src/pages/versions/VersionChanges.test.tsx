import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Version } from "../../api/types";
import { VersionChanges } from "./VersionChanges";
import { describeDiff, diffLines, type FlowDiff } from "./versionDiff";

const diff: FlowDiff = {
  from_version: 1,
  to_version: 2,
  nodes: {
    added: [{ id: "crm", type: "action.http" }],
    removed: [{ id: "mail", type: "action.email" }],
    changed: [{ id: "big", type: "transform.filter", changes: [{ path: "config.condition", old: { ">": [1, 2] }, new: { "<": [1, 2] }, kind: "changed" }] }],
  },
  edges: { added: [{ source: "shape", target: "crm" }], removed: [{ source: "shape", target: "mail" }] },
};

const versions = [1, 2, 3].map((number) => ({ number, state: number === 3 ? "pending" : "approved", graph: { nodes: [], edges: [] } }) as unknown as Version);

function renderChanges(overrides: Partial<Parameters<typeof VersionChanges>[0]> = {}) {
  const props = {
    number: 2,
    against: undefined,
    versions,
    diff,
    lines: describeDiff(diff),
    diffQuery: { isLoading: false, error: null },
    selected: null,
    onAgainstChange: vi.fn(),
    onSelectNode: vi.fn(),
    ...overrides,
  };
  render(<VersionChanges {...props} />);
  return props;
}

describe("VersionChanges", () => {
  it("lists every change and the removed nodes", () => {
    renderChanges();
    const list = screen.getByRole("list", { name: "Changes" });
    expect(within(list).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "+Added node 'crm' (Http)",
      `~Filter 'big': config.condition changed from {">":[1,2]} to {"<":[1,2]}`,
      "−Removed node 'mail' (Email)",
      "+Added edge shape → crm",
      "−Removed edge shape → mail",
    ]);
    expect(screen.getByText("Removed nodes")).toBeInTheDocument();
    expect(screen.getByText("Version 2 against version 1: 5 changes.")).toBeInTheDocument();
  });

  it("shows a node on the canvas when its change is clicked", async () => {
    const props = renderChanges();
    await userEvent.click(screen.getByRole("button", { name: /Filter 'big'/ }));
    expect(props.onSelectNode).toHaveBeenCalledWith("big");
  });

  it("compares with another version", async () => {
    const props = renderChanges();
    const select = screen.getByLabelText("Compare with");
    expect(within(select).getAllByRole("option").map((option) => option.textContent)).toEqual([
      "The version before (1)",
      "Version 1 — approved",
      "Version 3 — waiting for approval",
    ]);
    await userEvent.selectOptions(select, "Version 3 — waiting for approval");
    expect(props.onAgainstChange).toHaveBeenCalledWith(3);
  });
});

describe("VersionChanges with the server's sentences", () => {
  it("lists them as they are, each pointing at its node", async () => {
    const server: FlowDiff = {
      ...diff,
      details: [{ text: "Filter 'big' now checks total > 200 instead of total > 100", kind: "changed", subject: "node", node: "big" }],
    };
    const props = renderChanges({ diff: server, lines: diffLines(server) });
    const list = screen.getByRole("list", { name: "Changes" });
    expect(within(list).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "~Filter 'big' now checks total > 200 instead of total > 100",
    ]);
    await userEvent.click(screen.getByRole("button", { name: /now checks total > 200/ }));
    expect(props.onSelectNode).toHaveBeenCalledWith("big");
  });
});
