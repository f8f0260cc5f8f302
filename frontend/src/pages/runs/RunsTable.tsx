/** Runs as a table: one row per run, the whole row opens the run. */
import { Link, useNavigate } from "react-router-dom";
import type { Run } from "../../api/types";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import { StatusBadge } from "../../ui/StatusBadge";
import { formatRunDuration, isRunActive, shortId, triggerLabel, truncate } from "./runFormat";
import { useNow } from "./useNow";

export function RunsTable({ runs, flowNames, showFlow = true }: { runs: Run[]; flowNames: Map<string, string>; showFlow?: boolean }) {
  const navigate = useNavigate();
  const now = useNow(runs.some((run) => isRunActive(run.status)));

  return (
    <div className="table-wrap">
      <table className="data-table runs-table" aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            {showFlow && <th scope="col">Flow</th>}
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started</th>
            <th scope="col" className="numeric">
              Duration
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr
              key={run.id}
              className="clickable-row"
              data-status={run.status}
              onClick={(event) => {
                // Links inside the row, and selecting text, keep their own behaviour.
                if ((event.target as HTMLElement).closest("a, button") || window.getSelection()?.toString()) return;
                navigate(`/runs/${run.id}`);
              }}
            >
              <td>
                <Link to={`/runs/${run.id}`} className="run-id-link" aria-label={`Run ${shortId(run.id)}`} title={run.id}>
                  <code>{shortId(run.id)}</code>
                </Link>
                {run.replay_of && (
                  <span className="replay-mark" title={`Replay of run ${run.replay_of}`}>
                    replay
                  </span>
                )}
              </td>
              {showFlow && <td className="cell-strong">{flowNames.get(run.flow) ?? <code className="muted">{shortId(run.flow)}</code>}</td>}
              <td>{run.version == null ? <span className="tag">test</span> : `v${run.version}`}</td>
              <td>{run.status && <StatusBadge status={run.status} />}</td>
              <td>{triggerLabel(run.trigger)}</td>
              <td>
                {run.started_at ? (
                  <RelativeTime iso={run.started_at} />
                ) : (
                  <span className="muted" title={formatDateTime(run.created_at)}>
                    not yet
                  </span>
                )}
              </td>
              <td className="numeric">{formatRunDuration(run, now)}</td>
              <td className={run.status === "cancelled" ? "cell-error is-cancel" : "cell-error"} title={run.error || undefined}>
                {run.error ? <span className="cell-clip">{truncate(run.error, 120)}</span> : <span className="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
