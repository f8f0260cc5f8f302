/** The small badges of the identity screens: roles, "SCIM", "service account", membership sources, deactivated. */
import type { MembershipSource } from "../../api/types";
import { orderedRoles, roleLabel, SOURCE_DESCRIPTIONS, SOURCE_LABELS } from "./roles";

export function RoleBadges({ roles, empty = "No role" }: { roles: string[]; empty?: string }) {
  if (roles.length === 0) return <span className="muted small">{empty}</span>;
  return (
    <span className="role-badges">
      {orderedRoles(roles).map((role) => (
        <span key={role} className={`badge role-badge role-${role}`}>
          {roleLabel(role)}
        </span>
      ))}
    </span>
  );
}

export function ScimBadge() {
  return (
    <span className="badge badge-info" title="Provisioned by your identity provider over SCIM: it is the source of truth">
      SCIM
    </span>
  );
}

export function ServiceAccountBadge() {
  return (
    <span className="badge badge-neutral-strong" title="No password and no browser sign-in: it holds API tokens for other systems">
      service account
    </span>
  );
}

export function DeactivatedBadge() {
  return <span className="badge badge-danger">Deactivated</span>;
}

export function SourceBadge({ source }: { source: MembershipSource }) {
  return (
    <span className={`badge source-badge source-${source}`} title={SOURCE_DESCRIPTIONS[source] ?? source}>
      {SOURCE_LABELS[source] ?? source}
    </span>
  );
}
