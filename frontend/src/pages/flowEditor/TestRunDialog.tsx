/** Testing the draft: sample data for the trigger, then the run starts and the canvas shows it live. */
import { useState } from "react";
import { ApiError } from "../../api/client";
import { useTestFlow } from "../../api/flows";
import type { FlowNode, Run } from "../../api/types";
import { rememberPayload, rememberedPayload } from "../../stores/testRunStore";
import { Dialog } from "../../ui/Dialog";
import { ProblemMessage } from "../../ui/ProblemMessage";

/** Sample trigger output for a first test, from the trigger's type. */
export function samplePayload(trigger: FlowNode | undefined): unknown {
  switch (trigger?.type) {
    case "trigger.webhook":
      return { body: { total: 150, customer: { email: "jane@example.com" } }, headers: { "content-type": "application/json" }, query: {}, method: "POST" };
    case "trigger.schedule":
      return { scheduled_at: new Date().toISOString() };
    case "trigger.manual":
      return trigger.config?.sample ?? {};
    default:
      return {};
  }
}

export function TestRunDialog({
  flowId,
  trigger,
  onClose,
  onStarted,
  beforeStart,
  problemCount,
}: {
  /** Problems of the draft: a draft with problems cannot run. */
  problemCount: number;
  flowId: string;
  trigger: FlowNode | undefined;
  onClose: () => void;
  onStarted: (run: Run) => void;
  /** Saves the draft first; false stops the test. */
  beforeStart: () => Promise<boolean>;
}) {
  const [text, setText] = useState(() => rememberedPayload(flowId) ?? JSON.stringify(samplePayload(trigger), null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const [saveFailed, setSaveFailed] = useState(false);
  const test = useTestFlow(flowId);

  const start = async () => {
    let payload: unknown;
    try {
      payload = text.trim() === "" ? {} : JSON.parse(text);
      setParseError(null);
    } catch (reason) {
      setParseError(`The sample data is not valid JSON: ${(reason as Error).message}`);
      return;
    }
    rememberPayload(flowId, text);
    setSaveFailed(false);
    if (!(await beforeStart())) {
      setSaveFailed(true);
      return;
    }
    try {
      const run = await test.mutateAsync(payload);
      onStarted(run);
    } catch {
      // Shown below from the mutation's error.
    }
  };

  return (
    <Dialog
      title="Test the draft"
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={() => void start()} disabled={test.isPending || problemCount > 0}>
            {test.isPending ? "Starting…" : "Run test"}
          </button>
        </>
      }
    >
      <p className="muted">
        The draft runs once with this data as the trigger's output
        {trigger?.type === "trigger.webhook" ? " (the request's body, headers, query and method)" : ""}. Actions really run: e-mails are sent and
        web addresses called.
      </p>
      {problemCount > 0 && (
        <p className="warning-note" role="alert">
          The draft has {problemCount} problem{problemCount > 1 ? "s" : ""}: fix {problemCount > 1 ? "them" : "it"} before testing (see Problems under the canvas).
        </p>
      )}
      <label className="form-label" htmlFor="test-payload">
        Sample data (JSON)
      </label>
      <textarea
        id="test-payload"
        className="code-input"
        rows={12}
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={parseError ? true : undefined}
      />
      {parseError && <p className="field-error">{parseError}</p>}
      {saveFailed && <p className="field-error">The draft could not be saved, so it was not tested. See the error at the top.</p>}
      {test.error && (
        <ProblemMessage
          error={test.error}
          title={test.error instanceof ApiError && test.error.items.length ? "The draft cannot run yet:" : "The test could not start."}
        />
      )}
    </Dialog>
  );
}
