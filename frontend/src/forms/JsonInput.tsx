/** A JSON text editor: the value changes only when the text is valid JSON; empty text is no value. */
import { forwardRef, useEffect, useId, useImperativeHandle, useRef, useState } from "react";

function format(value: unknown): string {
  return value === undefined ? "" : JSON.stringify(value, null, 2);
}

export interface JsonInputHandle {
  /** Inserts text at the caret (used by the path picker). */
  insert: (snippet: string) => void;
}

export const JsonInput = forwardRef<JsonInputHandle, {
  id?: string;
  value: unknown;
  onChange: (value: unknown) => void;
  label?: string;
  rows?: number;
  disabled?: boolean;
  describedBy?: string;
}>(function JsonInput({ id, value, onChange, label, rows = 6, disabled, describedBy }, ref) {
  const [text, setText] = useState(() => format(value));
  const [error, setError] = useState<string | null>(null);
  const written = useRef<string>(JSON.stringify(value));
  const area = useRef<HTMLTextAreaElement>(null);
  const errorId = useId();

  useEffect(() => {
    const incoming = JSON.stringify(value);
    if (incoming !== written.current) {
      written.current = incoming;
      setText(format(value));
      setError(null);
    }
  }, [value]);

  const accept = (next: string) => {
    setText(next);
    if (next.trim() === "") {
      setError(null);
      written.current = JSON.stringify(undefined);
      onChange(undefined);
      return;
    }
    try {
      const parsed: unknown = JSON.parse(next);
      setError(null);
      written.current = JSON.stringify(parsed);
      onChange(parsed);
    } catch (reason) {
      setError(`Not valid JSON yet: ${(reason as Error).message}`);
    }
  };

  useImperativeHandle(ref, () => ({
    insert: (snippet) => {
      const element = area.current;
      const start = element?.selectionStart ?? text.length;
      const end = element?.selectionEnd ?? text.length;
      accept(text.slice(0, start) + snippet + text.slice(end));
      requestAnimationFrame(() => {
        element?.focus();
        element?.setSelectionRange(start + snippet.length, start + snippet.length);
      });
    },
  }));

  return (
    <div className="json-input">
      <textarea
        id={id}
        ref={area}
        className="code-input"
        aria-label={label}
        aria-invalid={error ? true : undefined}
        aria-describedby={[error ? errorId : "", describedBy ?? ""].filter(Boolean).join(" ") || undefined}
        rows={rows}
        spellCheck={false}
        value={text}
        disabled={disabled}
        onChange={(event) => accept(event.target.value)}
      />
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
});
