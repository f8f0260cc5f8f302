import { describe, expect, it } from "vitest";
import { exportFileName, readFlowFile } from "./flowFiles";

describe("flow documents as files", () => {
  it("names the export after the flow, safely", () => {
    expect(exportFileName("Big orders → CRM / nightly")).toBe("Big-orders-CRM-nightly.switchboard.json");
    expect(exportFileName("   ")).toBe("flow.switchboard.json");
  });

  it("reads a flow document and refuses what is not one", async () => {
    const good = new File(['{"name": "x", "nodes": [], "edges": []}'], "x.json");
    await expect(readFlowFile(good)).resolves.toMatchObject({ name: "x" });
    await expect(readFlowFile(new File(["not json"], "a.txt"))).rejects.toThrow("a.txt is not a JSON file.");
    await expect(readFlowFile(new File(['{"name": "x"}'], "b.json"))).rejects.toThrow('has no "nodes" list');
  });
});
