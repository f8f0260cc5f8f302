import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventsPage } from "../EventsPage";
import { renderWithApp, stubApi } from "../runs/testing";
import type { EventDelivery, EventEndpoint } from "./eventsApi";

afterEach(() => vi.unstubAllGlobals());

const endpoint: EventEndpoint = {
  id: "0d6c7e38-2f7a-4a4e-8d3a-9c1a1c2b3d4e",
  url: "https://hooks.example.com/ops",
  description: "Ops chat",
  event_types: ["run.failed", "version.approved"],
  active: true,
  secret_fingerprint: "AbCdEfGh",
  created_by: "alice",
  created_at: "2024-05-01T10:00:00Z",
  last_delivery_status: "failed",
  last_delivery_at: "2024-05-01T10:05:00Z",
};

const delivery: EventDelivery = {
  id: "7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  endpoint: endpoint.id,
  event_type: "run.failed",
  webhook_id: "msg_9f3c2a8e5b1d4c7fa0e6b2d8c4f1a357",
  status: "failed",
  attempts: 1,
  attempt_log: [
    {
      attempt: 1,
      at: "2024-05-01T10:05:00Z",
      status_code: 410,
      error: "POST https://hooks.example.com/ops answered 410 Gone: the receiver says this endpoint is gone.",
      duration_ms: 42,
      replay: 0,
    },
  ],
  error: "POST https://hooks.example.com/ops answered 410 Gone: the receiver says this endpoint is gone.",
  replays: 0,
  correlation_id: "order-12345",
  payload: { type: "run.failed", timestamp: "2024-05-01T10:05:00Z", data: {} },
  next_attempt_at: null,
  created_at: "2024-05-01T10:05:00Z",
  delivered_at: null,
};

function problem(status: number, detail: string, errors: unknown[] = []) {
  return new Response(JSON.stringify({ status, title: "Refused", detail, errors }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

describe("EventsPage", () => {
  it("shows the server's refusal to someone who is not an admin", async () => {
    stubApi({ "/api/v1/event-endpoints": problem(403, "Only admins may manage event subscriptions.") });
    renderWithApp(<EventsPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Only admins may manage event subscriptions.");
    expect(screen.queryByRole("button", { name: "Register endpoint" })).not.toBeInTheDocument();
  });

  it("registers an endpoint and shows its secret once, with a copy button", async () => {
    const calls = stubApi({
      "POST /api/v1/event-endpoints": { ...endpoint, last_delivery_status: null, last_delivery_at: null, secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=" },
      "/api/v1/event-endpoints": { results: [], next: null },
    });
    renderWithApp(<EventsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Register an endpoint" }));
    const form = screen.getByRole("form", { name: "Register an endpoint" });
    await userEvent.type(within(form).getByLabelText("URL"), "https://hooks.example.com/ops");
    await userEvent.type(within(form).getByLabelText(/Description/), "Ops chat");
    await userEvent.click(within(form).getByRole("checkbox", { name: /version\.approved/ }));
    await userEvent.click(within(form).getByRole("button", { name: "Register endpoint" }));

    const dialog = await screen.findByRole("dialog", { name: "Endpoint registered" });
    expect(within(dialog).getByLabelText("Signing secret")).toHaveValue("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
    expect(within(dialog).getByRole("button", { name: "Copy signing secret" })).toBeInTheDocument();
    expect(within(dialog).getByText(/shown only this once/)).toBeInTheDocument();
    expect(calls.find((call) => call.method === "POST")).toMatchObject({
      url: "/api/v1/event-endpoints",
      body: { url: "https://hooks.example.com/ops", description: "Ops chat", event_types: ["run.failed", "version.approved"] },
    });
  });

  it("checks the form before sending, and puts the server's problems on their fields", async () => {
    const calls = stubApi({
      "POST /api/v1/event-endpoints": problem(400, "10.0.0.5 is refused: it is not a public address (private).", [
        { node: null, field: "url", message: "10.0.0.5 is refused: it is not a public address (private)." },
      ]),
      "/api/v1/event-endpoints": { results: [], next: null },
    });
    renderWithApp(<EventsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Register endpoint" }));
    const form = screen.getByRole("form", { name: "Register an endpoint" });
    await userEvent.click(within(form).getByRole("checkbox", { name: /run\.failed/ }));
    await userEvent.click(within(form).getByRole("button", { name: "Register endpoint" }));
    expect(within(form).getByText("Enter the URL that receives the events.")).toBeInTheDocument();
    expect(within(form).getByText("Choose at least one event.")).toBeInTheDocument();
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.type(within(form).getByLabelText("URL"), "http://10.0.0.5/hook");
    await userEvent.click(within(form).getByRole("checkbox", { name: /run\.failed/ }));
    await userEvent.click(within(form).getByRole("button", { name: "Register endpoint" }));
    expect(await within(form).findByText(/not a public address/)).toBeInTheDocument();
    expect(within(form).getByLabelText("URL")).toHaveAttribute("aria-invalid", "true");
  });

  it("lists endpoints with their controls, the delivery log, and replays a delivery", async () => {
    const calls = stubApi({
      [`POST /api/v1/event-deliveries/${delivery.id}/replay`]: { ...delivery, status: "pending", replays: 1 },
      [`POST /api/v1/event-endpoints/${endpoint.id}/test`]: { ...delivery, id: "11111111-2222-4333-8444-555555555555", status: "pending", attempts: 0, attempt_log: [] },
      [`/api/v1/event-endpoints/${endpoint.id}/deliveries`]: { results: [delivery], next: null },
      "/api/v1/event-endpoints": { results: [endpoint], next: null },
    });
    renderWithApp(<EventsPage />);
    const card = await screen.findByRole("article", { name: `Endpoint ${endpoint.url}` });
    for (const name of [
      `Deactivate ${endpoint.url}`,
      `Rotate the signing secret of ${endpoint.url}`,
      `Send a sample run.failed event to ${endpoint.url}`,
      `Show deliveries to ${endpoint.url}`,
      `Delete ${endpoint.url}`,
    ]) {
      expect(within(card).getByRole("button", { name })).toBeInTheDocument();
    }

    await userEvent.selectOptions(within(card).getByLabelText(`Sample event type for ${endpoint.url}`), "version.approved");
    await userEvent.click(within(card).getByRole("button", { name: `Send a sample version.approved event to ${endpoint.url}` }));
    const log = await within(card).findByRole("region", { name: `Deliveries to ${endpoint.url}` });
    expect(calls.find((call) => call.url.endsWith("/test"))?.body).toEqual({ type: "version.approved" });

    const attempts = within(log).getByRole("list", { name: /Attempts of run\.failed/ });
    expect(attempts).toHaveTextContent("#1 · 410 · 42 ms");
    expect(attempts).toHaveTextContent("the receiver says this endpoint is gone");
    await userEvent.click(within(log).getByRole("button", { name: "Replay run.failed msg_9f3c2a8e…" }));
    expect(calls.find((call) => call.url.endsWith("/replay"))).toMatchObject({ method: "POST", url: `/api/v1/event-deliveries/${delivery.id}/replay` });
  });
});
