import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FailurePatterns } from "../../api/health";
import { HealthPage } from "../HealthPage";
import { renderWithApp, stubApi } from "../runs/testing";

const ORDERS = "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924";
const DIGEST = "0748450d-b888-480b-9258-2d2ee7bec8ed";
const MAIL = "6d0c8d52-8f0f-4b5e-a3c4-d0a4f0b2b5aa";
const LATEST = "5e00a462-0fe1-42b9-9e01-1e64b0d9fc60";

const patterns: FailurePatterns = {
  days: 7,
  bucket: "day",
  since: "2024-04-25T00:00:00Z",
  until: "2024-05-01T15:00:00Z",
  flows: [
    {
      id: DIGEST,
      name: "Nightly digest",
      runs: { failed: 3, succeeded: 1, failure_rate: 0.75 },
      buckets: [{ start: "2024-04-30T00:00:00Z", failed: 3, succeeded: 1 }],
      nodes: [
        {
          node: "mail",
          node_type: "action.email",
          failed: 3,
          succeeded: 1,
          failure_rate: 0.75,
          buckets: [{ start: "2024-04-30T00:00:00Z", failed: 3, succeeded: 1 }],
          errors: [{ message: "SMTP refused: 550 mailbox unavailable", count: 3, latest_run: LATEST, latest_at: "2024-04-30T22:00:00Z" }],
        },
        { node: "start", node_type: "trigger.schedule", failed: 0, succeeded: 4, failure_rate: 0, buckets: [], errors: [] },
      ],
    },
    {
      id: ORDERS,
      name: "Big orders",
      runs: { failed: 1, succeeded: 19, failure_rate: 0.05 },
      buckets: [
        { start: "2024-04-26T00:00:00Z", failed: 0, succeeded: 9 },
        { start: "2024-05-01T00:00:00Z", failed: 1, succeeded: 10 },
      ],
      nodes: [
        {
          node: "crm",
          node_type: "action.http",
          failed: 1,
          succeeded: 19,
          failure_rate: 0.05,
          buckets: [{ start: "2024-05-01T00:00:00Z", failed: 1, succeeded: 10 }],
          errors: [{ message: "HTTP 503 from crm.example.com", count: 1, latest_run: "11111111-2222-3333-4444-555555555555", latest_at: "2024-05-01T09:00:00Z" }],
        },
      ],
    },
    { id: MAIL, name: "Welcome mail", runs: { failed: 0, succeeded: 12, failure_rate: 0 }, buckets: [], nodes: [] },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("HealthPage", () => {
  it("shows failing flows first with their charts, failing nodes and top errors, then the healthy ones", async () => {
    stubApi({ "GET /api/v1/health/failures": patterns });
    renderWithApp(<HealthPage />, { path: "/health", route: "/health" });

    const cards = await screen.findAllByRole("article");
    expect(cards.map((card) => within(card).getByRole("heading").textContent)).toEqual(["Nightly digest", "Big orders"]);
    const digest = cards[0];
    expect(within(digest).getByText("75% failed")).toBeInTheDocument();
    // a bar per day of the window, the empty days included, named for screen readers
    const chart = within(digest).getByRole("img", { name: /^Runs of Nightly digest: 3 failed and 1 succeeded runs over 7 days/ });
    expect(chart.querySelectorAll(".chart-bucket")).toHaveLength(7);
    // failing nodes only, with their errors and a link to the latest failing run
    const nodes = within(digest).getByRole("list", { name: "Nodes of Nightly digest that failed" });
    expect(within(nodes).getAllByRole("listitem", { hidden: false }).filter((item) => item.classList.contains("node-failure"))).toHaveLength(1);
    expect(within(nodes).getByText("SMTP refused: 550 mailbox unavailable")).toBeInTheDocument();
    expect(within(nodes).getByRole("link", { name: "Latest failing run of node mail: 5e00a462" })).toHaveAttribute("href", `/runs/${LATEST}`);
    expect(within(digest).getByRole("link", { name: "Failed runs of Nightly digest" })).toHaveAttribute(
      "href",
      `/runs?flow=${DIGEST}&status=failed`,
    );
    // the totals, and the flows without failures
    expect(screen.getByText(/of 36 runs failed/)).toBeInTheDocument();
    const healthy = screen.getByRole("region", { name: "Without failures" });
    expect(within(healthy).getByRole("link", { name: "Welcome mail" })).toBeInTheDocument();
  });

  it("asks for the chosen window and bucket size", async () => {
    const calls = stubApi({ "GET /api/v1/health/failures": { ...patterns, flows: [] } });
    renderWithApp(<HealthPage />, { path: "/health", route: "/health" });
    expect(await screen.findByText("No run finished in this window")).toBeInTheDocument();
    expect(calls.at(-1)?.url).toBe("/api/v1/health/failures?days=7&bucket=day");

    await userEvent.click(screen.getByRole("radio", { name: "Hourly" }));
    await vi.waitFor(() => expect(calls.at(-1)?.url).toBe("/api/v1/health/failures?days=7&bucket=hour"));

    await userEvent.selectOptions(screen.getByLabelText("Window"), "Last 90 days");
    await vi.waitFor(() => expect(calls.at(-1)?.url).toBe("/api/v1/health/failures?days=90&bucket=day"));
    expect(screen.getByRole("radio", { name: "Hourly" })).toBeDisabled();
  });

  it("says why the numbers could not be read", async () => {
    stubApi({
      "GET /api/v1/health/failures": new Response(JSON.stringify({ status: 400, title: "Invalid request", detail: "`days` is a whole number from 1 to 90." }), {
        status: 400,
        headers: { "Content-Type": "application/problem+json" },
      }),
    });
    renderWithApp(<HealthPage />, { path: "/health", route: "/health" });
    expect(await screen.findByRole("alert")).toHaveTextContent("`days` is a whole number from 1 to 90.");
  });
});
