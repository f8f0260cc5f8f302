/** The audit log as a table, newest first; a row opens to its detail. */
import { Fragment, useState } from "react";
import { RelativeTime } from "../../ui/RelativeTime";
import type { AuditEntry } from "./auditApi";
import { AuditDetail } from "./AuditDetail";
import { targetLabel } from "./auditFormat";

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="table-wrap">
      <table className="data-table audit-table" aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">IP address</th>
            <th scope="col">
              <span className="visually-hidden">Detail</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const expanded = open.has(entry.id);
            return (
              <Fragment key={entry.id}>
                <tr className={expanded ? "audit-row open" : "audit-row"}>
                  <td>
                    <RelativeTime iso={entry.at} />
                  </td>
                  <td>{entry.actor_id === null && entry.actor === "system" ? <span className="muted">system</span> : entry.actor}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>{targetLabel(entry)}</td>
                  <td>{entry.ip || <span className="muted">—</span>}</td>
                  <td>
                    <button
                      type="button"
                      className="button ghost tiny"
                      aria-expanded={expanded}
                      aria-controls={`audit-detail-${entry.id}`}
                      aria-label={`${expanded ? "Hide" : "Show"} detail of ${entry.action} on ${targetLabel(entry)}`}
                      onClick={() => toggle(entry.id)}
                    >
                      {expanded ? "Hide" : "Detail"}
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr className="audit-detail-row" id={`audit-detail-${entry.id}`}>
                    <td colSpan={6}>
                      <AuditDetail entry={entry} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
