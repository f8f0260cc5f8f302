/** Shows an admin screen only to admins; others read why not (the server refuses them anyway). */
import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import { useCan } from "../../api/me";
import { EmptyState } from "../../ui/EmptyState";

export function AdminOnly({ what, children }: { what: string; children: ReactNode }) {
  const can = useCan();
  if (can("admin")) return <>{children}</>;
  return (
    <main className="page">
      <EmptyState title={`${what} are managed by admins`} action={<Link to="/settings/tokens" className="button secondary">Your API tokens</Link>}>
        Ask an admin if something here should change for you.
      </EmptyState>
    </main>
  );
}
