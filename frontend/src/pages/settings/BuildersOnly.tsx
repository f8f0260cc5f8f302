/** Shows a builders' screen (connections, connectors, data tables) to builders and admins; others read why not (the server refuses them anyway). */
import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import { useCan } from "../../api/me";
import { EmptyState } from "../../ui/EmptyState";

export function BuildersOnly({ what, children }: { what: string; children: ReactNode }) {
  const can = useCan();
  if (can("flows:write") || can("admin")) return <>{children}</>;
  return (
    <main className="page">
      <EmptyState title={`${what} are managed by builders`} action={<Link to="/settings/tokens" className="button secondary">Your API tokens</Link>}>
        Ask an admin for the builder role if you build flows.
      </EmptyState>
    </main>
  );
}
