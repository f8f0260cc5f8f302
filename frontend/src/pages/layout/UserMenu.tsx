/** The signed-in person in the top bar: who they are, their roles and teams, their tokens, and Sign out. */
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { errorMessage } from "../../api/client";
import { signOut } from "../../api/session";
import type { Me } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";
import { RoleBadges } from "../settings/IdentityBadges";
import { personName } from "../settings/roles";

export function UserMenu({ me }: { me: Me }) {
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const name = personName(me);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: MouseEvent) => !root.current?.contains(event.target as Node) && setOpen(false);
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const leave = () => {
    setLeaving(true);
    signOut().catch((error) => {
      setLeaving(false);
      showToast(errorMessage(error), "error");
    });
  };

  return (
    <div className="user-menu" ref={root}>
      <button
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Account of ${name}`}
        onClick={() => setOpen((shown) => !shown)}
      >
        <span className="avatar" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </span>
        <span className="user-name">{name}</span>
      </button>
      {open && (
        <div className="user-menu-panel" id={menuId} role="region" aria-label="Signed in as">
          <div className="user-menu-who">
            <strong>{name}</strong>
            <span className="muted small">
              {me.username}
              {me.email && ` · ${me.email}`}
            </span>
          </div>
          <dl className="user-menu-facts">
            <dt>Roles</dt>
            <dd>
              <RoleBadges roles={me.roles} />
            </dd>
            <dt>Teams</dt>
            <dd>{me.teams.length ? me.teams.join(", ") : <span className="muted">None</span>}</dd>
          </dl>
          <div className="user-menu-actions">
            {me.roles.length > 0 && (
              <Link to="/settings/tokens" className="button ghost small" onClick={() => setOpen(false)}>
                API tokens
              </Link>
            )}
            <button type="button" className="button secondary small" onClick={leave} disabled={leaving}>
              {leaving && <Spinner small />}
              Sign out
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
