/** The audit log's filters: typed in, then applied together (each change would otherwise ask the server). */
import { useEffect, useState, type FormEvent } from "react";
import { filterProblem, hasFilters, NO_FILTERS, type AuditFilters } from "./auditFormat";

interface Props {
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}

const FIELDS: { key: keyof AuditFilters; label: string; placeholder?: string; type?: string }[] = [
  { key: "actor", label: "Actor", placeholder: "username" },
  { key: "action", label: "Action", placeholder: "flow. or version.approved" },
  { key: "target_type", label: "Target type", placeholder: "flow, user, token…" },
  { key: "target_id", label: "Target id" },
  { key: "from", label: "From", type: "date" },
  { key: "to", label: "To", type: "date" },
  { key: "correlation_id", label: "Correlation id" },
];

export function AuditFilterBar({ filters, onApply }: Props) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters]);
  const problem = filterProblem(draft);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem) onApply(draft);
  };

  return (
    <form className="filter-bar audit-filter-bar" aria-label="Filter the audit log" onSubmit={submit}>
      {FIELDS.map((field) => (
        <div className="filter-field" key={field.key}>
          <label htmlFor={`audit-${field.key}`}>{field.label}</label>
          <input
            id={`audit-${field.key}`}
            type={field.type ?? "text"}
            value={draft[field.key]}
            placeholder={field.placeholder}
            onChange={(event) => setDraft({ ...draft, [field.key]: event.target.value })}
            aria-invalid={field.key === "to" && problem ? true : undefined}
            aria-describedby={field.key === "to" && problem ? "audit-filter-problem" : undefined}
          />
        </div>
      ))}
      <div className="filter-actions">
        <button type="submit" className="button primary" disabled={Boolean(problem)}>
          Apply filters
        </button>
        {(hasFilters(filters) || hasFilters(draft)) && (
          <button type="button" className="button secondary" onClick={() => onApply(NO_FILTERS)}>
            Clear
          </button>
        )}
      </div>
      {problem && (
        <p id="audit-filter-problem" className="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
