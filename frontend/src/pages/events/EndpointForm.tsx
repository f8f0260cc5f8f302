/** Registering an endpoint: its URL, a description, and the events it receives. */
import { useId, useState } from "react";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { endpointFormProblems, orderedEventTypes, serverProblems, type FormProblems } from "./eventFormat";
import { useRegisterEndpoint, type RegisteredEndpoint } from "./eventsApi";
import { EVENT_DESCRIPTIONS, EVENT_TYPES } from "./eventTypes";

export function EndpointForm({ onRegistered, onCancel }: { onRegistered: (endpoint: RegisteredEndpoint) => void; onCancel: () => void }) {
  const ids = { url: useId(), description: useId(), urlError: useId(), typesError: useId() };
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(["run.failed"]));
  const [shown, setShown] = useState<FormProblems>({});
  const register = useRegisterEndpoint();

  const urlErrors = [shown.url, ...serverProblems(register.error, "url")].filter(Boolean) as string[];
  const typeErrors = [shown.event_types, ...serverProblems(register.error, "event_types")].filter(Boolean) as string[];

  const toggle = (type: string, on: boolean) =>
    setChosen((before) => {
      const next = new Set(before);
      if (on) next.add(type);
      else next.delete(type);
      return next;
    });

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
      <div className={urlErrors.length ? "form-field has-error" : "form-field"}>
        <label className="form-label" htmlFor={ids.url}>
          URL
        </label>
        <input
          id={ids.url}
          type="url"
          inputMode="url"
          placeholder="https://example.com/hooks/switchboard"
          value={url}
          autoComplete="off"
          aria-invalid={urlErrors.length > 0}
          aria-describedby={urlErrors.length ? ids.urlError : undefined}
          onChange={(event) => setUrl(event.target.value)}
        />
        {urlErrors.length > 0 && (
          <p className="field-error" id={ids.urlError}>
            {urlErrors.join(" ")}
          </p>
        )}
      </div>
      <div className="form-field">
        <label className="form-label" htmlFor={ids.description}>
          Description <span className="muted small">(optional)</span>
        </label>
        <input
          id={ids.description}
          value={description}
          maxLength={500}
          placeholder="What receives these events, e.g. the ops chat"
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <fieldset className="form-fieldset" aria-describedby={typeErrors.length ? ids.typesError : undefined}>
        <legend>Events</legend>
        {EVENT_TYPES.map((type) => (
          <label key={type} className="event-check">
            <input type="checkbox" checked={chosen.has(type)} onChange={(event) => toggle(type, event.target.checked)} />
            <code>{type}</code>
            <span className="muted small">{EVENT_DESCRIPTIONS[type]}</span>
          </label>
        ))}
        {typeErrors.length > 0 && (
          <p className="field-error" id={ids.typesError}>
            {typeErrors.join(" ")}
          </p>
        )}
      </fieldset>
      {register.error && !serverProblems(register.error, "url").length && !serverProblems(register.error, "event_types").length && (
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
