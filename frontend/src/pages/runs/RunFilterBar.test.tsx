import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { NO_FILTERS } from "./runFilters";
import { RunFilterBar } from "./RunFilterBar";

const flows = [
  { id: "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924", name: "Big orders" },
  { id: "0748450d-b888-480b-9258-2d2ee7bec8ed", name: "Nightly digest" },
];

describe("RunFilterBar", () => {
  it("filters by flow and status from labelled selects", async () => {
    const onChange = vi.fn();
    render(<RunFilterBar filters={NO_FILTERS} flows={flows} onChange={onChange} />);
    await userEvent.selectOptions(screen.getByLabelText("Status"), "failed");
    expect(onChange).toHaveBeenLastCalledWith({ ...NO_FILTERS, status: "failed" });
    await userEvent.selectOptions(screen.getByLabelText("Flow"), "Nightly digest");
    expect(onChange).toHaveBeenLastCalledWith({ ...NO_FILTERS, flow: flows[1].id });
  });

  it("searches a correlation id on Enter", async () => {
    const onChange = vi.fn();
    render(<RunFilterBar filters={NO_FILTERS} flows={flows} onChange={onChange} />);
    await userEvent.type(screen.getByLabelText("Correlation id"), " order-150 {Enter}");
    expect(onChange).toHaveBeenCalledWith({ ...NO_FILTERS, correlationId: "order-150" });
  });

  it("names a filtered flow it does not list, and clears every filter", () => {
    const onChange = vi.fn();
    const filters = { flow: "11111111-2222-3333-4444-555555555555", status: "running" as const, correlationId: "" };
    render(<RunFilterBar filters={filters} flows={flows} flowLabel="Old flow" onChange={onChange} />);
    expect(screen.getByLabelText("Flow")).toHaveDisplayValue("Old flow");
    fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(onChange).toHaveBeenCalledWith(NO_FILTERS);
  });
});
