/**
 * The editor's keyboard shortcuts: Delete/Backspace removes the selection, Ctrl/Cmd+Z undoes,
 * Ctrl/Cmd+Shift+Z and Ctrl+Y redo, Ctrl/Cmd+S saves. In text fields the browser's own
 * undo and delete apply; saving works everywhere.
 */
import { useEffect } from "react";
import { useEditorStore } from "../../stores/editorStore";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit", "range", "color"].includes(target.type);
  return false;
}

export function useEditorShortcuts({ onSave, enabled = true }: { onSave: () => void; enabled?: boolean }) {
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === "s") {
        event.preventDefault();
        onSave();
        return;
      }
      if (isTyping(event.target)) return;
      // Dialogs handle their own keys.
      if (event.target instanceof HTMLElement && event.target.closest("[role='dialog']")) return;
      const editor = useEditorStore.getState();
      if (mod && key === "z" && !event.shiftKey) {
        event.preventDefault();
        editor.undo();
      } else if ((mod && key === "z" && event.shiftKey) || (event.ctrlKey && key === "y")) {
        event.preventDefault();
        editor.redo();
      } else if ((event.key === "Delete" || event.key === "Backspace") && !mod) {
        event.preventDefault();
        editor.removeSelection();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [onSave, enabled]);
}
