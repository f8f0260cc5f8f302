/** Test fixtures: `/me` answers for a person of each role (scopes as identity.selectors.ROLE_SCOPES gives them). */
import type { Me, Scope } from "./types";

const ROLE_SCOPES: Record<Me["roles"][number], Scope[]> = {
  viewer: ["flows:read", "runs:read"],
  builder: ["flows:read", "flows:write", "runs:read", "runs:write"],
  approver: ["flows:read", "runs:read", "versions:approve"],
  admin: ["flows:read", "flows:write", "runs:read", "runs:write", "versions:approve", "admin"],
};

/** The `/me` of someone holding `roles` (none: signed in, but given no role yet). */
export function meWith(roles: Me["roles"], overrides: Partial<Me> = {}): Me {
  const scopes = [...new Set(roles.flatMap((role) => ROLE_SCOPES[role]))];
  return {
    id: 1,
    username: "alice",
    email: "alice@example.com",
    display_name: "Alice Liddell",
    roles,
    teams: ["Sales"],
    teams_detail: [{ id: 10, name: "Sales" }],
    scopes,
    is_admin: roles.includes("admin"),
    ...overrides,
  };
}
