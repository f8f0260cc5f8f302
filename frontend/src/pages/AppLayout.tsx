/** The app shell: top navigation (Flows, Runs, Approvals, Health), the signed-in person and Sign out. */
import { NavLink, Outlet } from "react-router-dom";
import { csrfToken } from "../api/client";
import { useMe } from "../api/me";
import { Toasts } from "../ui/Toasts";

export function AppLayout() {
  const me = useMe();
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Switchboard home">
          <span className="brand-mark" aria-hidden="true" />
          Switchboard
        </NavLink>
        <nav aria-label="Main" className="topnav">
          <NavLink to="/" end>
            Flows
          </NavLink>
          <NavLink to="/runs">Runs</NavLink>
          <NavLink to="/approvals">Approvals</NavLink>
          <NavLink to="/health">Health</NavLink>
          <NavLink to="/settings/events">Events</NavLink>
        </nav>
        <div className="topbar-user">
          {me.data && (
            <span className="user-name" title={me.data.email || undefined}>
              <span className="avatar" aria-hidden="true">
                {me.data.username.slice(0, 1).toUpperCase()}
              </span>
              {me.data.username}
            </span>
          )}
          <form method="post" action="/logout/">
            <input type="hidden" name="csrfmiddlewaretoken" value={csrfToken()} />
            <input type="hidden" name="next" value="/login/" />
            <button type="submit" className="button ghost small">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <Outlet />
      <Toasts />
    </div>
  );
}
