/** Roles, scopes and membership sources as the settings screens word them (CONTRACT §5). */
import type { MembershipSource, Scope } from "../../api/types";

export const ROLES = ["viewer", "builder", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export const ROLE_LABELS: Record<Role, string> = {
  viewer: "Viewer",
  builder: "Builder",
  approver: "Approver",
  admin: "Admin",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "Sees flows, versions and runs.",
  builder: "Builds and tests flows, submits versions, starts, replays and cancels runs.",
  approver: "Approves or rejects submitted versions.",
  admin: "Everything, and people, teams, tokens and settings.",
};

export function roleLabel(role: string): string {
  return isRole(role) ? ROLE_LABELS[role] : role;
}

/** `items` in the order of `known`, whatever order they came in; any others after them, alphabetically. */
function inOrder(known: readonly string[], items: Iterable<string>): string[] {
  const set = new Set(items);
  return [...known.filter((item) => set.has(item)), ...[...set].filter((item) => !known.includes(item)).sort()];
}

/** Roles in the documented order, whatever order they came in. */
export function orderedRoles(roles: Iterable<string>): string[] {
  return inOrder(ROLES, roles);
}

/** Every scope a token can be given, in the order the token form lists them. */
export const SCOPES: readonly Scope[] = ["flows:read", "flows:write", "runs:read", "runs:write", "versions:approve", "admin"];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "flows:read": "Read flows, drafts and versions",
  "flows:write": "Create and change flows, submit versions",
  "runs:read": "Read runs and each step's data",
  "runs:write": "Start, replay and cancel runs",
  "versions:approve": "Approve or reject versions",
  admin: "Settings, people, teams, tokens and the audit log",
};

/** Scopes in the documented order. */
export function orderedScopes(scopes: Iterable<string>): string[] {
  return inOrder(SCOPES, scopes);
}

export const SOURCE_LABELS: Record<MembershipSource, string> = {
  local: "Added here",
  scim: "SCIM",
  oidc: "Sign-in groups",
};

export const SOURCE_DESCRIPTIONS: Record<MembershipSource, string> = {
  local: "Added in Switchboard by an admin",
  scim: "Pushed by your identity provider over SCIM",
  oidc: "Read from the groups claim when they signed in",
};

/** Said wherever a person or team your identity provider provisions cannot be changed here. */
export const SCIM_MANAGED_NOTE = "Managed by your identity provider (SCIM)";

/** "Alice Liddell", or "alice" when no other name is known: how a person is named in lists. */
export function personName(person: { username: string; display_name?: string | null }): string {
  const display = person.display_name?.trim();
  return display && display !== person.username ? display : person.username;
}
