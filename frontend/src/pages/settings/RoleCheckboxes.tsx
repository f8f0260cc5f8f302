/** One checkbox per role, each with what it allows: a person's direct roles, a new service account's roles. */
import { withTicked } from "../../forms/tickedSet";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "./roles";

export function RoleCheckboxes({
  legend,
  chosen,
  onChange,
  disabled = false,
  /** Roles held anyway (through a team): shown ticked and locked, with why. */
  inherited = [],
}: {
  legend: string;
  chosen: ReadonlySet<string>;
  onChange: (roles: Set<string>) => void;
  disabled?: boolean;
  inherited?: readonly string[];
}) {
  return (
    <fieldset className="form-fieldset role-checkboxes" disabled={disabled}>
      <legend>{legend}</legend>
      {ROLES.map((role) => (
        <label key={role} className="role-check">
          <input type="checkbox" checked={chosen.has(role)} onChange={(event) => onChange(withTicked(chosen, role, event.target.checked))} />
          <span>
            <strong>{ROLE_LABELS[role]}</strong>
            {inherited.includes(role) && !chosen.has(role) && <span className="muted small"> — held through a team</span>}
            <span className="muted small role-check-description">{ROLE_DESCRIPTIONS[role]}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
