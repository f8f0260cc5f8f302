/** One step of a run: its status, attempts (each with its times, status and error), timings, input, output and error. */
import type { CSSProperties } from "react";
import { attemptLogOf, type Attempt } from "../api/deadLetters";
import type { Step } from "../api/types";
import { JsonView } from "./JsonView";
import { formatDateTime } from "./RelativeTime";
import { StatusBadge } from "./StatusBadge";

function duration(step: Pick<Step, "started_at" | "finished_at">): string | null {
  if (!step.started_at || !step.finished_at) return null;
  const ms = new Date(step.finished_at).getTime() - new Date(step.started_at).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

// Attempts are seconds apart (the retry back-off): their times show the seconds.
const ATTEMPT_TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

// The attempt table's few rules stay here, with the one component that draws it.
const ATTEMPT_STYLES = {
  wrap: { marginBottom: 12, overflowX: "auto" },
  table: { width: "100%", borderCollapse: "collapse", fontSize: 12.5 },
  caption: { textAlign: "left", fontWeight: 600, marginBottom: 4 },
  head: { textAlign: "left", fontWeight: 600, color: "var(--text-muted)", padding: "3px 6px", borderBottom: "1px solid var(--border)" },
  cell: { padding: "4px 6px", borderBottom: "1px solid var(--border)", verticalAlign: "top" },
  error: { marginTop: 3, color: "#912018", whiteSpace: "pre-wrap", wordBreak: "break-word" },
} satisfies Record<string, CSSProperties>;

/** The attempt history: when each attempt started, how long it took, how it ended and why. */
function AttemptLog({ attempts }: { attempts: Attempt[] }) {
  const s = ATTEMPT_STYLES;
  return (
    <div className="attempt-log" style={s.wrap}>
      <table className="attempt-table" style={s.table}>
        <caption style={s.caption}>Attempts</caption>
        <thead>
          <tr>
            {["#", "Started", "Took", "Result"].map((label) => (
              <th key={label} scope="col" style={s.head}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr key={attempt.attempt} data-status={attempt.status}>
              <td style={s.cell}>{attempt.attempt}</td>
              <td style={{ ...s.cell, whiteSpace: "nowrap" }}>
                {attempt.started_at ? (
                  <time dateTime={attempt.started_at} title={formatDateTime(attempt.started_at)}>
                    {ATTEMPT_TIME.format(new Date(attempt.started_at))}
                  </time>
                ) : (
                  "—"
                )}
              </td>
              <td style={{ ...s.cell, whiteSpace: "nowrap" }}>{duration(attempt) ?? "—"}</td>
              <td style={s.cell}>
                {attempt.status === "retrying" ? (
                  <StatusBadge status="waiting" label="Failed, retried" />
                ) : (
                  <StatusBadge status={attempt.status} kind="step" />
                )}
                {attempt.error && <div style={s.error}>{attempt.error}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StepDetails({ step }: { step: Step }) {
  const took = duration(step);
  const attempts = attemptLogOf(step);
  return (
    <section className="step-details" aria-label={`Step ${step.node}`}>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={step.status} kind="step" />
        </dd>
        <dt>Attempts</dt>
        <dd>{step.attempts ?? 0}</dd>
        {step.port && step.port !== "out" && (
          <>
            <dt>Continued on</dt>
            <dd>
              <code>{step.port}</code>
            </dd>
          </>
        )}
        {step.started_at && (
          <>
            <dt>Started</dt>
            <dd>{formatDateTime(step.started_at)}</dd>
          </>
        )}
        {took && (
          <>
            <dt>Took</dt>
            <dd>{took}</dd>
          </>
        )}
        {step.resume_at && (
          <>
            <dt>Resumes</dt>
            <dd>{formatDateTime(step.resume_at)}</dd>
          </>
        )}
      </dl>
      {step.error && (
        <div className="step-error" role="alert">
          <strong>Error</strong>
          <pre>{step.error}</pre>
        </div>
      )}
      {attempts.length > 0 && <AttemptLog attempts={attempts} />}
      <JsonView label="Input" value={step.input} />
      <JsonView label="Output" value={step.output} />
    </section>
  );
}
