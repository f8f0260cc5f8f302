/** A signing secret, shown the one time the server gives it, with a copy button. */
import { useId, useState } from "react";
import { showToast } from "../../stores/toastStore";
import { Dialog } from "../../ui/Dialog";
import { copyText } from "../../ui/JsonView";

export function SecretReveal({ title, secret, url, onClose }: { title: string; secret: string; url: string; onClose: () => void }) {
  const inputId = useId();
  const [copied, setCopied] = useState(false);
  const copy = () =>
    void copyText(secret).then(
      () => {
        setCopied(true);
        showToast("Signing secret copied", "success");
      },
      () => showToast("The secret could not be copied; select it and copy it by hand.", "error"),
    );
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <button type="button" className="button primary" onClick={onClose}>
          Done
        </button>
      }
    >
      <p>
        Events sent to <strong className="event-url">{url}</strong> are signed with this secret (Standard Webhooks). The receiver
        needs it to verify them.
      </p>
      <p className="warning-note">Copy it now: it is shown only this once. If it is lost, rotate the secret to get a new one.</p>
      <label className="form-label" htmlFor={inputId}>
        Signing secret
      </label>
      <div className="secret-row">
        <input id={inputId} className="code-input" readOnly value={secret} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" className="button secondary" onClick={copy} aria-label="Copy signing secret">
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </Dialog>
  );
}
