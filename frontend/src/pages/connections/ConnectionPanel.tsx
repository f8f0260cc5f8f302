/**
 * One connection beside the list: who shares it, its fingerprint, "Test connection" (ok, message and the
 * status the other system answered), "Authorize" for OAuth2 authorization code (a full-page visit to
 * the provider, which sends the browser back here), the edit form, and deleting it.
 */
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import {
  useAuthorizeConnection,
  useDeleteConnection,
  useTestConnection,
  type Connection,
  type ConnectionKind,
} from "../../api/connections";
import { showToast } from "../../stores/toastStore";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import { PanelClose } from "../settings/PanelClose";
import { ConnectionForm } from "./ConnectionForm";
import { authorizesInBrowser, sharedWith } from "./connectionFormat";

/** Where the browser goes to authorize (a full page: the provider's own sign-in); replaced in tests. */
export const leavePage = {
  to: (url: string) => window.location.assign(url),
};

export function ConnectionPanel({ connection, kinds, closeTo }: { connection: Connection; kinds: ConnectionKind[]; closeTo: string }) {
  const kind = kinds.find((candidate) => candidate.kind === connection.kind);
  const inBrowser = authorizesInBrowser(connection);
  return (
    <section className="settings-panel" aria-label={`Connection ${connection.name}`}>
      <header className="settings-panel-head">
        <div>
          <h2>{connection.name}</h2>
          <p className="muted small">
            {kind?.title ?? connection.kind} · {connection.personal ? "personal" : `shared with ${sharedWith(connection)}`}
            {connection.owner && ` · made by ${connection.owner}`}
          </p>
        </div>
        <PanelClose to={closeTo} />
      </header>
      <dl className="connection-facts">
        {connection.fingerprint && (
          <>
            <dt>Secret</dt>
            <dd>
              stored, fingerprint <code>{connection.fingerprint}</code>
            </dd>
          </>
        )}
        {kind?.oauth && (
          <>
            <dt>Authorized</dt>
            <dd>
              {connection.authorized ? "yes" : "not yet"}
              {connection.token_expires_at && (
                <span className="muted small" title={formatDateTime(connection.token_expires_at)}>
                  {" "}
                  · token renews <RelativeTime iso={connection.token_expires_at} />
                </span>
              )}
            </dd>
          </>
        )}
        <dt>Changed</dt>
        <dd>
          <RelativeTime iso={connection.updated_at} />
        </dd>
      </dl>
      <div className="button-row">
        <TestButton connection={connection} />
        {inBrowser && <AuthorizeButton connection={connection} />}
      </div>
      <section className="panel-section" aria-label="Edit">
        <h3>Edit</h3>
        <ConnectionForm
          key={connection.updated_at}
          kinds={kinds}
          connection={connection}
          onSaved={(saved) => showToast(`Connection ${saved.name} saved`, "success")}
        />
      </section>
      <DeleteSection connection={connection} closeTo={closeTo} />
    </section>
  );
}

function TestButton({ connection }: { connection: Connection }) {
  const test = useTestConnection();
  const result = test.data;
  return (
    <div className="connection-test">
      <button type="button" className="button secondary" disabled={test.isPending} onClick={() => test.mutate(connection.id)}>
        {test.isPending && <Spinner small />}
        Test connection
      </button>
      {result && (
        <p className={result.ok ? "test-result is-ok" : "test-result is-failed"} role="status">
          <strong>{result.ok ? "It works." : "It did not work."}</strong> {result.message}
          {result.status !== null && <span className="muted small"> (answered {result.status})</span>}
        </p>
      )}
      {test.error && <ProblemMessage error={test.error} title="The connection could not be tested." />}
    </div>
  );
}

function AuthorizeButton({ connection }: { connection: Connection }) {
  const authorize = useAuthorizeConnection();
  return (
    <>
      <button
        type="button"
        className="button primary"
        disabled={authorize.isPending}
        onClick={() => authorize.mutate(connection.id, { onSuccess: ({ authorize_url }) => leavePage.to(authorize_url) })}
      >
        {authorize.isPending && <Spinner small />}
        {connection.authorized ? "Authorize again" : "Authorize"}
      </button>
      {authorize.error && <ProblemMessage error={authorize.error} title="Authorization could not start." />}
    </>
  );
}

function DeleteSection({ connection, closeTo }: { connection: Connection; closeTo: string }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteConnection();
  const navigate = useNavigate();
  return (
    <section className="panel-section">
      <button type="button" className="button danger-outline" onClick={() => setConfirming(true)}>
        Delete connection
      </button>
      {confirming && (
        <ConfirmDialog
          title={`Delete ${connection.name}?`}
          confirmLabel="Delete connection"
          pending={remove.isPending}
          error={remove.error}
          errorTitle="The connection could not be deleted."
          onClose={() => {
            setConfirming(false);
            remove.reset();
          }}
          onConfirm={() =>
            remove.mutate(connection.id, {
              onSuccess: () => {
                showToast(`Connection ${connection.name} deleted`, "success");
                navigate(closeTo);
              },
            })
          }
        >
          <p>Its secret and tokens are deleted with it. Steps of flows that use it fail until they are given another connection.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
