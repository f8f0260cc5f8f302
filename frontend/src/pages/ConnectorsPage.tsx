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
                      className={connector.id === selected ? "clickable-row is-selected" : "clickable-row"}
                      aria-selected={connector.id === selected}
                      onClick={(event) => !(event.target as HTMLElement).closest("a, button") && navigate(`/settings/connectors/${connector.id}`)}
                    >
                      <td>
                        <Link to={`/settings/connectors/${connector.id}`} className="person-link">
                          {connector.name}
                        </Link>
                      </td>
                      <td>v{connector.version}</td>
                      <td>{connector.operation_count}</td>
                      <td>{connector.skipped_count || <span className="muted">—</span>}</td>
                      <td>
                        <RelativeTime iso={connector.updated_at ?? connector.created_at} />
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

      {deleting && <DeleteConnector connector={deleting} onClose={() => setDeleting(null)} onDeleted={() => connectorId === deleting.id && navigate("/settings/connectors")} />}
    </main>
  );
}

function ConnectorPanel({ connectorId }: { connectorId: string }) {
  const connector = useConnector(connectorId);
  const versions = [...(connector.data?.versions ?? [])].sort((a, b) => b.version - a.version);
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
        versions.map((version) => (
          <section key={version.version} className="panel-section" aria-label={`Version ${version.version}`}>
            <h3>
              Version {version.version} <span className="muted small">imported <RelativeTime iso={version.created_at} /></span>
            </h3>
            <ul className="node-type-list">
              {version.operations.map((operation) => (
                <li key={operation}>
                  <code>{operation}</code>
                </li>
              ))}
            </ul>
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
