/**
 * Autosave of the draft: a second after the last change the draft is saved as it is (`partial`, so
 * unfinished work is kept and the answer lists what is still wrong). A new flow is created on its
 * first change. `saveNow` saves at once (Ctrl+S, before a test run or a submission).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { flowsApi } from "../../api/flows";
import { queryKeys } from "../../api/queryKeys";
import type { Flow } from "../../api/types";
import { useDraftSaveStore } from "../../stores/draftSaveStore";
import { useEditorStore } from "../../stores/editorStore";
import { useValidationStore } from "../../stores/validationStore";

const AUTOSAVE_DELAY_MS = 1000;

export function useDraftAutosave({
  flowId,
  newFlowName,
  newFlowTeam = () => undefined,
  onCreated,
}: {
  flowId: string | undefined;
  /** For a flow not created yet: the name to create it with. */
  newFlowName: () => string;
  /** For a flow not created yet: the team it goes to (else its maker's first team). */
  newFlowTeam?: () => number | undefined;
  onCreated: (flow: Flow) => void;
}) {
  const client = useQueryClient();
  const idRef = useRef(flowId);
  idRef.current = flowId ?? idRef.current;
  const inFlight = useRef<Promise<boolean> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const callbacks = useRef({ newFlowName, newFlowTeam, onCreated });
  callbacks.current = { newFlowName, newFlowTeam, onCreated };

  const saveOnce = useCallback(async (): Promise<boolean> => {
    const editor = useEditorStore.getState();
    const saving = useDraftSaveStore.getState();
    const revision = editor.revision;
    if (revision === saving.savedRevision && idRef.current) return true;
    const document = editor.document();
    saving.markSaving();
    try {
      let flow: Flow;
      if (!idRef.current) {
        flow = await flowsApi.create(callbacks.current.newFlowName(), document, true, callbacks.current.newFlowTeam());
        idRef.current = flow.id;
        callbacks.current.onCreated(flow);
      } else {
        flow = await flowsApi.saveDraft(idRef.current, document, true);
      }
      client.setQueryData(queryKeys.flow(flow.id), flow);
      void client.invalidateQueries({ queryKey: queryKeys.allFlowLists });
      useDraftSaveStore.getState().markSaved(revision);
      if (flow.problems && useEditorStore.getState().revision === revision) {
        useValidationStore.getState().setProblems(flow.problems, revision);
      }
      return true;
    } catch (error) {
      useDraftSaveStore.getState().markFailed(error);
      return false;
    }
  }, [client]);

  /** Saves now (after any save under way); true when the server has the current draft. */
  const saveNow = useCallback(async (): Promise<boolean> => {
    clearTimeout(timer.current);
    while (inFlight.current) await inFlight.current;
    const run = saveOnce();
    inFlight.current = run;
    try {
      return await run;
    } finally {
      inFlight.current = null;
      // Changes made while saving are saved next.
      const state = useEditorStore.getState();
      if (state.revision !== useDraftSaveStore.getState().savedRevision && useDraftSaveStore.getState().status !== "error") {
        timer.current = setTimeout(() => void saveNow(), AUTOSAVE_DELAY_MS);
      }
    }
  }, [saveOnce]);

  useEffect(() => {
    const unsubscribe = useEditorStore.subscribe((state, previous) => {
      if (state.revision === previous.revision) return;
      if (state.revision === useDraftSaveStore.getState().savedRevision) return;
      useDraftSaveStore.setState({ status: useDraftSaveStore.getState().status === "saving" ? "saving" : "unsaved" });
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void saveNow(), AUTOSAVE_DELAY_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer.current);
    };
  }, [saveNow]);

  // Leaving the editor within the app: whatever is not saved yet is sent on the way out.
  useEffect(
    () => () => {
      const editor = useEditorStore.getState();
      if (idRef.current && editor.revision !== useDraftSaveStore.getState().savedRevision) {
        void flowsApi.saveDraft(idRef.current, editor.document(), true).catch(() => undefined);
      }
    },
    [],
  );

  // Leaving the page: the browser asks first while changes are not saved.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      const { status } = useDraftSaveStore.getState();
      if (status === "unsaved" || status === "saving" || status === "error") {
        event.preventDefault();
      }
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  return { saveNow };
}
