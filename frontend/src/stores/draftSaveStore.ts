/** Whether the draft on the server matches the canvas: autosave's progress and its last error. */
import { create } from "zustand";

export type SaveStatus = "saved" | "unsaved" | "saving" | "error";

interface DraftSaveState {
  /** The editor revision the server has. */
  savedRevision: number;
  status: SaveStatus;
  error: unknown;
  savedAt: number | null;
  markSaving: () => void;
  markSaved: (revision: number) => void;
  markFailed: (error: unknown) => void;
  reset: (revision?: number) => void;
}

export const useDraftSaveStore = create<DraftSaveState>((set) => ({
  savedRevision: 0,
  status: "saved",
  error: null,
  savedAt: null,
  markSaving: () => set({ status: "saving", error: null }),
  markSaved: (revision) => set({ savedRevision: revision, status: "saved", error: null, savedAt: Date.now() }),
  markFailed: (error) => set({ status: "error", error }),
  reset: (revision = 0) => set({ savedRevision: revision, status: "saved", error: null, savedAt: null }),
}));
