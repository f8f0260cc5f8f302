/** The bar over the canvas while a test run is shown: its status, progress, and a way back to editing. */
import { Link } from "react-router-dom";
import type { Run } from "../../api/types";
import { isRunFinished, type RunSocketState } from "../../api/runSocket";
import { Spinner } from "../../ui/Loading";
import { StatusBadge } from "../../ui/StatusBadge";

export function TestRunBar({ run, socket, nodeCount, onClose }: { run: Run | null; socket: RunSocketState; nodeCount: number; onClose: () => void }) {
  const done = run ? run.steps.filter((step) => step.status !== "running" && step.status !== "waiting").length : 0;
  const finished = isRunFinished(run);
  return (
    <div className="test-run-bar" role="status" aria-label="Test run">
      <strong>Test run</strong>
      {run ? <StatusBadge status={run.status ?? "queued"} /> : <Spinner small />}
      {run && !finished && (
        <span className="muted small">
          {done} of {nodeCount} steps
        </span>
      )}
      {run?.error && <span className="test-run-error">{run.error}</span>}
      {!finished && socket !== "open" && <span className="muted small">{socket === "connecting" ? "connecting…" : "reconnecting…"}</span>}
      <span className="spacer" />
      {run && (
        <Link to={`/runs/${run.id}`} className="button ghost tiny">
          Open run
        </Link>
      )}
      <button type="button" className="button ghost tiny" onClick={onClose} aria-label="Close test run">
        Back to editing
      </button>
    </div>
  );
}
