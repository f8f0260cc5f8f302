/** The × that closes a settings side panel (a person, a team): a link back to the list without it. */
import { Link } from "react-router-dom";

export function PanelClose({ to }: { to: string }) {
  return (
    <Link to={to} className="icon-button panel-close" aria-label="Close panel">
      ×
    </Link>
  );
}
