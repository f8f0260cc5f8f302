/** An object of named values (map fields, headers, query): one row per name, each value an expression. */
import { useId, useState } from "react";
import type { ContextPath } from "./contextPaths";
import { ExpressionEditor } from "./ExpressionEditor";

interface Row {
  key: string;
  id: number;
}

let rowIds = 0;

export function ExpressionMapEditor({
  value,
  onChange,
  paths,
  label,
  disabled,
  problems = {},
  addLabel = "Add entry",
}: {
  addLabel?: string;
  value: Record<string, unknown> | undefined;
  onChange: (value: Record<string, unknown>) => void;
  paths: ContextPath[];
  label: string;
  disabled?: boolean;
  /** Messages by key. */
  problems?: Record<string, string[]>;
}) {
  const current = value && typeof value === "object" && !Array.isArray(value) ? value : {};
  const baseId = useId();
  // Rows keep their own identity so renaming a key does not remount its value editor.
  const [rows, setRows] = useState<Row[]>(() => Object.keys(current).map((key) => ({ key, id: rowIds++ })));
  const keys = Object.keys(current);
  const shown =
    rows.length === keys.length && rows.every((row, index) => row.key === keys[index])
      ? rows
      : keys.map((key) => rows.find((row) => row.key === key) ?? { key, id: rowIds++ });

  const write = (entries: [string, unknown][], nextRows: Row[]) => {
    setRows(nextRows);
    onChange(Object.fromEntries(entries));
  };

  const rename = (index: number, key: string) => {
    const entries = Object.entries(current);
    if (entries.some(([existing], i) => i !== index && existing === key)) return;
    entries[index] = [key, entries[index][1]];
    write(entries, shown.map((row, i) => (i === index ? { ...row, key } : row)));
  };

  const add = () => {
    let n = keys.length + 1;
    while (`field_${n}` in current) n += 1;
    const key = `field_${n}`;
    write([...Object.entries(current), [key, ""]], [...shown, { key, id: rowIds++ }]);
  };

  return (
    <div className="expression-map" role="group" aria-label={label}>
      {shown.map((row, index) => (
        <div key={row.id} className="expression-map-row">
          <div className="expression-map-key">
            <input
              aria-label={`${label} name ${index + 1}`}
              value={row.key}
              disabled={disabled}
              onChange={(event) => rename(index, event.target.value)}
            />
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove ${row.key || `entry ${index + 1}`}`}
              disabled={disabled}
              onClick={() =>
                write(
                  Object.entries(current).filter((_, i) => i !== index),
                  shown.filter((_, i) => i !== index),
                )
              }
            >
              ×
            </button>
          </div>
          <ExpressionEditor
            id={`${baseId}-${row.id}`}
            label={`${label} ${row.key}`}
            value={current[row.key]}
            paths={paths}
            disabled={disabled}
            compact
            ariaLabel={`${label} value ${row.key || index + 1}`}
            onChange={(next) => {
              const entries = Object.entries(current);
              entries[index] = [row.key, next];
              write(entries, shown);
            }}
          />
          {(problems[row.key] ?? []).map((message, i) => (
            <p key={i} className="field-error">
              {message}
            </p>
          ))}
        </div>
      ))}
      <button type="button" className="button secondary tiny" onClick={add} disabled={disabled}>
        {addLabel}
      </button>
    </div>
  );
}
