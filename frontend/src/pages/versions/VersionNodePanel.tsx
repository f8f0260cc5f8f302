/** A node of a version chosen on the canvas: what it is, its config, and what changed in it. */
import type { FlowNode, NodeType } from "../../api/types";
import { JsonView } from "../../ui/JsonView";
import { LineText } from "./VersionChanges";
import type { DiffLine } from "./versionDiff";

export function VersionNodePanel({
  node,
  nodeType,
  lines,
  highlight,
  onClose,
}: {
  node: FlowNode;
  nodeType: NodeType | undefined;
  lines: DiffLine[];
  highlight: string | undefined;
  onClose: () => void;
}) {
  return (
    <section className="side-section" aria-labelledby="version-node-title">
      <div className="side-title-row">
        <h2 className="side-title" id="version-node-title">
          Node <code>{node.id}</code> <span className="muted small">{nodeType?.title ?? node.type}</span>
        </h2>
        <button type="button" className="button ghost tiny" onClick={onClose} aria-label="Close node details">
          Close
        </button>
      </div>
      {node.name && <p>{node.name}</p>}
      {highlight === "added" && <p className="diff-note diff-added">New in this version.</p>}
      {highlight === "removed" && <p className="diff-note diff-removed">Removed in this version: shown from the version before.</p>}
      {node.sensitive && (
        <p className="diff-note sensitive-note">Sensitive data: its run data is hidden from everyone but admins.</p>
      )}
      {lines.length > 0 && (
        <ul className="diff-list compact">
          {lines.map((line, index) => (
            <li key={index} className={`diff-line diff-${line.tone}`}>
              <span className="diff-text">
                {/* Our own sentences name the node first, and it is named above; the server's are whole. */}
                <LineText parts={line.parts.length > 1 ? line.parts.slice(1) : line.parts} />
              </span>
            </li>
          ))}
        </ul>
      )}
      <JsonView label="Config" value={node.config ?? {}} />
    </section>
  );
}
