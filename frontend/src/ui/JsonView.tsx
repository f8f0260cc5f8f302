/** JSON data shown read-only, pretty-printed, with a copy button. */
import { showToast } from "../stores/toastStore";

export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = value === undefined ? "" : JSON.stringify(value, null, 2);
  return (
    <div className="json-view">
      <div className="json-view-head">
        <span className="json-view-label">{label}</span>
        {text && (
          <button
            type="button"
            className="button ghost tiny"
            aria-label={`Copy ${label}`}
            onClick={() => void copyText(text).then(() => showToast(`${label} copied`, "success"))}
          >
            Copy
          </button>
        )}
      </div>
      {text ? (
        <pre aria-label={label} tabIndex={0}>
          {text}
        </pre>
      ) : (
        <p className="muted small">Nothing.</p>
      )}
    </div>
  );
}

/** Copies text, also where the async clipboard API is missing (plain http on another host). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}
