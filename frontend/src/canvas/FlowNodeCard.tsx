/**
 * The one node component of the canvas, drawn from the node type's metadata: title, the node's
 * name and id, the category colour, its ports (labelled when a node has several; a switch has one
 * per case, read from its config), its run status and its problems.
 */
import { Handle, Position, useNodeConnections, type NodeProps } from "@xyflow/react";
import { memo, useContext } from "react";
import { problemField } from "../stores/validationStore";
import { StatusBadge } from "../ui/StatusBadge";
import { CanvasDecorationsContext } from "./canvasDecorations";
import type { CanvasNode } from "./flowGraph";
import { DEFAULT_SOURCE_PORT, DEFAULT_TARGET_PORT, ERROR_PORT, outputPorts } from "./flowGraph";
import { CategoryIcon, categoryClass } from "./nodeCategories";

function FlowNodeCardComponent({ id, data, selected }: NodeProps<CanvasNode>) {
  const { nodeTypes, statuses, problems, highlights } = useContext(CanvasDecorationsContext);
  const nodeType = nodeTypes.get(data.nodeType);
  const category = nodeType?.category ?? data.nodeType.split(".")[0] ?? "other";
  const title = nodeType?.title ?? data.nodeType;
  // A node set to route its failures (`on_error: "route"`) also has an `error` port.
  const offered = [...outputPorts(nodeType, data.config), ...(data.config?.on_error === "route" ? [ERROR_PORT] : [])];
  // A port its edges still leave by but the node no longer has (a switch case removed, or renamed):
  // kept on the card, struck through, so the edge stays in sight while validation flags it.
  const outgoing = useNodeConnections({ handleType: "source" });
  const stale = [...new Set(outgoing.map((edge) => edge.sourceHandle ?? DEFAULT_SOURCE_PORT))].filter((port) => !offered.includes(port));
  const ports = [...offered, ...stale];
  const hasInput = nodeType ? nodeType.inputs.length > 0 : category !== "trigger";
  const status = statuses[id];
  const nodeProblems = problems.get(id) ?? [];
  const highlight = highlights[id];
  const labelledPorts = ports.length > 1 || (ports.length === 1 && ports[0] !== DEFAULT_SOURCE_PORT);
  const classes = [
    "node-card",
    categoryClass(category),
    selected ? "is-selected" : "",
    status ? `status-${status}` : "",
    nodeProblems.length ? "has-problems" : "",
    highlight ? `highlight-${highlight}` : "",
    nodeType ? "" : "is-unknown",
  ];

  return (
    <div className={classes.filter(Boolean).join(" ")}>
      {hasInput && (
        <Handle type="target" position={Position.Left} id={DEFAULT_TARGET_PORT} className="port port-in" aria-label={`Input of ${id}`} />
      )}
      <div className="node-card-head">
        <span className="node-card-icon">
          <CategoryIcon category={category} />
        </span>
        <span className="node-card-title">{data.name || title}</span>
        {nodeProblems.length > 0 && (
          <span className="node-card-problem-count" aria-label={`${nodeProblems.length} problem${nodeProblems.length > 1 ? "s" : ""}`}>
            !
          </span>
        )}
      </div>
      <div className="node-card-meta">
        <code className="node-card-id">{id}</code>
        {data.name && <span className="node-card-type">{title}</span>}
        {!nodeType && <span className="node-card-type">unknown type</span>}
      </div>
      {status && (
        <div className="node-card-status">
          <StatusBadge status={status} kind="step" />
        </div>
      )}
      {highlight && <span className={`node-card-highlight highlight-label-${highlight}`}>{highlight}</span>}
      {labelledPorts ? (
        <div className="node-card-ports">
          {ports.map((port) => (
            <div
              key={port}
              className={`node-port-row port-${port}${stale.includes(port) ? " is-stale" : ""}`}
              title={stale.includes(port) ? `${port} is no longer a port of this node: move or remove its edges` : undefined}
            >
              <span className="node-port-label">{port}</span>
              <Handle type="source" position={Position.Right} id={port} className={`port port-out port-named port-${port}`} aria-label={`Output ${port} of ${id}`} />
            </div>
          ))}
        </div>
      ) : (
        ports.map((port) => (
          <Handle key={port} type="source" position={Position.Right} id={port} className="port port-out" aria-label={`Output of ${id}`} />
        ))
      )}
      {nodeProblems.length > 0 && (
        <div className="node-card-tooltip" role="tooltip">
          <ul>
            {nodeProblems.map((problem, index) => (
              <li key={index}>
                {problemField(problem) && <code>{problemField(problem)}</code>} {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

export const FlowNodeCard = memo(FlowNodeCardComponent);

export const canvasNodeTypes = { flowNode: FlowNodeCard };
