/** One step of a run: its status, attempts, timings, input, output and error. */
import type { Step } from "../api/types";
import { JsonView } from "./JsonView";
import { formatDateTime } from "./RelativeTime";
import { StatusBadge } from "./StatusBadge";

function duration(step: Step): string | null {
  if (!step.started_at || !step.finished_at) return null;
  const ms = new Date(step.finished_at).getTime() - new Date(step.started_at).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function StepDetails({ step }: { step: Step }) {
  const took = duration(step);
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
      <JsonView label="Input" value={step.input} />
      <JsonView label="Output" value={step.output} />
    </section>
  );
}
