/** A secret the server gives only once (an API token, a signing secret): a dialog with the secret, a copy button and the warning that goes with it. */
import { useId, useState, type ReactNode } from "react";
import { showToast } from "../stores/toastStore";
import { Dialog } from "./Dialog";
import { copyText } from "./JsonView";

export function ShownOnceSecret({
  title,
  label,
  noun,
  secret,
  ifLost,
  onClose,
  children,
}: {
  title: string;
  /** The field's label, e.g. "API token". */
  label: string;
  /** What the secret is called in a sentence, e.g. "token": "Copy token", "Token copied". */
  noun: string;
  secret: string;
  /** How to get a new one, e.g. "revoke it and make a new one". */
  ifLost: string;
  onClose: () => void;
  /** What the secret is for. */
  children: ReactNode;
}) {
  const inputId = useId();
  const [copied, setCopied] = useState(false);
  const copy = () =>
    void copyText(secret).then(
      () => {
        setCopied(true);
        showToast(`${noun[0].toUpperCase()}${noun.slice(1)} copied`, "success");
      },
      () => showToast(`The ${noun} could not be copied; select it and copy it by hand.`, "error"),
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
      {children}
      <p className="warning-note">Copy it now: it is shown only this once. If it is lost, {ifLost}.</p>
      <label className="form-label" htmlFor={inputId}>
        {label}
      </label>
      <div className="secret-row">
        <input id={inputId} className="code-input" readOnly value={secret} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" className="button secondary" onClick={copy} aria-label={`Copy ${noun}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </Dialog>
  );
}
