/** A labelled text input with its problems beneath it (the form's own and the server's), wired for screen readers. */
import { useId, type InputHTMLAttributes, type ReactNode } from "react";

export function TextField({
  label,
  value,
  onChange,
  errors = [],
  hint,
  optional = false,
  ...input
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors?: string[];
  hint?: ReactNode;
  optional?: boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "id">) {
  const id = useId();
  const errorId = useId();
  const hintId = useId();
  const described = [errors.length ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={errors.length ? "form-field has-error" : "form-field"}>
      <label className="form-label" htmlFor={id}>
        {label}
        {optional && <span className="muted small"> (optional)</span>}
      </label>
      <input
        {...input}
        id={id}
        value={value}
        aria-invalid={errors.length > 0}
        aria-describedby={described}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <p className="form-help" id={hintId}>
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <p className="field-error" id={errorId}>
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}
