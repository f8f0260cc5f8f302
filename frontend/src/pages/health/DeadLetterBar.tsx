/**
 * The failed-runs list's actions: replay the selected runs from their failed step or from the start
 * (`POST /runs/replay`, a hundred per call), then say what started, with links to the new runs.
 */
import { useState } from "react";
import { Link } from "react-router-dom";
import { PartialReplayError, useReplayMany, type ReplayFrom, type ReplayStarted } from "../../api/deadLetters";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { shortId } from "../runs/runFormat";
import type { RunSelection } from "./runSelection";
import "./deadLetters.css";

// A long list of links helps nobody; the rest are in the runs list.
const LINKS_SHOWN = 5;

export function DeadLetterBar({ selection, shownCount }: { selection: RunSelection; shownCount: number }) {
  const replay = useReplayMany();
  const [started, setStarted] = useState<ReplayStarted[]>([]);
  const count = selection.ids.length;

  const start = (from: ReplayFrom) => {
    setStarted([]);
    replay.mutate(
      { ids: selection.ids, from },
      {
        onSuccess: (replays) => {
          setStarted(replays);
          selection.clear();
          showToast(`${replays.length} replay${replays.length === 1 ? "" : "s"} started`, "success");
        },
        onError: (error) => {
          if (error instanceof PartialReplayError) {
            setStarted(error.started);
            selection.clear();
          }
        },
      },
    );
  };

  const failure = replay.error instanceof PartialReplayError ? replay.error.cause : replay.error;

  return (
    <section className="dead-letter-bar" aria-label="Replay failed runs">
      <div className="dead-letter-row">
        <p className="dead-letter-count" aria-live="polite">
          {count === 0 ? (
            <span className="muted">Select failed runs to replay them — or every run on this page with the box in the header.</span>
          ) : (
            <>
              <strong>{count}</strong> of {shownCount} run{shownCount === 1 ? "" : "s"} selected
            </>
          )}
        </p>
        <div className="dead-letter-actions">
          <button type="button" className="button primary small" disabled={count === 0 || replay.isPending} onClick={() => start("failed")}>
            {replay.isPending && replay.variables?.from === "failed" && <Spinner small />}
            Replay selected from failed step
          </button>
          <button type="button" className="button secondary small" disabled={count === 0 || replay.isPending} onClick={() => start("start")}>
            {replay.isPending && replay.variables?.from === "start" && <Spinner small />}
            Replay selected from start
          </button>
          {count > 0 && (
            <button type="button" className="button ghost small" disabled={replay.isPending} onClick={selection.clear}>
              Clear selection
            </button>
          )}
        </div>
      </div>
      {started.length > 0 && (
        <div className="dead-letter-started" role="status">
          <span>
            {started.length} replay{started.length === 1 ? "" : "s"} started{replay.isError ? " before the error below" : ""}:
          </span>
          <ul>
            {started.slice(0, LINKS_SHOWN).map(({ of, run }) => (
              <li key={run.id}>
                <Link to={`/runs/${run.id}`} aria-label={`Run ${shortId(run.id)}, the replay of run ${shortId(of)}`}>
                  <code>{shortId(run.id)}</code>
                </Link>
                <span className="muted small"> replays {shortId(of)}</span>
              </li>
            ))}
            {started.length > LINKS_SHOWN && <li className="muted small">and {started.length - LINKS_SHOWN} more</li>}
          </ul>
        </div>
      )}
      {failure ? <ProblemMessage error={failure} title="The runs could not be replayed." /> : null}
    </section>
  );
}
