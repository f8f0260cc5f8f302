/** One failing flow on the Health page: its runs over time, and the nodes that fail with their top errors. */
import { Link } from "react-router-dom";
import type { FailureBucketSize, FlowFailures, NodeFailures } from "../../api/health";
import { RelativeTime } from "../../ui/RelativeTime";
import { shortId, truncate } from "../runs/runFormat";
import { countsText, failingNodes, fillBuckets, formatRate } from "./failureBuckets";
import { FailureChart } from "./FailureChart";

export function FlowHealthCard({ flow, starts, bucket }: { flow: FlowFailures; starts: string[]; bucket: FailureBucketSize }) {
  const nodes = failingNodes(flow);
  const name = flow.name || `Flow ${shortId(flow.id)}`;
  const headingId = `flow-health-${flow.id}`;
  return (
    <article className="health-card" aria-labelledby={headingId}>
      <header className="health-card-head">
        <div className="health-card-title">
          <h2 id={headingId}>
            <Link to={`/flows/${flow.id}`}>{name}</Link>
          </h2>
          <span className="rate-badge" title="Runs that failed, of those that finished">
            {formatRate(flow.runs.failure_rate)} failed
          </span>
          <span className="muted small">{countsText(flow.runs.failed, flow.runs.succeeded)}</span>
        </div>
        <Link className="button secondary small" to={`/runs?flow=${flow.id}&status=failed`} aria-label={`Failed runs of ${name}`}>
          Failed runs
        </Link>
      </header>

      <FailureChart buckets={fillBuckets(flow.buckets, starts)} bucket={bucket} subject={`Runs of ${name}`} />

      {nodes.length > 0 ? (
        <ol className="node-failures" aria-label={`Nodes of ${name} that failed`}>
          {nodes.map((node) => (
            <NodeRow key={`${node.node}/${node.node_type}`} node={node} starts={starts} bucket={bucket} />
          ))}
        </ol>
      ) : (
        <p className="muted small">No step failed: the runs failed outside any node (the server log has them under their correlation ids).</p>
      )}
    </article>
  );
}

function NodeRow({ node, starts, bucket }: { node: NodeFailures; starts: string[]; bucket: FailureBucketSize }) {
  return (
    <li className="node-failure">
      <div className="node-failure-head">
        <span className="node-failure-name">
          <code>{node.node}</code> <span className="muted small">{node.node_type}</span>
        </span>
        <span className="node-failure-rate">
          <strong>{formatRate(node.failure_rate)}</strong> <span className="muted small">{countsText(node.failed, node.succeeded, "step")}</span>
        </span>
      </div>
      <FailureChart buckets={fillBuckets(node.buckets, starts)} bucket={bucket} subject={`Steps of node ${node.node}`} noun="step" height={24} axis={false} />
      {node.errors.length > 0 && (
        <ul className="node-errors" aria-label={`Top errors of node ${node.node}`}>
          {node.errors.map((error) => (
            <li key={error.message} className="node-error">
              <span className="node-error-count" title={`${error.count} time${error.count === 1 ? "" : "s"}`}>
                ×{error.count}
              </span>
              <span className="node-error-message" title={error.message}>
                {truncate(error.message, 160)}
              </span>
              <span className="node-error-latest small">
                <Link to={`/runs/${error.latest_run}`} aria-label={`Latest failing run of node ${node.node}: ${shortId(error.latest_run)}`}>
                  run <code>{shortId(error.latest_run)}</code>
                </Link>{" "}
                <span className="muted">
                  <RelativeTime iso={error.latest_at} />
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
