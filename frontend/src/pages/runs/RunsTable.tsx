/** Runs as a table: one row per run, the whole row opens the run; optionally a box per row to select it. */
import { Link, useNavigate } from "react-router-dom";
import type { Run } from "../../api/types";
import type { PageSelection } from "../health/runSelection";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import { StatusBadge } from "../../ui/StatusBadge";
import { formatRunDuration, isRunActive, shortId, triggerLabel, truncate } from "./runFormat";
import { useNow } from "./useNow";

/** Which rows are selected, and how to change that (the failed-runs list selects runs to replay). */
export interface RunsTableSelection {
  selected: ReadonlySet<string>;
  state: PageSelection;
  toggle: (id: string) => void;
  toggleAll: () => void;
}

export function RunsTable({
  runs,
  flowNames,
  showFlow = true,
  selection,
}: {
  runs: Run[];
  flowNames: Map<string, string>;
  showFlow?: boolean;
  selection?: RunsTableSelection;
}) {
  const navigate = useNavigate();
  const now = useNow(runs.some((run) => isRunActive(run.status)));

  return (
    <div className="table-wrap">
      <table className="data-table runs-table" aria-label="Runs">
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="select-cell">
                <input
                  type="checkbox"
                  aria-label="Select all runs on this page"
                  checked={selection.state === "all"}
                  ref={(box) => {
                    if (box) box.indeterminate = selection.state === "some";
                  }}
                  onChange={selection.toggleAll}
                />
              </th>
            )}
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
              className={selection?.selected.has(run.id) ? "clickable-row is-selected" : "clickable-row"}
              data-status={run.status}
              onClick={(event) => {
                // Links, buttons and boxes inside the row, and selecting text, keep their own behaviour.
                if ((event.target as HTMLElement).closest("a, button, input, label") || window.getSelection()?.toString()) return;
                navigate(`/runs/${run.id}`);
              }}
            >
              {selection && (
                <td className="select-cell">
                  {/* The label widens what a click hits to the whole cell. */}
                  <label className="select-hit">
                    <input
                      type="checkbox"
                      aria-label={`Select run ${shortId(run.id)}`}
                      checked={selection.selected.has(run.id)}
                      onChange={() => selection.toggle(run.id)}
                    />
                  </label>
                </td>
              )}
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
