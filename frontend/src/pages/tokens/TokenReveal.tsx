/** A new API token, shown the one time the server gives it, with a copy button and the warning that goes with it. */
import { useId, useState } from "react";
import type { NewApiToken } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Dialog } from "../../ui/Dialog";
import { copyText } from "../../ui/JsonView";

export function TokenReveal({ token, onClose }: { token: NewApiToken; onClose: () => void }) {
  const inputId = useId();
  const [copied, setCopied] = useState(false);
  const copy = () =>
    void copyText(token.token).then(
      () => {
        setCopied(true);
        showToast("Token copied", "success");
      },
      () => showToast("The token could not be copied; select it and copy it by hand.", "error"),
    );
  return (
    <Dialog
      title="Your new token"
      onClose={onClose}
      footer={
        <button type="button" className="button primary" onClick={onClose}>
          Done
        </button>
      }
    >
      <p>
        <strong>{token.name || "The token"}</strong>
        {token.owner.is_service_account ? ` acts as the service account ${token.owner.username}` : ""}. Send it as{" "}
        <code>Authorization: Bearer …</code> with each API request.
      </p>
      <p className="warning-note">Copy it now: it is shown only this once. If it is lost, revoke it and make a new one.</p>
      <label className="form-label" htmlFor={inputId}>
        API token
      </label>
      <div className="secret-row">
        <input id={inputId} className="code-input" readOnly value={token.token} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" className="button secondary" onClick={copy} aria-label="Copy token">
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </Dialog>
  );
}
