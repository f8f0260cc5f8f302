/** A text field whose value may hold `{{ path }}` templates, with the path picker beside it. */
import { useRef } from "react";
import type { ContextPath } from "./contextPaths";
import { PathPicker, insertAtCaret, templateOf } from "./PathPicker";

export function TemplateInput({
  id,
  value,
  onChange,
  paths,
  multiline = false,
  disabled,
  required,
  placeholder,
  invalid,
  describedBy,
  onBlur,
  ariaLabel,
}: {
  id: string;
  /** When no <label> names the field. */
  ariaLabel?: string;
  value: string;
  onChange: (value: string) => void;
  paths: ContextPath[];
  multiline?: boolean;
  disabled?: boolean;
  required?: boolean;
  placeholder?: string;
  invalid?: boolean;
  describedBy?: string;
  onBlur?: () => void;
}) {
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const pick = (path: string) => {
    const { value: next, caret } = insertAtCaret(field.current, value, templateOf(path));
    onChange(next);
    requestAnimationFrame(() => {
      field.current?.focus();
      field.current?.setSelectionRange(caret, caret);
    });
  };
  const common = {
    id,
    ref: field,
    value,
    disabled,
    required,
    placeholder,
    onBlur,
    "aria-label": ariaLabel,
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy,
    className: "template-input",
    spellCheck: false,
  };
  return (
    <div className="with-picker">
      {multiline ? (
        <textarea {...common} rows={4} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input {...common} type="text" onChange={(event) => onChange(event.target.value)} />
      )}
      <PathPicker paths={paths} onPick={pick} disabled={disabled} />
    </div>
  );
}
