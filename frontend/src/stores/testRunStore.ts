/** The test run shown on the editor's canvas, and the sample payload last used per flow (kept in the browser). */
import { create } from "zustand";

const PAYLOAD_KEY = "switchboard.testPayload.";

interface TestRunState {
  /** The run whose steps colour the canvas, or null. */
  runId: string | null;
  show: (runId: string | null) => void;
}

export const useTestRunStore = create<TestRunState>((set) => ({
  runId: null,
  show: (runId) => set({ runId }),
}));

export function rememberedPayload(flowId: string): string | null {
  try {
    return window.localStorage.getItem(PAYLOAD_KEY + flowId);
  } catch {
    return null;
  }
}

export function rememberPayload(flowId: string, text: string): void {
  try {
    window.localStorage.setItem(PAYLOAD_KEY + flowId, text);
  } catch {
    // Private windows may refuse storage; the payload is then simply not remembered.
  }
}
