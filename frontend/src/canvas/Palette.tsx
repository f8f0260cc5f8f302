/**
 * The node palette: every node type from the server, grouped by category and imported connectors
 * under their connector, searchable. Items are dragged onto the canvas, or clicked to add them after
 * the selected node.
 */
import { useMemo, useState, type DragEvent } from "react";
import { useNodeTypes } from "../api/nodeTypes";
import type { NodeType } from "../api/types";
import { ProblemMessage } from "../ui/ProblemMessage";
import { Loading } from "../ui/Loading";
import { NODE_TYPE_DRAG_FORMAT } from "./EditorCanvas";
import { CategoryIcon, categoryClass } from "./nodeCategories";
import { groupNodeTypes } from "./nodeTypeGroups";

export function Palette({ onAdd, hasTrigger }: { onAdd: (nodeType: NodeType) => void; hasTrigger: boolean }) {
  const nodeTypes = useNodeTypes();
  const [search, setSearch] = useState("");
  const groups = useMemo(() => groupNodeTypes(nodeTypes.data ?? [], search), [nodeTypes.data, search]);

  const onDragStart = (event: DragEvent, nodeType: NodeType) => {
    event.dataTransfer.setData(NODE_TYPE_DRAG_FORMAT, nodeType.type);
    event.dataTransfer.setData("text/plain", nodeType.type);
    event.dataTransfer.effectAllowed = "move";
  };

  return (
    <aside className="palette" aria-label="Node palette">
      <div className="palette-search">
        <input
          type="search"
          placeholder="Search steps…"
          aria-label="Search node types"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      {nodeTypes.isPending && <Loading label="Loading node types…" />}
      {nodeTypes.error && <ProblemMessage error={nodeTypes.error} title="The node types could not be loaded." />}
      {nodeTypes.data && groups.length === 0 && <p className="muted small palette-none">No step matches “{search}”.</p>}
      <div className="palette-groups">
        {groups.map(({ key, label, category, connector, types: items }) => (
          <section key={key} className="palette-group" aria-label={connector ? `Connector ${label}` : label}>
            <h3>
              {connector && <span className="palette-group-kind">Connector </span>}
              {label}
            </h3>
            {category === "trigger" && (
              <p className="palette-hint">{hasTrigger ? "This flow has its trigger; a flow has exactly one." : "Every flow starts with one trigger."}</p>
            )}
            {items.map((nodeType) => (
              <button
                key={nodeType.type}
                type="button"
                draggable
                className={`palette-item ${categoryClass(category)}`}
                aria-label={`Add ${nodeType.title}`}
                title={nodeType.description}
                onDragStart={(event) => onDragStart(event, nodeType)}
                onClick={() => onAdd(nodeType)}
              >
                <span className="palette-item-icon">
                  <CategoryIcon category={category} />
                </span>
                <span className="palette-item-text">
                  <span className="palette-item-title">{nodeType.title}</span>
                  <span className="palette-item-description">{nodeType.description}</span>
                </span>
              </button>
            ))}
          </section>
        ))}
      </div>
    </aside>
  );
}
