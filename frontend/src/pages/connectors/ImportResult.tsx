/** What an import made: the node types (each linked to the catalog), and the operations it skipped with the reason. */
import { Link } from "react-router-dom";
import type { ImportedConnector, SkippedOperation } from "../../api/connectors";

export function ImportResult({ connector, onClose }: { connector: ImportedConnector; onClose: () => void }) {
  return (
    <section className="settings-card import-result" aria-label="Import result" role="status">
      <div className="settings-panel-head">
        <h2>
          Imported {connector.name} <span className="muted">version {connector.version}</span>
        </h2>
        <button type="button" className="button ghost tiny" onClick={onClose}>
          Dismiss
        </button>
      </div>
      <p>
        {connector.node_types.length} node type{connector.node_types.length === 1 ? "" : "s"} made
        {connector.skipped.length > 0 && `, ${connector.skipped.length} operation${connector.skipped.length === 1 ? "" : "s"} skipped`}. They are in
        the palette under the connector, and in the <Link to={`/catalog?q=connector.${connector.name}.`}>node catalog</Link>.
      </p>
      {connector.node_types.length > 0 && (
        <ul className="node-type-list" aria-label="Node types made">
          {connector.node_types.map((type) => (
            <li key={type}>
              <Link to={`/catalog#${type}`}>
                <code>{type}</code>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <SkippedOperations skipped={connector.skipped} />
    </section>
  );
}

export function SkippedOperations({ skipped }: { skipped: SkippedOperation[] }) {
  if (skipped.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Skipped operations">
        <thead>
          <tr>
            <th scope="col">Operation</th>
            <th scope="col">Why it was skipped</th>
          </tr>
        </thead>
        <tbody>
          {skipped.map((item) => (
            <tr key={item.operation}>
              <td>
                <code>{item.operation}</code>
              </td>
              <td>{item.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
