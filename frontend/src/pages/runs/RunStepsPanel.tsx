/** Beside the run's canvas: every step in the order it ran, and the chosen step's data (and, at an approval, the decision box). */
import type { NodeType, Run } from "../../api/types";
import { APPROVAL_NODE_TYPE, RunApprovalTask } from "../approvals/RunApprovalTask";
import { JsonView } from "../../ui/JsonView";
import { StatusBadge } from "../../ui/StatusBadge";
import { StepDetails } from "../../ui/StepDetails";
import { formatDuration } from "./runFormat";
import { notRunLabel, type StepRow } from "./runGraph";

function stepTook(row: StepRow): string | null {
  const step = row.step;
  if (!step?.started_at || !step.finished_at || step.status === "skipped") return null;
  return formatDuration(Date.parse(step.finished_at) - Date.parse(step.started_at));
}

/** Steps that did run: a skipped step (a branch not taken) did not. */
function ranCount(rows: StepRow[]): number {
  return rows.filter((row) => row.step && row.step.status !== "skipped").length;
}

export function RunStepsPanel({
  run,
  rows,
  nodeTypes,
  selected,
  onSelect,
}: {
  run: Run;
  rows: StepRow[];
  nodeTypes: Map<string, NodeType>;
  selected: string | null;
  onSelect: (node: string | null) => void;
}) {
  const chosen = selected ? rows.find((row) => row.node === selected) : undefined;
  const title = (row: StepRow) => nodeTypes.get(row.nodeType)?.title ?? row.nodeType;

  return (
    <aside className="run-side" aria-label="Steps">
      <section className="side-section">
        <h2 className="side-title">
          Steps <span className="muted small">{ranCount(rows)} of {rows.length} ran</span>
        </h2>
        {rows.length === 0 ? (
          <p className="muted small">No steps yet.</p>
        ) : (
          <ol className="step-list">
            {rows.map((row) => {
              const took = stepTook(row);
              const attempts = row.step?.attempts ?? 0;
              return (
                <li key={row.node}>
                  <button
                    type="button"
                    className={`step-row${row.node === selected ? " is-selected" : ""}`}
                    aria-pressed={row.node === selected}
                    aria-label={`Step ${row.node}`}
                    onClick={() => onSelect(row.node === selected ? null : row.node)}
                  >
                    <span className={`step-dot status-${row.step?.status ?? "none"}`} aria-hidden="true" />
                    <span className="step-row-main">
                      <span className="step-row-name">
                        <code>{row.node}</code>
                        {row.name && <span className="step-row-label">{row.name}</span>}
                      </span>
                      <span className="step-row-meta muted small">
                        {title(row)}
                        {took && ` · ${took}`}
                        {attempts > 1 && ` · ${attempts} attempts`}
                        {!row.inDocument && " · not in the current draft"}
                        {row.step?.masked && " · hidden (sensitive)"}
                      </span>
                    </span>
                    {row.step ? (
                      <StatusBadge status={row.step.status} kind="step" />
                    ) : (
                      <span className="muted small">{notRunLabel(run.status)}</span>
                    )}
                  </button>
                </li>
              );
            })}
          </ol>
        )}
      </section>

      {chosen ? (
        <section className="side-section step-panel" aria-labelledby="chosen-step-title">
          <div className="side-title-row">
            <h2 className="side-title" id="chosen-step-title">
              Step <code>{chosen.node}</code> <span className="muted small">{title(chosen)}</span>
            </h2>
            <button type="button" className="button ghost tiny" onClick={() => onSelect(null)} aria-label="Close step details">
              Close
            </button>
          </div>
          {chosen.step ? (
            <>
              {chosen.step.masked && <MaskedNote />}
              {chosen.step.status === "waiting" && chosen.nodeType === APPROVAL_NODE_TYPE && <RunApprovalTask runId={run.id} node={chosen.node} />}
              <StepDetails step={chosen.step} />
            </>
          ) : (
            <p className="muted">
              {notRunLabel(run.status) === "Not started"
                ? "This step has not started yet. Its data appears here as soon as it runs."
                : "The run ended before it reached this step."}
            </p>
          )}
        </section>
      ) : (
        <section className="side-section">
          <p className="muted small">Choose a step on the canvas or in the list to see its input, output and error.</p>
        </section>
      )}

      {run.status === "succeeded" && run.output !== null && run.output !== undefined && (
        <section className="side-section">
          <JsonView label="Run output" value={run.output} />
        </section>
      )}
    </aside>
  );
}

/** Shown on a step whose data the server masked: a sensitive node's, or one fed by it. */
export function MaskedNote() {
  return (
    <p className="step-masked-note" role="note">
      <strong>Hidden: sensitive step (admins only).</strong>{" "}
      <span className="muted small">The data is kept; only the names of its fields are shown here.</span>
    </p>
  );
}
