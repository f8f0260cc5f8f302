/** Failed over succeeded per bucket as stacked SVG bars; a failure always shows, however few. */
import type { FailureBucketSize, FailureCounts } from "../../api/health";
import { bucketLabel, chartSummary } from "./failureBuckets";

const BAR = 8;
const GAP = 2;
// A single failure among hundreds of successes would be under a pixel high; it gets at least this.
const MIN_FAILED = 3;

export function FailureChart({
  buckets,
  bucket,
  subject,
  noun = "run",
  height = 64,
  axis = true,
}: {
  /** Every bucket of the window, empty ones included, oldest first. */
  buckets: FailureCounts[];
  bucket: FailureBucketSize;
  /** What is counted, for the chart's accessible name ("Big orders runs"). */
  subject: string;
  noun?: string;
  height?: number;
  axis?: boolean;
}) {
  const max = Math.max(1, ...buckets.map((b) => b.failed + b.succeeded));
  const width = Math.max(1, buckets.length * (BAR + GAP) - GAP);
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  return (
    <figure className="failure-chart">
      <svg
        role="img"
        aria-label={chartSummary(subject, buckets, bucket, noun)}
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        height={height}
        width="100%"
      >
        {buckets.map((b, index) => {
          const x = index * (BAR + GAP);
          const failed = b.failed > 0 ? Math.max(MIN_FAILED, (b.failed / max) * height) : 0;
          const succeeded = Math.min(height - failed, (b.succeeded / max) * height);
          return (
            <g key={b.start} className="chart-bucket">
              <title>{`${bucketLabel(b.start, bucket)} UTC: ${b.failed} failed, ${b.succeeded} succeeded`}</title>
              <rect className="chart-hit" x={x} y={0} width={BAR} height={height} />
              {succeeded > 0 && <rect className="chart-succeeded" x={x} y={height - succeeded} width={BAR} height={succeeded} />}
              {failed > 0 && <rect className="chart-failed" x={x} y={height - succeeded - failed} width={BAR} height={failed} />}
            </g>
          );
        })}
      </svg>
      {axis && first && last && (
        <figcaption className="chart-axis muted small" aria-hidden="true">
          <span>{bucketLabel(first.start, bucket)}</span>
          <span>{bucketLabel(last.start, bucket)} UTC</span>
        </figcaption>
      )}
    </figure>
  );
}
