/** One node type in the catalog: title and type, description, ports, config fields and its example config. */
import { useMemo } from "react";
import type { NodeType } from "../../api/types";
import { CategoryIcon, categoryClass } from "../../canvas/nodeCategories";
import { JsonView } from "../../ui/JsonView";
import { configFields } from "./configFields";

export function NodeTypeEntry({ nodeType, targeted }: { nodeType: NodeType; targeted: boolean }) {
  const fields = useMemo(() => configFields(nodeType.config_schema), [nodeType.config_schema]);
  const titleId = `title-${nodeType.type}`;
  return (
    <article
      id={nodeType.type}
      className={`catalog-entry ${categoryClass(nodeType.category)}${targeted ? " is-target" : ""}`}
      aria-labelledby={titleId}
    >
      <header className="catalog-entry-head">
        <span className="palette-item-icon">
          <CategoryIcon category={nodeType.category} />
        </span>
        <div>
          <h3 id={titleId}>
            {nodeType.title} <code>{nodeType.type}</code>
          </h3>
          <span className="muted small">{nodeType.category}</span>
        </div>
        <a className="catalog-permalink" href={`#${nodeType.type}`} aria-label={`Link to ${nodeType.type}`}>
          #
        </a>
      </header>
      <p className="catalog-description">{nodeType.description}</p>

      <dl className="catalog-ports">
        <dt>In</dt>
        <dd>{nodeType.inputs.length ? nodeType.inputs.map((port) => <code key={port}>{port}</code>) : <span className="muted">none — it starts the flow</span>}</dd>
        <dt>Out</dt>
        <dd>
          {nodeType.ports.map((port) => (
            <code key={port}>{port}</code>
          ))}
          {nodeType.config_ports && (
            <span className="muted small">
              {" "}
              and one per item of <code>{nodeType.config_ports.list}</code>, named by its <code>{nodeType.config_ports.key}</code>
            </span>
          )}
        </dd>
      </dl>

      {fields.length > 0 ? (
        <div className="table-wrap catalog-fields">
          <table className="data-table" aria-label={`Config of ${nodeType.type}`}>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {fields.map((field) => (
                <tr key={field.name}>
                  <td>
                    <code>{field.name}</code>
                  </td>
                  <td>{field.type}</td>
                  <td>{field.required ? "required" : <span className="muted">optional</span>}</td>
                  <td>
                    {field.description}
                    {field.defaultValue !== null && (
                      <span className="muted small catalog-default">
                        Default <code>{field.defaultValue}</code>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted small">Nothing to set up.</p>
      )}

      {nodeType.example ? <JsonView label="Example config" value={nodeType.example} /> : <p className="muted small">No example yet.</p>}
    </article>
  );
}
