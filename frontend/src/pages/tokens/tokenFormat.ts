/** How tokens read on the tokens page, and what the token form sends. */
import type { ApiToken } from "../../api/types";
import { orderedScopes } from "../settings/roles";

export type TokenState = "active" | "revoked" | "expired";

export function tokenState(token: Pick<ApiToken, "revoked_at" | "expires_at" | "active">, now = Date.now()): TokenState {
  if (token.revoked_at) return "revoked";
  if (token.expires_at && new Date(token.expires_at).getTime() <= now) return "expired";
  return token.active === false ? "revoked" : "active";
}

export const TOKEN_STATE_LABELS: Record<TokenState, string> = { active: "Active", revoked: "Revoked", expired: "Expired" };

/** The StatusBadge tone of a token's state. */
export const TOKEN_STATE_BADGES: Record<TokenState, string> = { active: "live", revoked: "failed", expired: "paused" };

/** "sb_AbCdEfG…": the part of a token that tells it apart, never enough to use it. */
export function maskedToken(prefix: string): string {
  return `${prefix}…`;
}

/** A date picked in the form ("2025-06-30") as the end of that day where the person is, in ISO form. */
export function expiryFromDate(date: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const end = new Date(`${date}T23:59:59`);
  return Number.isNaN(end.getTime()) ? undefined : end.toISOString();
}

/** The earliest expiry date the form offers: tomorrow, as the date input wants it. */
export function tomorrowDate(now = new Date()): string {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${next.getFullYear()}-${pad(next.getMonth() + 1)}-${pad(next.getDate())}`;
}

/** What a new token may do at first: reading, of what the person may read. More is a deliberate tick. */
export function defaultTokenScopes(mine: readonly string[]): string[] {
  return orderedScopes(mine.filter((scope) => scope.endsWith(":read")));
}
