/** Live feedback: the server's own validation of the draft, asked a moment after each change. */
import { useEffect } from "react";
import { flowsApi } from "../../api/flows";
import { useEditorStore } from "../../stores/editorStore";
import { useValidationStore } from "../../stores/validationStore";

const VALIDATE_DELAY_MS = 400;

export function useLiveValidation(enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | null = null;

    const validate = () => {
      const editor = useEditorStore.getState();
      const revision = editor.revision;
      controller?.abort();
      const current = new AbortController();
      controller = current;
      useValidationStore.getState().setChecking(true);
      flowsApi
        .validate(editor.document(), current.signal)
        .then(({ problems }) => {
          if (useEditorStore.getState().revision === revision) useValidationStore.getState().setProblems(problems, revision);
        })
        .catch(() => {
          // Offline or aborted: the next change (or save) validates again.
          if (!current.signal.aborted) useValidationStore.getState().setChecking(false);
        });
    };

    const unsubscribe = useEditorStore.subscribe((state, previous) => {
      if (state.revision === previous.revision) return;
      clearTimeout(timer);
      timer = setTimeout(validate, VALIDATE_DELAY_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
      controller?.abort();
    };
  }, [enabled]);
}
