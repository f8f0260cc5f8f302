/**
 * /settings/…: the settings pages under one tab bar — People, Teams and Events for admins; connections,
 * connectors and data tables for builders and admins; API tokens for everyone — and /settings itself,
 * which opens the first tab the person may use.
 */
import { Navigate, NavLink, Outlet } from "react-router-dom";
import { useCan } from "../api/me";
import "./settings/settings.css";

export function SettingsLayout() {
  const can = useCan();
  const admin = can("admin");
  // Connections, connectors and data tables are what flows are built with: builders' and admins'.
  const builds = can("flows:write") || admin;
  return (
    <div className="settings-shell">
      <nav className="settings-nav" aria-label="Settings">
        {admin && <NavLink to="/settings/people">People</NavLink>}
        {admin && <NavLink to="/settings/teams">Teams</NavLink>}
        <NavLink to="/settings/tokens">API tokens</NavLink>
        {builds && <NavLink to="/settings/connections">Connections</NavLink>}
        {builds && <NavLink to="/settings/connectors">Connectors</NavLink>}
        {builds && <NavLink to="/settings/tables">Data tables</NavLink>}
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
