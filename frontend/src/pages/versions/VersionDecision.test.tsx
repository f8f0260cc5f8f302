import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meWith } from "../../api/identity.fixture";
import { FIXTURE_FLOW_ID as FLOW_ID, pendingVersion } from "../../api/versions.fixture";
import { renderWithApp, stubApi } from "../runs/testing";
import { VersionDecision } from "./VersionDecision";

afterEach(() => vi.unstubAllGlobals());

const erinApproved = { by: "erin", at: "2024-05-01T11:00:00Z", comment: "Looks right", self_approved: false, fewer_deciders: false };

describe("VersionDecision", () => {
  it("blocks the author while someone else may decide", async () => {
    stubApi({ "/api/v1/me": meWith(["builder", "approver"], { username: "bob" }) });
    renderWithApp(<VersionDecision flowId={FLOW_ID} version={pendingVersion()} isLive={false} />);
    expect(await screen.findByRole("heading", { name: "You wrote this version" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Reject" })).not.toBeInTheDocument();
  });

  it("lets the author approve when nobody else could, saying it is a self-approval", async () => {
    stubApi({ "/api/v1/me": meWith(["builder", "approver"], { username: "bob" }) });
    renderWithApp(<VersionDecision flowId={FLOW_ID} version={pendingVersion({ self_approval_allowed: true })} isLive={false} />);
    expect(await screen.findByRole("button", { name: "Approve" })).toBeInTheDocument();
    expect(screen.getByText(/recorded as a self-approval/)).toBeInTheDocument();
  });

  it("shows who approved so far, 1 of 2, and spares them a second approval", async () => {
    stubApi({ "/api/v1/me": meWith(["approver"], { username: "erin" }) });
    renderWithApp(
      <VersionDecision flowId={FLOW_ID} version={pendingVersion({ required_approvals: 2, approvals: [erinApproved] })} isLive={false} />,
    );
    expect(await screen.findByText("1 of 2")).toBeInTheDocument();
    const list = screen.getByRole("list", { name: "Approvals so far" });
    expect(list).toHaveTextContent("Approved by erin");
    expect(list).toHaveTextContent("Looks right");
    expect(await screen.findByText(/You approved this version/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Reject" })).toBeInTheDocument();
  });

  it("sends the second approval with its comment", async () => {
    const calls = stubApi({
      "/api/v1/me": meWith(["approver"], { username: "frank" }),
      "POST /api/v1/flows": pendingVersion({ state: "approved", required_approvals: 2, approvals: [erinApproved] }),
    });
    renderWithApp(
      <VersionDecision flowId={FLOW_ID} version={pendingVersion({ required_approvals: 2, approvals: [erinApproved] })} isLive={false} />,
    );
    await userEvent.type(await screen.findByLabelText(/Comment/), "Fine");
    await userEvent.click(screen.getByRole("button", { name: "Approve" }));
    await vi.waitFor(() =>
      expect(calls).toContainEqual({ method: "POST", url: `/api/v1/flows/${FLOW_ID}/versions/2/approve`, body: { comment: "Fine" } }),
    );
  });

  it("marks a self-approval on a decided version", async () => {
    stubApi({ "/api/v1/me": meWith(["viewer"]) });
    const approval = { ...erinApproved, by: "bob", comment: "", self_approved: true, fewer_deciders: false };
    renderWithApp(
      <VersionDecision flowId={FLOW_ID} version={pendingVersion({ state: "approved", approvals: [approval], decided_by: "bob", self_approved: true })} isLive />,
    );
    expect(await screen.findByText("Approved by its author — nobody else could")).toBeInTheDocument();
    expect(screen.getByText("This is the live version: new runs of the flow use it.")).toBeInTheDocument();
  });

  it("offers builders a roll back to a retired version and opens the new version", async () => {
    const calls = stubApi({
      "/api/v1/me": meWith(["builder"]),
      "POST /api/v1/flows": pendingVersion({ number: 4, rollback_of: 2, note: "Roll back to version 2: broken" }),
    });
    renderWithApp(<VersionDecision flowId={FLOW_ID} version={pendingVersion({ state: "retired", approvals: [erinApproved] })} isLive={false} />, {
      path: `/flows/${FLOW_ID}/versions/2`,
      route: `/flows/${FLOW_ID}/versions/2`,
    });
    await userEvent.click(await screen.findByRole("button", { name: "Roll back to this version" }));
    await userEvent.type(screen.getByLabelText(/Why/), "broken");
    await userEvent.click(screen.getByRole("button", { name: "Submit the roll back" }));
    await vi.waitFor(() =>
      expect(calls).toContainEqual({ method: "POST", url: `/api/v1/flows/${FLOW_ID}/versions/2/rollback`, body: { note: "broken" } }),
    );
    expect(await screen.findByText("elsewhere")).toBeInTheDocument();
  });

  it("offers no roll back to someone who may not build", async () => {
    stubApi({ "/api/v1/me": meWith(["approver"]) });
    renderWithApp(<VersionDecision flowId={FLOW_ID} version={pendingVersion({ state: "retired", approvals: [erinApproved] })} isLive={false} />);
    expect(await screen.findByText("A later version replaced it; it no longer runs.")).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.getByText(/Approved by/)).toBeInTheDocument());
    expect(screen.queryByRole("button", { name: "Roll back to this version" })).not.toBeInTheDocument();
  });
});
