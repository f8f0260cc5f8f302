/**
 * /health: failure patterns over a window (`?days=&bucket=`), per flow and per node, most failing
 * first — what breaks, where and since when, before anyone reports it. Healthy flows follow, briefly.
 */
import { useId, useMemo } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useFailurePatterns, type FailureBucketSize } from "../api/health";
import { EmptyState } from "../ui/EmptyState";
import { Loading, Spinner } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { bucketStarts, failureRate, formatRate, splitFlows, WINDOWS, windowFromSearch } from "./health/failureBuckets";
import { FlowHealthCard } from "./health/FlowHealthCard";
import { usePageTitle } from "./runs/usePageTitle";
import "./health/health.css";

const BUCKET_LABELS: Record<FailureBucketSize, string> = { hour: "Hourly", day: "Daily" };

export function HealthPage() {
  const [search, setSearch] = useSearchParams();
  const range = windowFromSearch(search);
  const failures = useFailurePatterns(range.days, range.bucket);
  const windowId = useId();
  usePageTitle("Health");

  const data = failures.data;
  const starts = useMemo(() => (data ? bucketStarts(data.since, data.until, data.bucket) : []), [data]);
  const { failing, healthy } = useMemo(() => splitFlows(data?.flows ?? []), [data]);
  const totals = useMemo(
    () => (data?.flows ?? []).reduce((sum, flow) => ({ failed: sum.failed + flow.runs.failed, succeeded: sum.succeeded + flow.runs.succeeded }), { failed: 0, succeeded: 0 }),
    [data],
  );
  const choice = WINDOWS.find((option) => option.days === range.days) ?? WINDOWS[1];
  const sizes: readonly FailureBucketSize[] = choice.buckets;

  const choose = (days: number, bucket?: FailureBucketSize) => {
    const option = WINDOWS.find((candidate) => candidate.days === days) ?? WINDOWS[1];
    const allowed: readonly FailureBucketSize[] = option.buckets;
    const next = new URLSearchParams(search);
    next.set("days", String(option.days));
    next.set("bucket", bucket && allowed.includes(bucket) ? bucket : option.buckets[0]);
    setSearch(next, { replace: true });
  };

  return (
    <main className="page health-page">
      <header className="page-head">
        <div>
          <h1>Health</h1>
          <p className="muted">
            Where runs fail, per flow and per node, most failing first. Test runs of drafts are left out; buckets are in UTC.
          </p>
        </div>
        <div className="page-head-actions health-controls">
          <div className="health-field">
            <label htmlFor={windowId}>Window</label>
            <select id={windowId} value={range.days} onChange={(event) => choose(Number(event.target.value), range.bucket)}>
              {WINDOWS.map((option) => (
                <option key={option.days} value={option.days}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <div className="segmented" role="radiogroup" aria-label="Bucket size">
            {(["hour", "day"] as const).map((size) => (
              <button
                key={size}
                type="button"
                role="radio"
                aria-checked={range.bucket === size}
                disabled={!sizes.includes(size)}
                title={sizes.includes(size) ? undefined : `Not offered for ${choice.label.toLowerCase()}`}
                onClick={() => choose(range.days, size)}
              >
                {BUCKET_LABELS[size]}
              </button>
            ))}
          </div>
          <button type="button" className="button secondary" onClick={() => void failures.refetch()} disabled={failures.isFetching} aria-label="Refresh health">
            {failures.isFetching && !failures.isLoading ? <Spinner small /> : null}
            Refresh
          </button>
        </div>
      </header>

      {failures.isLoading ? (
        <Loading label="Reading failure patterns…" />
      ) : failures.error && !data ? (
        <ProblemMessage error={failures.error} title="The failure patterns could not be loaded." />
      ) : !data || data.flows.length === 0 ? (
        <EmptyState title="No run finished in this window" action={<Link to="/runs" className="button secondary">See all runs</Link>}>
          Once live flows run, their successes and failures show here over time.
        </EmptyState>
      ) : (
        <div className={failures.isPlaceholderData ? "health-body is-stale" : "health-body"} aria-busy={failures.isPlaceholderData}>
          <p className="health-summary" aria-live="polite">
            {choice.label}: <strong>{totals.failed}</strong> of {totals.failed + totals.succeeded} runs failed (
            {formatRate(failureRate(totals.failed, totals.succeeded))}),{" "}
            {failing.length === 0 ? "in no flow" : `in ${failing.length} of ${data.flows.length} flow${data.flows.length === 1 ? "" : "s"}`}.
          </p>
          {failures.error && <ProblemMessage error={failures.error} title="The latest numbers could not be loaded; these are older." />}

          {failing.length > 0 ? (
            <section aria-label="Flows with failures" className="health-cards">
              {failing.map((flow) => (
                <FlowHealthCard key={flow.id} flow={flow} starts={starts} bucket={data.bucket} />
              ))}
            </section>
          ) : (
            <EmptyState title="Nothing failed">Every run that finished in this window succeeded.</EmptyState>
          )}

          {healthy.length > 0 && (
            <section className="healthy-flows" aria-labelledby="healthy-title">
              <h2 id="healthy-title">Without failures</h2>
              <ul>
                {healthy.map((flow) => (
                  <li key={flow.id}>
                    <Link to={`/runs?flow=${flow.id}`}>{flow.name}</Link>{" "}
                    <span className="muted small">
                      {flow.runs.succeeded} run{flow.runs.succeeded === 1 ? "" : "s"} succeeded
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      )}
    </main>
  );
}
