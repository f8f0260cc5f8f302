/**
 * The app shell: the top navigation (what the person's roles let them use), the signed-in person's
 * menu with Sign out, and the page. Pages wait until the server has said who is signed in, so no
 * button shows that the person may not use; someone with no role gets a page that says so.
 */
import { NavLink, Outlet } from "react-router-dom";
import { useMe } from "../api/me";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { Toasts } from "../ui/Toasts";
import { NoRole } from "./layout/NoRole";
import { UserMenu } from "./layout/UserMenu";

export function AppLayout() {
  const me = useMe();
  const hasRole = Boolean(me.data && me.data.roles.length > 0);
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Switchboard home">
          <span className="brand-mark" aria-hidden="true" />
          Switchboard
        </NavLink>
        {hasRole && (
          <nav aria-label="Main" className="topnav">
            <NavLink to="/" end>
              Flows
            </NavLink>
            <NavLink to="/runs">Runs</NavLink>
            <NavLink to="/approvals">Approvals</NavLink>
            <NavLink to="/health">Health</NavLink>
            <NavLink to="/catalog">Catalog</NavLink>
            <NavLink to="/settings">Settings</NavLink>
          </nav>
        )}
        <div className="topbar-user">{me.data && <UserMenu me={me.data} />}</div>
      </header>
      {me.isPending ? (
        <main className="page">
          <Loading label="Loading…" />
        </main>
      ) : me.error ? (
        <main className="page">
          <ProblemMessage error={me.error} title="Switchboard could not tell who you are." />
          <button type="button" className="button secondary" onClick={() => void me.refetch()}>
            Try again
          </button>
        </main>
      ) : !hasRole ? (
        <NoRole me={me.data} />
      ) : (
        <Outlet />
      )}
      <Toasts />
    </div>
  );
}
