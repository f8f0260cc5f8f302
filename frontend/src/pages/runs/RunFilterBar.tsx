/** The runs list's filters: flow, status, an exact correlation id (typed, applied after a pause or Enter), and a "Failed runs" quick filter. */
import { useEffect, useId, useRef, useState } from "react";
import { statusLabel } from "../../ui/StatusBadge";
import type { RunListFilters } from "./runFilters";
import { hasFilters, NO_FILTERS } from "./runFilters";
import { isRunStatus, RUN_STATUSES } from "./runFormat";
import type { FlowName } from "./useFlowNames";

const SEARCH_DELAY_MS = 400;

export function RunFilterBar({
  filters,
  flows,
  flowLabel,
  onChange,
}: {
  filters: RunListFilters;
  flows: FlowName[];
  /** The name of the filtered flow when it is not among `flows` (or its id). */
  flowLabel?: string;
  onChange: (filters: RunListFilters) => void;
}) {
  const flowId = useId();
  const statusId = useId();
  const searchId = useId();
  const [search, setSearch] = useState(filters.correlationId);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The URL is the truth: back/forward or a "Clear filters" click changes the box too.
  useEffect(() => setSearch(filters.correlationId), [filters.correlationId]);
  useEffect(() => () => clearTimeout(timer.current), []);

  // The delayed search must apply to the filters as they are then, not as they were when typing began.
  const latest = useRef({ filters, onChange });
  useEffect(() => {
    latest.current = { filters, onChange };
  });
  const applySearch = (value: string) => {
    clearTimeout(timer.current);
    const current = latest.current.filters;
    if (value.trim() !== current.correlationId) latest.current.onChange({ ...current, correlationId: value.trim() });
  };

  const flowMissing = filters.flow !== "" && !flows.some((flow) => flow.id === filters.flow);

  return (
    <form
      className="filter-bar"
      role="search"
      aria-label="Filter runs"
      onSubmit={(event) => {
        event.preventDefault();
        applySearch(search);
      }}
    >
      <div className="filter-field">
        <label htmlFor={flowId}>Flow</label>
        <select id={flowId} value={filters.flow} onChange={(event) => onChange({ ...filters, flow: event.target.value })}>
          <option value="">All flows</option>
          {flowMissing && <option value={filters.flow}>{flowLabel ?? filters.flow}</option>}
          {flows.map((flow) => (
            <option key={flow.id} value={flow.id}>
              {flow.name}
            </option>
          ))}
        </select>
      </div>
      <div className="filter-field">
        <label htmlFor={statusId}>Status</label>
        <select
          id={statusId}
          value={filters.status}
          onChange={(event) => onChange({ ...filters, status: isRunStatus(event.target.value) ? event.target.value : "" })}
        >
          <option value="">All statuses</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {statusLabel(status)}
            </option>
          ))}
        </select>
      </div>
      <div className="filter-field filter-field-grow">
        <label htmlFor={searchId}>Correlation id</label>
        <input
          id={searchId}
          type="search"
          value={search}
          placeholder="Paste a correlation id"
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => {
            const value = event.target.value;
            setSearch(value);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => applySearch(value), SEARCH_DELAY_MS);
          }}
        />
      </div>
      <div className="filter-actions">
        <button type="submit" className="button secondary">
          Search
        </button>
        {/* The dead letters: runs that failed after their retries, to look into and replay. */}
        <button
          type="button"
          className="button secondary quick-filter"
          aria-pressed={filters.status === "failed"}
          title="Only failed runs, to select and replay them"
          onClick={() => onChange({ ...filters, status: filters.status === "failed" ? "" : "failed" })}
        >
          Failed runs
        </button>
        {hasFilters(filters) && (
          <button type="button" className="button ghost" onClick={() => onChange(NO_FILTERS)}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}
