/** "Are you sure?" for an action that is hard to undo: what happens, then Cancel or the action, with the server's refusal if any. */
import type { ReactNode } from "react";
import { Dialog } from "./Dialog";
import { Spinner } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";

export function ConfirmDialog({
  title,
  confirmLabel,
  onConfirm,
  onClose,
  pending = false,
  error,
  errorTitle,
  danger = true,
  children,
}: {
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  pending?: boolean;
  error?: unknown;
  errorTitle?: string;
  danger?: boolean;
  children: ReactNode;
}) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className={danger ? "button danger-outline" : "button primary"} disabled={pending} onClick={onConfirm}>
            {pending && <Spinner small />}
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {Boolean(error) && <ProblemMessage error={error} title={errorTitle} />}
    </Dialog>
  );
}
