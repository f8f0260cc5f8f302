/** How a connection reads in the list: who it is shared with, and whether it is authorized through the browser. */
import type { Connection } from "../../api/connections";

/** "Sales" (a team's), "personal" (its owner's alone) or "everyone". */
export function sharedWith(connection: Pick<Connection, "team" | "team_name" | "personal">): string {
  if (connection.personal) return "personal";
  if (connection.team !== null) return connection.team_name ?? `Team ${connection.team}`;
  return "everyone";
}

/**
 * Whether the connection gets its OAuth2 tokens by someone authorizing in the browser: an oauth2
 * connection with `settings.grant` "authorization_code". The server's default grant is
 * client_credentials (the hub gets tokens by itself), which needs no Authorize button.
 */
export function authorizesInBrowser(connection: Pick<Connection, "kind" | "settings">): boolean {
  return connection.kind === "oauth2" && connection.settings?.grant === "authorization_code";
}
