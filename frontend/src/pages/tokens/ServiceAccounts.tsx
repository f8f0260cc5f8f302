/**
 * Service accounts (admins): accounts for other systems, with roles but no password or browser
 * sign-in. Each can be given tokens here; deleting one ends its tokens.
 */
import { useMemo, useState } from "react";
import { useCreateServiceAccount, useRemoveServiceAccount, useServiceAccounts } from "../../api/tokens";
import type { NewApiToken, ServiceAccount } from "../../api/types";
import { fieldProblems, problemsAllOnFields, serverProblems } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { showToast } from "../../stores/toastStore";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { LoadMore } from "../../ui/LoadMore";
import { Loading, Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { RoleBadges } from "../settings/IdentityBadges";
import { RoleCheckboxes } from "../settings/RoleCheckboxes";
import { orderedRoles, personName } from "../settings/roles";
import { TokenDialog } from "./TokenDialog";

export function ServiceAccounts({ onTokenCreated }: { onTokenCreated: (token: NewApiToken) => void }) {
  const accounts = useServiceAccounts(true);
  const list = useMemo(() => accounts.data?.pages.flatMap((page) => page.results) ?? [], [accounts.data]);
  const [adding, setAdding] = useState(false);
  const [tokenFor, setTokenFor] = useState<ServiceAccount | null>(null);
  const [deleting, setDeleting] = useState<ServiceAccount | null>(null);
  const remove = useRemoveServiceAccount();

  return (
    <section className="service-accounts" aria-labelledby="service-accounts-title">
      <header className="section-head">
        <div>
          <h2 id="service-accounts-title">Service accounts</h2>
          <p className="muted small">For other systems: roles like a person, but no password and no browser sign-in — only tokens.</p>
        </div>
        {!adding && (
          <button type="button" className="button secondary" onClick={() => setAdding(true)}>
            New service account
          </button>
        )}
      </header>
      {adding && <ServiceAccountForm onDone={() => setAdding(false)} />}
      {accounts.isLoading ? (
        <Loading label="Loading service accounts…" />
      ) : accounts.error && !accounts.data ? (
        <ProblemMessage error={accounts.error} title="The service accounts could not be loaded." />
      ) : list.length === 0 ? (
        <p className="muted">No service accounts yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-label="Service accounts">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Roles</th>
                <th scope="col">Active tokens</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((account) => (
                <tr key={account.id}>
                  <td>
                    <strong>{personName(account)}</strong>
                    <div className="muted small">{account.username}</div>
                  </td>
                  <td>
                    <RoleBadges roles={account.roles} />
                  </td>
                  <td>{account.active_tokens}</td>
                  <td className="cell-action">
                    <div className="button-row">
                      <button type="button" className="button secondary small" aria-label={`New token for ${account.username}`} onClick={() => setTokenFor(account)}>
                        New token
                      </button>
                      <button
                        type="button"
                        className="button danger-outline small"
                        aria-label={`Delete ${account.username}`}
                        onClick={() => {
                          remove.reset();
                          setDeleting(account);
                        }}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore pages={accounts} />
      {tokenFor && (
        <TokenDialog
          owner={tokenFor}
          onClose={() => setTokenFor(null)}
          onCreated={(token) => {
            setTokenFor(null);
            onTokenCreated(token);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.username}?`}
          confirmLabel="Delete service account"
          pending={remove.isPending}
          error={remove.error}
          errorTitle="The service account could not be deleted."
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                showToast(`${deleting.username} deleted`, "success");
                setDeleting(null);
              },
            })
          }
        >
          <p>Every token of {deleting.username} stops working at once. Systems that use them are refused from their next request on.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

const FIELDS = ["username", "display_name", "roles"] as const;

function ServiceAccountForm({ onDone }: { onDone: () => void }) {
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [roles, setRoles] = useState<Set<string>>(() => new Set(["viewer"]));
  const [missing, setMissing] = useState(false);
  const create = useCreateServiceAccount();
  const roleErrors = serverProblems(create.error, "roles");
  return (
    <form
      className="settings-card settings-form"
      aria-label="New service account"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const name = username.trim();
        setMissing(!name);
        if (!name) return;
        create.mutate(
          { username: name, display_name: displayName.trim(), roles: orderedRoles(roles) },
          {
            onSuccess: (account) => {
              showToast(`Service account ${account.username} made: give it a token`, "success");
              onDone();
            },
          },
        );
      }}
    >
      <h3>New service account</h3>
      <div className="form-grid">
        <TextField
          label="Username"
          value={username}
          onChange={setUsername}
          autoComplete="off"
          placeholder="ci-bot"
          errors={fieldProblems(create.error, "username", missing && "Enter a username.")}
        />
        <TextField label="Name" value={displayName} onChange={setDisplayName} autoComplete="off" optional placeholder="CI pipeline" errors={serverProblems(create.error, "display_name")} />
      </div>
      <RoleCheckboxes legend="Roles" chosen={roles} onChange={setRoles} />
      {roleErrors.length > 0 && <p className="field-error">{roleErrors.join(" ")}</p>}
      {create.error && !problemsAllOnFields(create.error, FIELDS) && <ProblemMessage error={create.error} title="The service account could not be made." />}
      <div className="button-row">
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending && <Spinner small />}
          Make service account
        </button>
        <button type="button" className="button ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
