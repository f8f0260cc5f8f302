/**
 * /settings/…: the settings pages under one tab bar — People, Teams and Events for admins, API tokens
 * for everyone — and /settings itself, which opens the first tab the person may use.
 */
import { Navigate, NavLink, Outlet } from "react-router-dom";
import { useCan } from "../api/me";
import "./settings/settings.css";

export function SettingsLayout() {
  const can = useCan();
  const admin = can("admin");
  return (
    <div className="settings-shell">
      <nav className="settings-nav" aria-label="Settings">
        {admin && <NavLink to="/settings/people">People</NavLink>}
        {admin && <NavLink to="/settings/teams">Teams</NavLink>}
        <NavLink to="/settings/tokens">API tokens</NavLink>
        {admin && <NavLink to="/settings/events">Events</NavLink>}
        {admin && <NavLink to="/settings/policies">Policies</NavLink>}
        {admin && <NavLink to="/settings/audit">Audit log</NavLink>}
      </nav>
      <Outlet />
    </div>
  );
}

export function SettingsIndex() {
  const can = useCan();
  return <Navigate to={can("admin") ? "/settings/people" : "/settings/tokens"} replace />;
}
