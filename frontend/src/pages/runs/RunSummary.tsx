/** The facts of a run: flow, version, trigger, correlation id, timings, what it replays, its error. */
import { Link } from "react-router-dom";
import type { Run } from "../../api/types";
import { copyText } from "../../ui/JsonView";
import { formatDateTime, formatRelative, RelativeTime } from "../../ui/RelativeTime";
import { showToast } from "../../stores/toastStore";
import { formatRunDuration, isRunActive, shortId, triggerLabel } from "./runFormat";
import { useNow } from "./useNow";

export function RunSummary({ run, flowName }: { run: Run; flowName: string | undefined }) {
  const now = useNow(isRunActive(run.status));
  return (
    <dl className="facts run-facts">
      <div>
        <dt>Flow</dt>
        <dd>
          <Link to={`/flows/${run.flow}`}>{flowName ?? `Flow ${shortId(run.flow)}`}</Link>
        </dd>
      </div>
      <div>
        <dt>Version</dt>
        <dd>
          {run.version == null ? (
            <span>Test of the draft</span>
          ) : (
            <Link to={`/flows/${run.flow}/versions/${run.version}`}>Version {run.version}</Link>
          )}
        </dd>
      </div>
      <div>
        <dt>Trigger</dt>
        <dd>{triggerLabel(run.trigger)}</dd>
      </div>
      <div className="fact-wide">
        <dt>Correlation id</dt>
        <dd className="with-copy">
          <code className="correlation-id" title={run.correlation_id}>
            {run.correlation_id}
          </code>
          <button
            type="button"
            className="button ghost tiny"
            aria-label="Copy correlation id"
            onClick={() =>
              void copyText(run.correlation_id).then(
                () => showToast("Correlation id copied", "success"),
                () => showToast("The correlation id could not be copied", "error"),
              )
            }
          >
            Copy
          </button>
        </dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>{run.started_at ? <TimeWithExact iso={run.started_at} /> : <span className="muted">Not yet (queued <RelativeTime iso={run.created_at} />)</span>}</dd>
      </div>
      <div>
        <dt>Finished</dt>
        <dd>{run.finished_at ? <TimeWithExact iso={run.finished_at} /> : <span className="muted">{isRunActive(run.status) ? "Still going" : "—"}</span>}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{formatRunDuration(run, now)}</dd>
      </div>
      {run.status === "waiting" && run.resume_at && (
        <div>
          <dt>Resumes</dt>
          <dd>
            <TimeWithExact iso={run.resume_at} />
          </dd>
        </div>
      )}
      {run.replay_of && (
        <div>
          <dt>Replay of</dt>
          <dd>
            <Link to={`/runs/${run.replay_of}`} aria-label={`Run ${shortId(run.replay_of)} (the run this one replays)`}>
              Run <code>{shortId(run.replay_of)}</code>
            </Link>
          </dd>
        </div>
      )}
    </dl>
  );
}

function TimeWithExact({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatRelative(iso)}>
      {formatDateTime(iso)}
    </time>
  );
}
