/** Submitting the draft for approval, with a note for the approver. */
import { useState } from "react";
import { useSubmitVersion } from "../../api/versions";
import type { Version } from "../../api/types";
import { Dialog } from "../../ui/Dialog";
import { ProblemMessage } from "../../ui/ProblemMessage";

export function SubmitDialog({
  flowId,
  problemCount,
  onClose,
  onSubmitted,
  beforeSubmit,
}: {
  flowId: string;
  problemCount: number;
  onClose: () => void;
  onSubmitted: (version: Version) => void;
  beforeSubmit: () => Promise<boolean>;
}) {
  const [note, setNote] = useState("");
  const submit = useSubmitVersion(flowId);
  const [saveFailed, setSaveFailed] = useState(false);

  const send = async () => {
    setSaveFailed(false);
    if (!(await beforeSubmit())) {
      setSaveFailed(true);
      return;
    }
    try {
      onSubmitted(await submit.mutateAsync(note));
    } catch {
      // Shown below.
    }
  };

  return (
    <Dialog
      title="Submit for approval"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={() => void send()} disabled={submit.isPending || problemCount > 0}>
            {submit.isPending ? "Submitting…" : "Submit"}
          </button>
        </>
      }
    >
      <p className="muted">The draft is frozen as a new version. An approver reviews it; once approved it goes live and replaces the live version.</p>
      {problemCount > 0 && (
        <p className="warning-note">
          The draft has {problemCount} problem{problemCount > 1 ? "s" : ""}: only a complete draft can become a version. Fix {problemCount > 1 ? "them" : "it"} first.
        </p>
      )}
      <label className="form-label" htmlFor="version-note">
        Note
      </label>
      <textarea
        id="version-note"
        rows={4}
        value={note}
        maxLength={5000}
        placeholder="What changed, and why (for the approver)"
        onChange={(event) => setNote(event.target.value)}
      />
      {saveFailed && <p className="field-error">The draft could not be saved, so it was not submitted.</p>}
      {submit.error && <ProblemMessage error={submit.error} title="The version could not be submitted." />}
    </Dialog>
  );
}
