/**
 * /settings/connectors (and /settings/connectors/{id} with one open): connectors imported from OpenAPI
 * documents — import one (file or URL) and see what it made and skipped; the list with each
 * connector's latest version and operation count; its versions; delete.
 */
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useConnector, useConnectors, useDeleteConnector, type ConnectorSummary, type ImportedConnector } from "../api/connectors";
import { showToast } from "../stores/toastStore";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { EmptyState } from "../ui/EmptyState";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { RelativeTime } from "../ui/RelativeTime";
import { ConnectorImportForm } from "./connectors/ConnectorImportForm";
import { ImportResult, SkippedOperations } from "./connectors/ImportResult";
import { usePageTitle } from "./runs/usePageTitle";
import { BuildersOnly } from "./settings/BuildersOnly";
import { PanelClose } from "./settings/PanelClose";

export function ConnectorsPage() {
  usePageTitle("Connectors");
  return (
    <BuildersOnly what="Connectors">
      <Connectors />
    </BuildersOnly>
  );
}

function Connectors() {
  const { connectorId } = useParams();
  const navigate = useNavigate();
  const connectors = useConnectors();
  const [imported, setImported] = useState<ImportedConnector | null>(null);
  const [deleting, setDeleting] = useState<ConnectorSummary | null>(null);
  const list = connectors.data ?? [];
  const selected = connectorId ?? null;
  const isSelected = (connector: ConnectorSummary) => String(connector.id) === selected;

  return (
    <main className="page settings-page connectors-page">
      <header className="page-head">
        <div>
          <h1>Connectors</h1>
          <p className="muted">
            Any system with an OpenAPI document becomes a connector: each operation a ready-made step, its parameters and body the step&apos;s
            settings, signed in with a connection. Flows keep the version they were built with.
          </p>
        </div>
      </header>

      <ConnectorImportForm onImported={setImported} />
      {imported && <ImportResult connector={imported} onClose={() => setImported(null)} />}

      <div className={selected ? "settings-split with-panel" : "settings-split"}>
        <div className="settings-list">
          {connectors.isLoading ? (
            <Loading label="Loading connectors…" />
          ) : connectors.error ? (
            <ProblemMessage error={connectors.error} title="The connectors could not be loaded." />
          ) : list.length === 0 ? (
            <EmptyState title="No connectors yet">Import the OpenAPI document of a system your flows call.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="data-table" aria-label="Connectors">
                <thead>
                  <tr>
                    <th scope="col">Connector</th>
                    <th scope="col">Latest version</th>
                    <th scope="col">Operations</th>
                    <th scope="col">Skipped</th>
                    <th scope="col">Imported</th>
                    <th scope="col">
                      <span className="visually-hidden">Delete</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((connector) => (
                    <tr
                      key={connector.id}
                      className={isSelected(connector) ? "clickable-row is-selected" : "clickable-row"}
                      aria-selected={isSelected(connector)}
                      onClick={(event) => !(event.target as HTMLElement).closest("a, button") && navigate(`/settings/connectors/${connector.id}`)}
                    >
                      <td>
                        <Link to={`/settings/connectors/${connector.id}`} className="person-link">
                          {connector.name}
                        </Link>
                        {connector.title && connector.title !== connector.name && <div className="muted small">{connector.title}</div>}
                      </td>
                      <td>
                        {connector.latest_version === null ? <span className="muted">—</span> : `v${connector.latest_version}`}
                        {connector.version_count > 1 && <span className="muted small"> of {connector.version_count}</span>}
                      </td>
                      <td>{connector.operation_count}</td>
                      <td>{connector.skipped_count || <span className="muted">—</span>}</td>
                      <td>
                        <RelativeTime iso={connector.created_at} />
                      </td>
                      <td className="cell-action">
                        <button type="button" className="button danger-outline small" aria-label={`Delete ${connector.name}`} onClick={() => setDeleting(connector)}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        {selected && <ConnectorPanel connectorId={selected} />}
      </div>

      {deleting && <DeleteConnector connector={deleting} onClose={() => setDeleting(null)} onDeleted={() => isSelected(deleting) && navigate("/settings/connectors")} />}
    </main>
  );
}

function ConnectorPanel({ connectorId }: { connectorId: string }) {
  const connector = useConnector(connectorId);
  const versions = [...(connector.data?.versions ?? [])].sort((a, b) => b.number - a.number);
  return (
    <section className="settings-panel" aria-label={connector.data ? `Connector ${connector.data.name}` : "Connector"}>
      <header className="settings-panel-head">
        <h2>{connector.data?.name ?? "Connector"}</h2>
        <PanelClose to="/settings/connectors" />
      </header>
      {connector.isLoading ? (
        <Loading label="Loading the connector…" />
      ) : connector.error ? (
        <ProblemMessage error={connector.error} title="This connector could not be loaded." />
      ) : (
        versions.map((version, index) => (
          <section key={version.number} className="panel-section" aria-label={`Version ${version.number}`}>
            <h3>
              Version {version.number}
              {index === 0 && <span className="muted small"> (latest)</span>}{" "}
              <span className="muted small">
                imported <RelativeTime iso={version.created_at} />
              </span>
            </h3>
            {version.source_url && (
              <p className="muted small">
                From <code>{version.source_url}</code>
              </p>
            )}
            <ul className="node-type-list" aria-label={`Operations of version ${version.number}`}>
              {version.operations.map((operation) => (
                <li key={operation.node_type}>
                  <code>
                    {operation.method.toUpperCase()} {operation.path}
                  </code>{" "}
                  {/* Only the latest version's operations are in the catalog; older ones live on in the flows pinned to them. */}
                  {index === 0 ? (
                    <Link to={`/catalog#${operation.node_type}`}>
                      <code>{operation.node_type}</code>
                    </Link>
                  ) : (
                    <code>{operation.node_type}</code>
                  )}
                  {operation.summary && <span className="muted small"> — {operation.summary}</span>}
                </li>
              ))}
            </ul>
            {version.auth.length > 0 && (
              <p className="small">
                Signs in with{" "}
                {version.auth.map((auth, at) => (
                  <span key={`${auth.scheme}-${at}`}>
                    {at > 0 && ", "}
                    <code>{auth.scheme}</code> {auth.kind ? <>(connection kind <code>{auth.kind}</code>)</> : <span className="muted">(no connection kind fits it)</span>}
                  </span>
                ))}
                .
              </p>
            )}
            <SkippedOperations skipped={version.skipped} />
          </section>
        ))
      )}
    </section>
  );
}

function DeleteConnector({ connector, onClose, onDeleted }: { connector: ConnectorSummary; onClose: () => void; onDeleted: () => void }) {
  const remove = useDeleteConnector();
  return (
    <ConfirmDialog
      title={`Delete ${connector.name}?`}
      confirmLabel="Delete connector"
      pending={remove.isPending}
      error={remove.error}
      errorTitle="The connector could not be deleted."
      onClose={onClose}
      onConfirm={() =>
        remove.mutate(connector.id, {
          onSuccess: () => {
            showToast(`Connector ${connector.name} deleted`, "success");
            onClose();
            onDeleted();
          },
        })
      }
    >
      <p>
        Every version of its {connector.operation_count} operations goes; steps of flows that use them fail validation until they are
        replaced.
      </p>
    </ConfirmDialog>
  );
}
