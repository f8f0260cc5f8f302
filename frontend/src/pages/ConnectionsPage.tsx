/**
 * /settings/connections (and /settings/connections/{id} with one open): the credentials flows call
 * other systems with — name, kind, who shares it, whether an OAuth2 one is authorized, the secret's
 * fingerprint — and making, editing, testing, authorizing and deleting them. Back from an OAuth2
 * provider, `?authorized=<id>` or `?error=<text>` says how it went.
 */
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useConnection, useConnectionKinds, useConnections, type Connection, type ConnectionKind, type CreatedConnection } from "../api/connections";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { ShownOnceSecret } from "../ui/ShownOnceSecret";
import { ConnectionForm } from "./connections/ConnectionForm";
import { authorizesInBrowser, sharedWith } from "./connections/connectionFormat";
import { ConnectionPanel } from "./connections/ConnectionPanel";
import { usePageTitle } from "./runs/usePageTitle";
import { BuildersOnly } from "./settings/BuildersOnly";
import "./connections/connections.css";

export function ConnectionsPage() {
  usePageTitle("Connections");
  return (
    <BuildersOnly what="Connections">
      <Connections />
    </BuildersOnly>
  );
}

function Connections() {
  const { connectionId } = useParams();
  const navigate = useNavigate();
  const kinds = useConnectionKinds();
  const connections = useConnections();
  const [adding, setAdding] = useState(false);
  const [made, setMade] = useState<CreatedConnection | null>(null);
  const list = useMemo(() => connections.data?.pages.flatMap((page) => page.results) ?? [], [connections.data]);
  const listed = connectionId ? list.find((connection) => connection.id === connectionId) : undefined;
  // A link to a connection beyond the first page (or while the list loads) reads that one alone.
  const alone = useConnection(connectionId && connections.data && !listed ? connectionId : null);
  const selected = listed ?? alone.data;
  const closeTo = "/settings/connections";

  return (
    <main className="page settings-page connections-page">
      <header className="page-head">
        <div>
          <h1>Connections</h1>
          <p className="muted">
            The credentials flows call other systems with. Secrets are stored encrypted and never shown again: only a fingerprint tells them
            apart. A team&apos;s connection is used by the team&apos;s flows; a personal one by your own.
          </p>
        </div>
        {!adding && (
          <div className="page-head-actions">
            <button type="button" className="button primary" onClick={() => setAdding(true)} disabled={!kinds.data}>
              New connection
            </button>
          </div>
        )}
      </header>

      <AuthorizationResult connections={list} />

      {kinds.error && <ProblemMessage error={kinds.error} title="The kinds of connection could not be loaded." />}
      {adding && kinds.data && (
        <ConnectionForm
          kinds={kinds.data}
          onCancel={() => setAdding(false)}
          onSaved={(connection) => {
            setAdding(false);
            if (connection.secret) setMade(connection);
            navigate(`/settings/connections/${connection.id}`);
          }}
        />
      )}

      <div className={selected ? "settings-split with-panel" : "settings-split"}>
        <div className="settings-list">
          {connections.isLoading ? (
            <Loading label="Loading connections…" />
          ) : connections.error && !connections.data ? (
            <ProblemMessage error={connections.error} title="The connections could not be loaded." />
          ) : list.length === 0 ? (
            !adding && (
              <EmptyState
                title="No connections yet"
                action={
                  <button type="button" className="button primary" onClick={() => setAdding(true)} disabled={!kinds.data}>
                    Make a connection
                  </button>
                }
              >
                Make one for each system your flows call: an API key, a login, an OAuth2 app, a Slack or Teams webhook.
              </EmptyState>
            )
          ) : (
            <ConnectionsTable connections={list} kinds={kinds.data ?? []} selected={selected?.id ?? null} onOpen={(id) => navigate(`/settings/connections/${id}`)} />
          )}
          <LoadMore pages={connections} />
        </div>
        {selected && <ConnectionPanel key={selected.id} connection={selected} kinds={kinds.data ?? []} closeTo={closeTo} />}
      </div>

      {made?.secret && (
        <ShownOnceSecret
          title="Connection made"
          label="Secret"
          noun="secret"
          secret={made.secret}
          ifLost="edit the connection and set a new one"
          onClose={() => setMade(null)}
        >
          <p>
            Switchboard made this secret for <strong>{made.name}</strong>. Give it to the system that signs its requests with it.
          </p>
        </ShownOnceSecret>
      )}
    </main>
  );
}

function ConnectionsTable({
  connections,
  kinds,
  selected,
  onOpen,
}: {
  connections: Connection[];
  kinds: ConnectionKind[];
  selected: string | null;
  onOpen: (id: string) => void;
}) {
  const kindOf = (connection: Connection) => kinds.find((kind) => kind.kind === connection.kind);
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Connections">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Shared with</th>
            <th scope="col">Authorized</th>
            <th scope="col">Fingerprint</th>
          </tr>
        </thead>
        <tbody>
          {connections.map((connection) => (
            <tr
              key={connection.id}
              className={connection.id === selected ? "clickable-row is-selected" : "clickable-row"}
              aria-selected={connection.id === selected}
              onClick={(event) => !(event.target as HTMLElement).closest("a") && onOpen(connection.id)}
            >
              <td>
                <Link to={`/settings/connections/${connection.id}`} className="person-link">
                  {connection.name}
                </Link>
              </td>
              <td>{kindOf(connection)?.title ?? connection.kind}</td>
              <td>{sharedWith(connection)}</td>
              <td>
                {kindOf(connection)?.oauth ? (
                  connection.authorized ? (
                    <span className="badge badge-success">authorized</span>
                  ) : (
                    <span className="badge badge-warning">{authorizesInBrowser(connection) ? "not authorized" : "no token yet"}</span>
                  )
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>{connection.fingerprint ? <code>{connection.fingerprint}</code> : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The answer of an OAuth2 provider, as the server's callback passed it on: `?authorized=<id>` or `?error=<text>`. */
function AuthorizationResult({ connections }: { connections: Connection[] }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const authorized = searchParams.get("authorized");
  const error = searchParams.get("error");
  if (!authorized && !error) return null;
  const dismiss = () => {
    const next = new URLSearchParams(searchParams);
    next.delete("authorized");
    next.delete("error");
    setSearchParams(next, { replace: true });
  };
  const name = connections.find((connection) => connection.id === authorized)?.name;
  return (
    <div className={error ? "notice notice-error" : "notice notice-success"} role={error ? "alert" : "status"}>
      {error ? (
        <p>
          <strong>Authorization failed.</strong> {error}
        </p>
      ) : (
        <p>
          <strong>Authorized.</strong> {name ? <>{name} holds its tokens now</> : "The connection holds its tokens now"}; flows may use it.{" "}
          <Link to={`/settings/connections/${authorized}`}>Open it</Link>
        </p>
      )}
      <button type="button" className="button ghost tiny" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
