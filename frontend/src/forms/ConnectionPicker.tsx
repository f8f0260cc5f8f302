/**
 * The editor of a config property naming a connection (`"x-widget": "connection"`): a choice among
 * the connections one may use whose kind the property takes (`"x-connection-kinds"`), each shown with
 * who shares it, and a link to manage them. The config holds the connection's id, never its secret.
 */
import { Link, useInRouterContext } from "react-router-dom";
import { useConnectionChoices, type Connection } from "../api/connections";
import { sharedWith } from "../pages/connections/connectionFormat";

export interface ConnectionPickerProps {
  id: string;
  value: string | undefined;
  onChange: (id: string | undefined) => void;
  /** The kinds the property takes; none named means any kind. */
  kinds: string[];
  required?: boolean;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
}

/** "CRM production (Sales)", "Google (personal)". */
export function connectionLabel(connection: Connection): string {
  return `${connection.name} (${sharedWith(connection)})`;
}

/** The kinds a property's schema names, from its `x-connection-kinds` hint. */
export function connectionKindsOf(schema: Record<string, unknown>): string[] {
  const kinds = schema["x-connection-kinds"];
  return Array.isArray(kinds) ? kinds.filter((kind): kind is string => typeof kind === "string") : [];
}

const MANAGE = "/settings/connections";

function ManageLink() {
  // The form is also shown outside the app's router (tests, previews): a plain link works there.
  const routed = useInRouterContext();
  return routed ? (
    <Link to={MANAGE} className="small">
      Manage connections
    </Link>
  ) : (
    <a href={MANAGE} className="small">
      Manage connections
    </a>
  );
}

export function ConnectionPicker({ id, value, onChange, kinds, required, disabled, invalid, describedBy }: ConnectionPickerProps) {
  const connections = useConnectionChoices();
  const choices = (connections.data ?? []).filter((connection) => kinds.length === 0 || kinds.includes(connection.kind));
  const chosen = value ? choices.find((connection) => connection.id === value) : undefined;
  // A connection one cannot use (another team's, deleted, of another kind) stays chosen until changed,
  // so opening a form never changes what it edits; saving it is refused, naming the field.
  const unknown = Boolean(value) && !chosen && connections.isSuccess;
  const kindsInWords = kinds.length ? kinds.join(", ") : "any";

  return (
    <div className="connection-picker">
      <select
        id={id}
        value={value ?? ""}
        disabled={disabled}
        required={required}
        aria-invalid={invalid || unknown || undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value === "" ? undefined : event.target.value)}
      >
        {required ? (
          <option value="" disabled>
            {connections.isLoading ? "Loading connections…" : "Choose a connection…"}
          </option>
        ) : (
          <option value="">None</option>
        )}
        {unknown && value && <option value={value}>A connection you cannot use ({value.slice(0, 8)}…)</option>}
        {!unknown && value && connections.isLoading && <option value={value}>Loading…</option>}
        {choices.map((connection) => (
          <option key={connection.id} value={connection.id}>
            {connectionLabel(connection)}
          </option>
        ))}
      </select>
      <p className="form-help">
        {connections.error
          ? "The connections could not be loaded. "
          : connections.isSuccess && choices.length === 0
            ? `No connection of kind ${kindsInWords} yet. `
            : unknown
              ? "The chosen connection is not one you may use here: choose another. "
              : ""}
        <ManageLink />
      </p>
    </div>
  );
}
