/**
 * A connection's form: its name, kind, settings (generated from the kind's `settings_schema`, as node
 * configs are), its secret (write-only: when editing, an empty secret keeps the stored one) and, for a
 * new one, who shares it — one of the person's teams, only themselves, or (admins) everyone.
 */
import { useId, useMemo, useState } from "react";
import {
  useCreateConnection,
  useUpdateConnection,
  type Connection,
  type ConnectionKind,
  type ConnectionDraft,
  type CreatedConnection,
} from "../../api/connections";
import { useCan, useMe } from "../../api/me";
import { prepareConfigSchema } from "../../forms/configSchema";
import { SchemaForm, withSchemaDefaults } from "../../forms/NodeConfigForm";
import { fieldProblems, problemsAllOnFields, serverProblemsUnder } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { ProblemMessage } from "../../ui/ProblemMessage";

const FIELDS = ["name", "kind", "settings", "secret", "team", "personal"] as const;

/** `team:<id>`, `personal`, or `everyone`. */
type Sharing = string;

function sharingOf(sharing: Sharing): Pick<ConnectionDraft, "team" | "personal"> {
  if (sharing === "personal") return { personal: true };
  if (sharing.startsWith("team:")) return { team: Number(sharing.slice("team:".length)) };
  return {};
}

export function ConnectionForm({
  kinds,
  connection,
  onSaved,
  onCancel,
}: {
  kinds: ConnectionKind[];
  /** The connection to edit; none to make a new one. */
  connection?: Connection;
  onSaved: (connection: CreatedConnection) => void;
  onCancel?: () => void;
}) {
  const editing = connection !== undefined;
  const me = useMe().data;
  const can = useCan();
  const teams = me?.teams_detail ?? [];
  const kindId = useId();
  const sharingId = useId();
  const [name, setName] = useState(connection?.name ?? "");
  const [kindName, setKindName] = useState<string>(connection?.kind ?? "");
  const [settings, setSettings] = useState<Record<string, unknown>>(connection?.settings ?? {});
  const [secret, setSecret] = useState("");
  const [sharing, setSharing] = useState<Sharing>(teams.length ? `team:${teams[0].id}` : "personal");
  const [shown, setShown] = useState<{ name?: string; kind?: string; secret?: string }>({});
  const create = useCreateConnection();
  const update = useUpdateConnection();
  const mutation = editing ? update : create;
  const error = mutation.error;

  const kind = kinds.find((candidate) => candidate.kind === kindName);
  const prepared = useMemo(() => prepareConfigSchema(kind?.settings_schema), [kind?.settings_schema]);
  const hasSettings = Object.keys((prepared.schema.properties as Record<string, unknown>) ?? {}).length > 0;
  const settingsProblems = useMemo(() => serverProblemsUnder(error, "settings"), [error]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems = {
      name: name.trim() ? undefined : "Enter a name.",
      kind: kind ? undefined : "Choose a kind.",
      secret: !editing && kind?.secret?.required && !secret ? `Enter the ${kind.secret.title.toLowerCase()}.` : undefined,
    };
    setShown(problems);
    if (problems.name || problems.kind || problems.secret || !kind) return;
    const filled = hasSettings ? withSchemaDefaults(prepared.schema, settings) : {};
    if (connection) {
      update.mutate(
        { id: connection.id, change: { name: name.trim(), settings: filled, ...(secret ? { secret } : {}) } },
        { onSuccess: onSaved },
      );
    } else {
      create.mutate(
        { name: name.trim(), kind: kind.kind, ...sharingOf(sharing), settings: filled, ...(secret ? { secret } : {}) },
        { onSuccess: onSaved },
      );
    }
  };

  const kindErrors = fieldProblems(error, "kind", shown.kind);
  const sharingErrors = [...fieldProblems(error, "team"), ...fieldProblems(error, "personal")];
  const label = editing ? `Edit ${connection.name}` : "New connection";

  return (
    <form className={editing ? "connection-form" : "settings-card settings-form connection-form"} aria-label={label} noValidate onSubmit={submit}>
      {!editing && <h2>New connection</h2>}
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        maxLength={100}
        autoComplete="off"
        placeholder="e.g. CRM (production)"
        hint="Flows name the connection they use; a name says which system and which account."
        errors={fieldProblems(error, "name", shown.name)}
      />
      {!editing && (
        <div className={kindErrors.length ? "form-field has-error" : "form-field"}>
          <label className="form-label" htmlFor={kindId}>
            Kind
          </label>
          <select
            id={kindId}
            value={kindName}
            aria-invalid={kindErrors.length > 0}
            onChange={(event) => {
              setKindName(event.target.value);
              setSettings({});
            }}
          >
            <option value="">Choose a kind…</option>
            {kinds.map((choice) => (
              <option key={choice.kind} value={choice.kind}>
                {choice.title}
              </option>
            ))}
          </select>
          {kind && <p className="form-help">{kind.description}</p>}
          {kindErrors.length > 0 && <p className="field-error">{kindErrors.join(" ")}</p>}
        </div>
      )}
      {kind && hasSettings && (
        <fieldset className="form-fieldset connection-settings">
          <legend>Settings</legend>
          <SchemaForm
            prepared={prepared}
            value={settings}
            onChange={setSettings}
            problems={settingsProblems}
            idPrefix={`connection-settings-${kind.kind}`}
            disabled={mutation.isPending}
          />
        </fieldset>
      )}
      {kind?.secret && (
        <TextField
          label={kind.secret.title}
          type="password"
          autoComplete="new-password"
          value={secret}
          onChange={setSecret}
          optional={editing || !kind.secret.required}
          placeholder={editing ? "stored — leave empty to keep" : undefined}
          hint={
            <>
              {kind.secret.description}
              {editing && " Stored encrypted and never shown again — leave empty to keep it."}
            </>
          }
          errors={fieldProblems(error, "secret", shown.secret)}
        />
      )}
      {!editing && (
        <div className={sharingErrors.length ? "form-field has-error" : "form-field"}>
          <label className="form-label" htmlFor={sharingId}>
            Shared with
          </label>
          <select id={sharingId} value={sharing} onChange={(event) => setSharing(event.target.value)}>
            {teams.map((team) => (
              <option key={team.id} value={`team:${team.id}`}>
                Team {team.name}
              </option>
            ))}
            <option value="personal">Only me (personal)</option>
            {can("admin") && <option value="everyone">Everyone</option>}
          </select>
          <p className="form-help">A team&apos;s flows may use a team&apos;s connection; a personal one only your own flows.</p>
          {sharingErrors.length > 0 && <p className="field-error">{sharingErrors.join(" ")}</p>}
        </div>
      )}
      {error && !problemsAllOnFields(error, FIELDS) && (
        <ProblemMessage error={error} title={editing ? "The connection could not be saved." : "The connection could not be made."} />
      )}
      <div className="button-row">
        <button type="submit" className="button primary" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : editing ? "Save changes" : "Make connection"}
        </button>
        {onCancel && (
          <button type="button" className="button ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
