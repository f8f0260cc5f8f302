/** How a connection reads in the list: who it is shared with, and whether it is authorized through the browser. */
import type { Connection, ConnectionKind } from "../../api/connections";

/** "Sales" (a team's), "personal" (its owner's alone) or "everyone". */
export function sharedWith(connection: Pick<Connection, "team" | "team_name" | "personal">): string {
  if (connection.personal) return "personal";
  if (connection.team !== null) return connection.team_name ?? `Team ${connection.team}`;
  return "everyone";
}

/**
 * Whether the connection gets its OAuth2 tokens by someone authorizing in the browser (authorization
 * code), rather than by itself (client credentials, which needs no Authorize button).
 */
export function authorizesInBrowser(connection: Pick<Connection, "settings">, kind: Pick<ConnectionKind, "oauth"> | undefined): boolean {
  if (!kind?.oauth) return false;
  return !Object.values(connection.settings ?? {}).includes("client_credentials");
}
