/**
 * Making an API token: its name, what it may do (only scopes the maker holds; the server also keeps
 * it within its owner's roles) and, if wanted, the day it expires. For admins, a service account's token.
 */
import { useId, useState } from "react";
import { useMe } from "../../api/me";
import { useCreateToken } from "../../api/tokens";
import type { NewApiToken, ServiceAccount } from "../../api/types";
import { fieldProblems, problemsAllOnFields, serverProblems } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { withTicked } from "../../forms/tickedSet";
import { Dialog } from "../../ui/Dialog";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { SCOPE_DESCRIPTIONS, SCOPES, orderedScopes } from "../settings/roles";
import { defaultTokenScopes, expiryFromDate, tomorrowDate } from "./tokenFormat";

const FIELDS = ["name", "scopes", "expires_at", "owner"] as const;

export function TokenDialog({
  owner,
  onCreated,
  onClose,
}: {
  /** A service account the token is for; without one it is the maker's own. */
  owner?: ServiceAccount;
  onCreated: (token: NewApiToken) => void;
  onClose: () => void;
}) {
  const scopesErrorId = useId();
  const mine = useMe().data?.scopes ?? [];
  const offered = SCOPES.filter((scope) => mine.includes(scope));
  const [name, setName] = useState(owner ? `${owner.username} integration` : "");
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(defaultTokenScopes(mine)));
  const [expiry, setExpiry] = useState("");
  const [shown, setShown] = useState<{ name?: string; scopes?: string }>({});
  const create = useCreateToken();

  const scopeErrors = fieldProblems(create.error, "scopes", shown.scopes);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems = {
      name: name.trim() ? undefined : "Name it after what will use it, e.g. “CI deploys”.",
      scopes: chosen.size ? undefined : "Choose at least one thing the token may do.",
    };
    setShown(problems);
    if (problems.name || problems.scopes) return;
    const expires_at = expiryFromDate(expiry);
    create.mutate(
      { name: name.trim(), scopes: orderedScopes(chosen), ...(expires_at ? { expires_at } : {}), ...(owner ? { owner: owner.id } : {}) },
      { onSuccess: onCreated },
    );
  };

  return (
    <Dialog title={owner ? `New token for ${owner.username}` : "New API token"} onClose={onClose}>
      <form className="token-form" aria-label="New API token" onSubmit={submit} noValidate>
        <TextField label="Name" value={name} onChange={setName} maxLength={100} autoComplete="off" placeholder="CI deploys" errors={fieldProblems(create.error, "name", shown.name)} />
        <fieldset className="form-fieldset" aria-describedby={scopeErrors.length ? scopesErrorId : undefined}>
          <legend>What it may do</legend>
          {offered.map((scope) => (
            <label key={scope} className="scope-check">
              <input type="checkbox" checked={chosen.has(scope)} onChange={(event) => setChosen((before) => withTicked(before, scope, event.target.checked))} />
              <code>{scope}</code>
              <span className="muted small">{SCOPE_DESCRIPTIONS[scope]}</span>
            </label>
          ))}
          <p className="form-help">
            {owner ? "It never does more than the service account's roles allow." : "Only what your roles allow is offered; the token never does more than you may."}
          </p>
          {scopeErrors.length > 0 && (
            <p className="field-error" id={scopesErrorId}>
              {scopeErrors.join(" ")}
            </p>
          )}
        </fieldset>
        <TextField
          label="Expires"
          optional
          type="date"
          min={tomorrowDate()}
          value={expiry}
          onChange={setExpiry}
          hint="At the end of that day. Without a date it works until it is revoked."
          errors={serverProblems(create.error, "expires_at")}
        />
        {create.error && !problemsAllOnFields(create.error, FIELDS) && <ProblemMessage error={create.error} title="The token could not be made." />}
        <div className="button-row dialog-actions">
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending && <Spinner small />}
            Make token
          </button>
        </div>
      </form>
    </Dialog>
  );
}
