/**
 * A value that the engine evaluates: text with `{{ path }}` templates, or JSON (a JsonLogic rule
 * such as {"var": "input.total"}, or a literal). The path picker inserts the right form for each.
 */
import { useRef, useState } from "react";
import type { ContextPath } from "./contextPaths";
import { JsonInput, type JsonInputHandle } from "./JsonInput";
import { PathPicker } from "./PathPicker";
import { TemplateInput } from "./TemplateInput";

type Mode = "text" | "json";

export function ExpressionEditor({
  id,
  value,
  onChange,
  paths,
  disabled,
  describedBy,
  label,
  compact = false,
  ariaLabel,
}: {
  /** When no <label> names the field (rows of a map). */
  ariaLabel?: string;
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  paths: ContextPath[];
  disabled?: boolean;
  describedBy?: string;
  label: string;
  compact?: boolean;
}) {
  const [mode, setMode] = useState<Mode>(() => (value === undefined || typeof value === "string" ? "text" : "json"));
  const json = useRef<JsonInputHandle>(null);

  const switchTo = (next: Mode) => {
    if (next === mode) return;
    setMode(next);
    // Text → JSON keeps the text as a JSON string; JSON → text keeps a string, else starts empty.
    if (next === "text" && typeof value !== "string") onChange(value === undefined ? undefined : "");
  };

  return (
    <div className={compact ? "expression-editor compact" : "expression-editor"}>
      <div className="segmented small" role="radiogroup" aria-label={`${label} kind`}>
        <button type="button" role="radio" aria-checked={mode === "text"} disabled={disabled} onClick={() => switchTo("text")} title="Text; may hold {{ templates }}">
          Text
        </button>
        <button type="button" role="radio" aria-checked={mode === "json"} disabled={disabled} onClick={() => switchTo("json")} title="JSON: a JsonLogic rule or a literal value">
          JSON
        </button>
      </div>
      {mode === "text" ? (
        <TemplateInput
          id={id}
          value={typeof value === "string" ? value : ""}
          onChange={(text) => onChange(text)}
          paths={paths}
          disabled={disabled}
          describedBy={describedBy}
          multiline={!compact}
          ariaLabel={ariaLabel}
        />
      ) : (
        <div className="with-picker">
          <JsonInput ref={json} id={id} label={ariaLabel} value={value} onChange={onChange} rows={compact ? 3 : 6} disabled={disabled} describedBy={describedBy} />
          <PathPicker paths={paths} disabled={disabled} onPick={(path) => json.current?.insert(JSON.stringify({ var: path }))} />
        </div>
      )}
    </div>
  );
}
