/** A list of hosts to edit: each with a remove button and the server's problem with it, and a field to add one. */
import { useState } from "react";

export function HostListEditor({
  hosts,
  onChange,
  errors,
}: {
  hosts: string[];
  onChange: (hosts: string[]) => void;
  /** index → the server's message about that host */
  errors: Map<number, string>;
}) {
  const [adding, setAdding] = useState("");
  const add = () => {
    const host = adding.trim();
    if (!host) return;
    if (!hosts.includes(host)) onChange([...hosts, host]);
    setAdding("");
  };
  return (
    <fieldset className="form-fieldset host-list">
      <legend>Hosts HTTP requests and webhooks may call</legend>
      <p className="muted small">
        <code>api.example.com</code> allows that host; <code>*.example.com</code> every subdomain of example.com (not example.com itself). With no
        host listed, any public host may be called. Private addresses still need <code>EGRESS_ALLOW</code>.
      </p>
      {hosts.length === 0 ? (
        <p className="muted">Any public host.</p>
      ) : (
        <ul className="plain-list" aria-label="Allowed hosts">
          {hosts.map((host, index) => (
            <li key={host} className="host-row">
              <code>{host}</code>
              <button type="button" className="button ghost small" aria-label={`Remove ${host}`} onClick={() => onChange(hosts.filter((h) => h !== host))}>
                Remove
              </button>
              {errors.get(index) && <span className="field-error">{errors.get(index)}</span>}
            </li>
          ))}
        </ul>
      )}
      <div className="host-add">
        <label className="form-label" htmlFor="host-add">
          Add a host
        </label>
        <input
          id="host-add"
          type="text"
          value={adding}
          placeholder="*.example.com"
          autoComplete="off"
          onChange={(event) => setAdding(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="button secondary" onClick={add}>
          Add
        </button>
      </div>
    </fieldset>
  );
}
