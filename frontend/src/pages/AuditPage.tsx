/**
 * /settings/audit: the audit log (admins only) — who did what to which target, when and from where —
 * filtered by actor, action, target, dates and correlation id (kept in the URL), newest first; an
 * entry opens to its before/after; the same selection downloads as JSON Lines with the chain's hashes.
 */
import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { auditExportUrl, useAuditLog } from "./audit/auditApi";
import { AuditFilterBar } from "./audit/AuditFilterBar";
import { apiQuery, filtersFromSearch, hasFilters, searchFromFilters } from "./audit/auditFormat";
import { AuditTable } from "./audit/AuditTable";
import { usePageTitle } from "./runs/usePageTitle";
import { AdminOnly } from "./settings/AdminOnly";
import "./runs/runs.css";
import "./audit/audit.css";

export function AuditPage() {
  return (
    <AdminOnly what="Audit logs">
      <AuditLog />
    </AdminOnly>
  );
}

function AuditLog() {
  usePageTitle("Audit log");
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(searchParams), [searchParams]);
  const query = useMemo(() => apiQuery(filters), [filters]);
  const log = useAuditLog(query);
  const entries = useMemo(() => log.data?.pages.flatMap((page) => page.results) ?? [], [log.data]);

  return (
    <main className="page audit-page">
      <header className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">
            Every security-relevant change — sign-ins, people and roles, tokens, flows and versions, decisions, connections, policies, replays —
            with who did it, when, from which address and in which request. Entries are never changed or removed (retention aside), and each is
            chained to the one before by its hash: <code>manage.py auditverify</code> checks the chain.
          </p>
        </div>
        <div className="page-head-actions">
          <a className="button secondary" href={auditExportUrl(query)} download="switchboard-audit.jsonl">
            Export JSON Lines
          </a>
        </div>
      </header>

      <AuditFilterBar filters={filters} onApply={(next) => setSearchParams(searchFromFilters(next), { replace: true })} />

      {log.isLoading ? (
        <Loading label="Loading the audit log…" />
      ) : log.error && !log.data ? (
        <ProblemMessage error={log.error} title="The audit log could not be loaded." />
      ) : entries.length === 0 ? (
        <EmptyState title={hasFilters(filters) ? "No entries match these filters" : "Nothing recorded yet"}>
          {hasFilters(filters) ? "Try a wider date range, or an action prefix such as flow." : "Entries appear as people sign in and change things."}
        </EmptyState>
      ) : (
        <section aria-label="Audit entries">
          <AuditTable entries={entries} />
          <LoadMore pages={log}>Load older entries</LoadMore>
        </section>
      )}
    </main>
  );
}
