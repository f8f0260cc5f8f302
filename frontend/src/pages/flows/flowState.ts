/** A flow's state, from the server's `state`, or worked out from older fields when it is missing. */
import type { Flow, FlowState } from "../../api/types";

export function flowState(flow: Pick<Flow, "state" | "paused" | "live_version">): FlowState {
  if (flow.state) return flow.state;
  if (flow.paused) return "paused";
  return flow.live_version ? "live" : "draft";
}

export const FLOW_STATE_LABELS: Record<FlowState, string> = {
  draft: "Draft",
  pending: "Waiting for approval",
  live: "Live",
  paused: "Paused",
};
