/**
 * The editor's header: the flow's name (editable), its state, the save status, the editing tools
 * (undo, redo, auto layout, save) and the flow's actions (webhook URL, test, submit, pause). Read-only,
 * it keeps what anyone may do: copy the webhook URL, export, versions.
 */
import { downloadFlowDocument } from "../../api/flowFiles";
import { useReactFlow } from "@xyflow/react";
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { errorMessage } from "../../api/client";
import { usePauseFlow, useRenameFlow, useResumeFlow } from "../../api/flows";
import type { Flow } from "../../api/types";
import { useDraftSaveStore } from "../../stores/draftSaveStore";
import { useEditorStore } from "../../stores/editorStore";
import { showToast } from "../../stores/toastStore";
import { copyText } from "../../ui/JsonView";
import { Spinner } from "../../ui/Loading";
import { StatusBadge } from "../../ui/StatusBadge";
import { flowState } from "../flows/flowState";

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = isMac ? "⌘" : "Ctrl+";

function SaveStatus({ onSave }: { onSave: () => void }) {
  const status = useDraftSaveStore((state) => state.status);
  const error = useDraftSaveStore((state) => state.error);
  return (
    <div className="save-status" aria-live="polite">
      {status === "saving" && (
        <span className="muted small">
          <Spinner small /> Saving…
        </span>
      )}
      {status === "saved" && <span className="muted small">Saved</span>}
      {status === "unsaved" && <span className="muted small">Unsaved</span>}
      {status === "error" && (
        <span className="save-error small" title={errorMessage(error)}>
          Not saved: {errorMessage(error)}
        </span>
      )}
      <button type="button" className="button ghost tiny" onClick={onSave} aria-label="Save" title={`Save now (${MOD}S)`}>
        Save
      </button>
    </div>
  );
}

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={d} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function EditorHeader({
  flow,
  name,
  onNameChange,
  onSave,
  onTest,
  onSubmit,
  onShowVersions,
  canTest,
  readOnly = false,
}: {
  flow: Flow | undefined;
  name: string;
  /** A new name typed for a flow not created yet. */
  onNameChange: (name: string) => void;
  onSave: () => void;
  onTest: () => void;
  onSubmit: () => void;
  onShowVersions: () => void;
  canTest: boolean;
  /** The person may not write flows: no editing tools, no test, no submission, no pause. */
  readOnly?: boolean;
}) {
  const canUndo = useEditorStore((state) => state.past.length > 0);
  const canRedo = useEditorStore((state) => state.future.length > 0);
  const undo = useEditorStore((state) => state.undo);
  const redo = useEditorStore((state) => state.redo);
  const layout = useEditorStore((state) => state.autoLayout);
  const reactFlow = useReactFlow();
  const autoLayout = () => {
    layout();
    requestAnimationFrame(() => void reactFlow.fitView({ padding: 0.25, maxZoom: 1, duration: 250 }));
  };
  const [draftName, setDraftName] = useState(name);
  const rename = useRenameFlow(flow?.id ?? "");
  const pause = usePauseFlow(flow?.id ?? "");
  const resume = useResumeFlow(flow?.id ?? "");

  useEffect(() => setDraftName(name), [name]);

  const commitName = () => {
    const trimmed = draftName.trim();
    if (!trimmed) {
      setDraftName(name);
      return;
    }
    if (trimmed === name) return;
    if (!flow) {
      onNameChange(trimmed);
      return;
    }
    rename.mutate(trimmed, {
      onSuccess: () => showToast("Flow renamed", "success"),
      onError: (error) => {
        setDraftName(name);
        showToast(`The flow could not be renamed: ${errorMessage(error)}`, "error");
      },
    });
  };

  const state = flow ? flowState(flow) : "draft";
  const webhookUrl = flow?.webhook_url;

  return (
    <header className="editor-header">
      <div className="editor-header-left">
        <Link to="/" className="button ghost small back-link" aria-label="Back to flows">
          ← Flows
        </Link>
        <input
          className="flow-name-input"
          aria-label="Flow name"
          readOnly={readOnly}
          value={draftName}
          maxLength={200}
          onChange={(event) => setDraftName(event.target.value)}
          onBlur={readOnly ? undefined : commitName}
          onKeyDown={(event) => {
            if (event.key === "Enter") (event.target as HTMLInputElement).blur();
            if (event.key === "Escape") {
              setDraftName(name);
              requestAnimationFrame(() => (event.target as HTMLInputElement).blur());
            }
          }}
        />
        <StatusBadge status={state} />
        {readOnly ? (
          <span className="tag read-only-tag" title="Your role lets you see this flow, not change it">
            View only
          </span>
        ) : (
          <SaveStatus onSave={onSave} />
        )}
      </div>
      {!readOnly && (
        <div className="editor-header-tools" role="toolbar" aria-label="Editing tools">
          <button type="button" className="icon-button" onClick={undo} disabled={!canUndo} aria-label="Undo" title={`Undo (${MOD}Z)`}>
            <Icon d="M9 14 4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3" />
          </button>
          <button type="button" className="icon-button" onClick={redo} disabled={!canRedo} aria-label="Redo" title={`Redo (${MOD}Shift+Z)`}>
            <Icon d="m15 14 5-5-5-5M20 9H9a5 5 0 0 0 0 10h3" />
          </button>
          <button type="button" className="icon-button" onClick={autoLayout} aria-label="Auto layout" title="Arrange the flow left to right">
            <Icon d="M3 5h6v4H3zM15 3h6v4h-6zM15 15h6v4h-6zM9 7h3v10h3M12 5h3" />
          </button>
        </div>
      )}
      <div className="editor-header-actions">
        {webhookUrl && (
          <button
            type="button"
            className="button ghost small webhook-copy"
            aria-label="Copy webhook URL"
            title={webhookUrl}
            onClick={() => void copyText(webhookUrl).then(() => showToast("Webhook URL copied", "success"))}
          >
            <Icon d="M10 14a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1M14 10a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1" />
            Webhook URL
          </button>
        )}
        {flow && !readOnly && (state === "live" || state === "paused" || flow.paused) && (
          <button
            type="button"
            className="button ghost small"
            disabled={pause.isPending || resume.isPending}
            onClick={() =>
              flow.paused
                ? resume.mutate(undefined, { onSuccess: () => showToast("Flow resumed", "success"), onError: (e) => showToast(errorMessage(e), "error") })
                : pause.mutate(undefined, { onSuccess: () => showToast("Flow paused", "success"), onError: (e) => showToast(errorMessage(e), "error") })
            }
          >
            {flow.paused ? "Resume" : "Pause"}
          </button>
        )}
        {flow && (
          <button
            type="button"
            className="button ghost small"
            aria-label="Export flow"
            title="Download the flow document (JSON) to keep, share or import elsewhere"
            onClick={() => void downloadFlowDocument(flow.id, flow.name).catch((error) => showToast(errorMessage(error), "error"))}
          >
            Export
          </button>
        )}
        <button type="button" className="button ghost small" onClick={onShowVersions} disabled={!flow} aria-label="Versions">
          Versions
        </button>
        {!readOnly && (
          <>
            <button type="button" className="button secondary small" onClick={onTest} disabled={!canTest} aria-label="Test flow" title={canTest ? "Run the draft with sample data" : "Add a trigger first"}>
              <Icon d="M6 4l14 8-14 8z" />
              Test flow
            </button>
            <button type="button" className="button primary small" onClick={onSubmit} disabled={!flow} aria-label="Submit for approval">
              Submit for approval
            </button>
          </>
        )}
      </div>
    </header>
  );
}
