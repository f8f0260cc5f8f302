/** What can be done to a run: replay it (from the failed step or from the start) and cancel it — for people who may write runs. */
import { useNavigate } from "react-router-dom";
import { useCan } from "../../api/me";
import { useCancelRun, useReplayRun } from "../../api/runs";
import type { Run } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { isRunActive, shortId } from "./runFormat";

export function RunActions({ run }: { run: Run }) {
  const navigate = useNavigate();
  const replay = useReplayRun();
  const cancel = useCancelRun();
  const busy = replay.isPending || cancel.isPending;
  const mayWrite = useCan()("runs:write");

  const startReplay = (from: "failed" | "start") => {
    cancel.reset();
    replay.mutate(
      { id: run.id, from },
      {
        onSuccess: (replayed) => {
          showToast(`Replay started: run ${shortId(replayed.id)}`, "success");
          navigate(`/runs/${replayed.id}`);
        },
      },
    );
  };

  if (!mayWrite) return null;

  return (
    <div className="run-actions">
      <div className="button-row">
        {run.status === "failed" && (
          <button type="button" className="button primary" disabled={busy} onClick={() => startReplay("failed")}>
            {replay.isPending && replay.variables?.from === "failed" && <Spinner small />}
            Replay from failed step
          </button>
        )}
        <button
          type="button"
          className={run.status === "failed" ? "button secondary" : "button primary"}
          disabled={busy}
          onClick={() => startReplay("start")}
        >
          {replay.isPending && replay.variables?.from === "start" && <Spinner small />}
          Replay from start
        </button>
        {isRunActive(run.status) && (
          <button
            type="button"
            className="button danger-outline"
            disabled={busy}
            onClick={() => {
              replay.reset();
              cancel.mutate(run.id, { onSuccess: () => showToast("Run cancelled", "success") });
            }}
          >
            {cancel.isPending && <Spinner small />}
            Cancel run
          </button>
        )}
      </div>
      {run.status === "failed" && (
        <p className="muted small">
          From the failed step reuses what succeeded; from the start runs every step again, actions included.
        </p>
      )}
      {replay.error && <ProblemMessage error={replay.error} title="The run could not be replayed." />}
      {cancel.error && <ProblemMessage error={cancel.error} title="The run could not be cancelled." />}
    </div>
  );
}
