/** One audit entry opened: what changed (before → after, field by field), the rest of its detail, and its context. */
import { JsonView } from "../../ui/JsonView";
import { formatDateTime } from "../../ui/RelativeTime";
import type { AuditEntry } from "./auditApi";
import { detailChanges, formatValue, otherDetail } from "./auditFormat";

const KIND_LABEL = { added: "added", removed: "removed", changed: "changed" } as const;

export function AuditDetail({ entry }: { entry: AuditEntry }) {
  const changes = detailChanges(entry.detail);
  const rest = otherDetail(entry.detail);
  return (
    <div className="audit-detail">
      <dl className="audit-context">
        <dt>Time</dt>
        <dd>{formatDateTime(entry.at)}</dd>
        <dt>IP address</dt>
        <dd>{entry.ip || <span className="muted">none (not from a request)</span>}</dd>
        <dt>Correlation id</dt>
        <dd>{entry.correlation_id ? <code>{entry.correlation_id}</code> : <span className="muted">none</span>}</dd>
        <dt>Entry</dt>
        <dd>
          #{entry.seq} in the chain
        </dd>
      </dl>
      {changes && (
        changes.length === 0 ? (
          <p className="muted small">Before and after are the same.</p>
        ) : (
          <table className="audit-diff" aria-label="Changes">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change) => (
                <tr key={change.path} className={`audit-diff-${change.kind}`} aria-label={`${change.path || "value"} ${KIND_LABEL[change.kind]}`}>
                  <th scope="row">
                    <code>{change.path || "value"}</code>
                  </th>
                  <td className="audit-before">
                    {change.kind === "added" ? <span className="muted">—</span> : <del>{formatValue(change.before)}</del>}
                  </td>
                  <td className="audit-after">
                    {change.kind === "removed" ? <span className="muted">removed</span> : <ins>{formatValue(change.after)}</ins>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
      {Object.keys(rest).length > 0 && <JsonView value={rest} label="Detail" />}
    </div>
  );
}
