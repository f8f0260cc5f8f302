/** A button opening the list of context paths (trigger, earlier steps, input, run); picking one inserts it. */
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { ContextPath } from "./contextPaths";

export function PathPicker({ paths, onPick, label = "Insert a value from earlier steps", disabled }: {
  paths: ContextPath[];
  onPick: (path: string) => void;
  label?: string;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const box = useRef<HTMLDivElement>(null);
  const listId = useId();

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (box.current && !box.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const grouped = new Map<string, ContextPath[]>();
    for (const path of paths) {
      if (needle && !path.path.toLowerCase().includes(needle)) continue;
      grouped.set(path.group, [...(grouped.get(path.group) ?? []), path]);
    }
    return [...grouped.entries()];
  }, [paths, filter]);

  return (
    <div className="path-picker" ref={box} onKeyDown={(event) => event.key === "Escape" && (event.stopPropagation(), setOpen(false))}>
      <button
        type="button"
        className="button ghost tiny path-picker-toggle"
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        disabled={disabled}
        onClick={() => setOpen(!open)}
      >
        {"{{ }}"}
      </button>
      {open && (
        <div className="path-picker-popover" id={listId} role="dialog" aria-label="Values from earlier steps">
          <input
            type="search"
            autoFocus
            aria-label="Filter paths"
            placeholder="Filter paths…"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
          {groups.length === 0 && <p className="muted small">No path matches. Run a test to see the data of every step.</p>}
          <div className="path-picker-groups">
            {groups.map(([group, items]) => (
              <section key={group}>
                <h4>{group}</h4>
                <ul>
                  {items.map((item) => (
                    <li key={item.path}>
                      <button
                        type="button"
                        aria-label={`Insert ${item.path}`}
                        onClick={() => {
                          onPick(item.path);
                          setOpen(false);
                        }}
                      >
                        <code>{item.path}</code>
                        {item.preview && <span className="path-preview">{item.preview}</span>}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/** Inserts `snippet` into a text field's value at its caret (or at the end), and answers the new value and caret. */
export function insertAtCaret(
  element: HTMLInputElement | HTMLTextAreaElement | null,
  value: string,
  snippet: string,
): { value: string; caret: number } {
  const start = element?.selectionStart ?? value.length;
  const end = element?.selectionEnd ?? value.length;
  const next = value.slice(0, start) + snippet + value.slice(end);
  return { value: next, caret: start + snippet.length };
}

export function templateOf(path: string): string {
  return `{{ ${path} }}`;
}
