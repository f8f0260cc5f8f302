/** Registering an endpoint: its URL, a description, and the events it receives. */
import { useId, useState } from "react";
import { fieldProblems, problemsAllOnFields } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { withTicked } from "../../forms/tickedSet";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { endpointFormProblems, orderedEventTypes, type FormProblems } from "./eventFormat";
import { useRegisterEndpoint, type RegisteredEndpoint } from "./eventsApi";
import { EVENT_DESCRIPTIONS, EVENT_TYPES } from "./eventTypes";

export function EndpointForm({ onRegistered, onCancel }: { onRegistered: (endpoint: RegisteredEndpoint) => void; onCancel: () => void }) {
  const typesErrorId = useId();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(["run.failed"]));
  const [shown, setShown] = useState<FormProblems>({});
  const register = useRegisterEndpoint();

  const typeErrors = fieldProblems(register.error, "event_types", shown.event_types);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems = endpointFormProblems(url, [...chosen]);
    setShown(problems);
    if (problems.url || problems.event_types) return;
    register.mutate(
      { url: url.trim(), description: description.trim(), event_types: orderedEventTypes(chosen) },
      { onSuccess: onRegistered },
    );
  };

  return (
    <form className="event-form" onSubmit={submit} aria-label="Register an endpoint" noValidate>
      <h2>Register an endpoint</h2>
      <TextField
        label="URL"
        type="url"
        inputMode="url"
        placeholder="https://example.com/hooks/switchboard"
        value={url}
        onChange={setUrl}
        autoComplete="off"
        errors={fieldProblems(register.error, "url", shown.url)}
      />
      <TextField
        label="Description"
        optional
        value={description}
        onChange={setDescription}
        maxLength={500}
        placeholder="What receives these events, e.g. the ops chat"
        errors={fieldProblems(register.error, "description")}
      />
      <fieldset className="form-fieldset" aria-describedby={typeErrors.length ? typesErrorId : undefined}>
        <legend>Events</legend>
        {EVENT_TYPES.map((type) => (
          <label key={type} className="event-check">
            <input type="checkbox" checked={chosen.has(type)} onChange={(event) => setChosen((before) => withTicked(before, type, event.target.checked))} />
            <code>{type}</code>
            <span className="muted small">{EVENT_DESCRIPTIONS[type]}</span>
          </label>
        ))}
        {typeErrors.length > 0 && (
          <p className="field-error" id={typesErrorId}>
            {typeErrors.join(" ")}
          </p>
        )}
      </fieldset>
      {register.error && !problemsAllOnFields(register.error, ["url", "description", "event_types"]) && (
        <ProblemMessage error={register.error} title="The endpoint could not be registered." />
      )}
      <div className="button-row">
        <button type="submit" className="button primary" disabled={register.isPending}>
          {register.isPending ? "Registering…" : "Register endpoint"}
        </button>
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
