/** What someone signed in without any role sees instead of pages that would refuse them. */
import type { Me } from "../../api/types";
import { personName } from "../settings/roles";

export function NoRole({ me }: { me: Me }) {
  return (
    <main className="page no-role-page">
      <div className="empty-state no-role">
        <h1>You don&apos;t have a role yet — ask an admin</h1>
        <p className="muted">
          You are signed in as <strong>{personName(me)}</strong>
          {me.email ? ` (${me.email})` : ""}, but nobody has given you a role in Switchboard, so there is nothing you may see yet.
        </p>
        <p className="muted">
          An admin can give you one under Settings → People, or your identity provider can put you in a group that gives one
          {me.teams.length ? ` (you are in ${me.teams.join(", ")}, which give${me.teams.length === 1 ? "s" : ""} none)` : ""}. Sign in again
          once they have.
        </p>
      </div>
    </main>
  );
}
