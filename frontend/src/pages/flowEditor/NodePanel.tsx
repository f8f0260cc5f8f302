/**
 * The side panel for the selected node: its name, id and type; its config form; and, when a test
 * run is shown, what the node received and produced in it.
 */
import { useEffect, useMemo, useState } from "react";
import { useNodeTypeMap } from "../../api/nodeTypes";
import type { ProblemItem, Run } from "../../api/types";
import { CategoryIcon, categoryClass } from "../../canvas/nodeCategories";
import { contextPaths } from "../../forms/contextPaths";
import { NodeConfigForm } from "../../forms/NodeConfigForm";
import { useEditorStore } from "../../stores/editorStore";
import { configPath, problemField } from "../../stores/validationStore";
import { copyText } from "../../ui/JsonView";
import { StatusBadge } from "../../ui/StatusBadge";
import { StepDetails } from "../../ui/StepDetails";
import { showToast } from "../../stores/toastStore";
import { MaskedNote } from "../runs/RunStepsPanel";

type Tab = "settings" | "run";

export function NodePanel({
  nodeId,
  problems,
  run,
  contextRun,
  readOnly = false,
}: {
  nodeId: string;
  problems: ProblemItem[];
  /** The test run shown on the canvas, if any. */
  run: Run | null;
  /** The run whose data feeds the path picker (the shown test run, else the flow's latest). */
  contextRun: Run | null;
  /** Settings shown, not changed. */
  readOnly?: boolean;
}) {
  const node = useEditorStore((state) => state.nodes.find((candidate) => candidate.id === nodeId));
  const renameNode = useEditorStore((state) => state.renameNode);
  const setSensitive = useEditorStore((state) => state.setSensitive);
  const updateConfig = useEditorStore((state) => state.updateConfig);
  const removeNodes = useEditorStore((state) => state.removeNodes);
  const select = useEditorStore((state) => state.select);
  const revision = useEditorStore((state) => state.revision);
  const nodeTypes = useNodeTypeMap();
  const step = run?.steps.find((candidate) => candidate.node === nodeId) ?? null;
  const [tab, setTab] = useState<Tab>(step ? "run" : "settings");

  useEffect(() => {
    setTab(run?.steps.some((candidate) => candidate.node === nodeId) ? "run" : "settings");
    // Only when another node is chosen or another run shown: not on every step update.
  }, [nodeId, run?.id]);

  const paths = useMemo(
    () => contextPaths({ document: useEditorStore.getState().document(), nodeId, run: contextRun, nodeTypes }),
    // The document's shape matters, not each keystroke; revision covers both.
    [nodeId, contextRun, nodeTypes, revision],
  );

  if (!node) return null;
  const nodeType = nodeTypes.get(node.data.nodeType);
  const category = nodeType?.category ?? "other";
  // Later steps read a trigger's output as `trigger`, any other step's as `steps.<id>`.
  const outputPath = category === "trigger" ? "trigger" : `steps.${nodeId}`;
  const unplaced = problems.filter((problem) => configPath(problem) === null || configPath(problem) === "");

  return (
    <section className="side-panel node-panel" aria-label={`Settings of ${nodeId}`}>
      <header className={`node-panel-head ${categoryClass(category)}`}>
        <span className="node-card-icon">
          <CategoryIcon category={category} />
        </span>
        <div className="node-panel-title">
          <h2>{node.data.name || nodeType?.title || node.data.nodeType}</h2>
          <p className="muted small">{nodeType?.title ?? node.data.nodeType}</p>
        </div>
        <button type="button" className="icon-button" aria-label="Close panel" title="Close (Esc)" onClick={() => select(null)}>
          ×
        </button>
      </header>
      {run && (
        <div className="segmented panel-tabs" role="tablist" aria-label="Panel">
          <button type="button" role="tab" aria-selected={tab === "settings"} onClick={() => setTab("settings")}>
            Settings
          </button>
          <button type="button" role="tab" aria-selected={tab === "run"} onClick={() => setTab("run")}>
            Test run data {step && <StatusBadge status={step.status} kind="step" />}
          </button>
        </div>
      )}
      <div className="side-panel-body">
        {tab === "run" && run ? (
          step ? (
            <>
              {step.masked && <MaskedNote />}
              <StepDetails step={step} />
            </>
          ) : (
            <p className="muted">This step has not run in this test{run.status === "running" || run.status === "queued" ? " yet" : ""}.</p>
          )
        ) : (
          <>
            {nodeType?.description && <p className="node-panel-description">{nodeType.description}</p>}
            {problems.length > 0 && (
              <div className="panel-problems" role="alert">
                <strong>
                  {problems.length} problem{problems.length > 1 ? "s" : ""} to fix
                  {problems.length > unplaced.length ? " (marked on the fields below)" : ""}
                </strong>
                {unplaced.length > 0 && (
                  <ul>
                    {unplaced.map((problem, index) => (
                      <li key={index}>
                        {problemField(problem) && <code>{problemField(problem)}</code>} {problem.message}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            <div className="form-field">
              <label className="form-label" htmlFor="node-name">
                Node name
              </label>
              <input
                id="node-name"
                readOnly={readOnly}
                value={node.data.name ?? ""}
                placeholder={nodeType?.title ?? "A name for this step"}
                onChange={(event) => renameNode(nodeId, event.target.value)}
              />
            </div>
            <div className="form-field">
              <span className="form-label">Node id</span>
              <div className="node-id-row">
                <code>{nodeId}</code>
                <button
                  type="button"
                  className="button ghost tiny"
                  aria-label="Copy path"
                  onClick={() => void copyText(outputPath).then(() => showToast(`Copied ${outputPath}`, "success"))}
                  title={`Later steps read this step's output as ${outputPath}`}
                >
                  Copy path
                </button>
              </div>
            </div>
            <div className="form-field sensitive-field">
              <label className="inline-check">
                <input
                  type="checkbox"
                  checked={node.data.extra?.sensitive === true}
                  disabled={readOnly}
                  aria-describedby="node-sensitive-help"
                  onChange={(event) => setSensitive(nodeId, event.target.checked)}
                />
                <span>Sensitive data</span>
              </label>
              <p className="form-help" id="node-sensitive-help">
                What this step receives and produces is hidden from everyone but admins in run history, live
                updates, exports and version diffs. The data is still kept for admins and replays.
              </p>
            </div>
            {nodeType ? (
              <NodeConfigForm
                key={nodeId}
                nodeType={nodeType}
                config={node.data.config}
                onChange={(config) => updateConfig(nodeId, config)}
                disabled={readOnly}
                problems={problems.filter((problem) => !unplaced.includes(problem))}
                paths={paths}
              />
            ) : (
              <p className="problem-message" role="alert">
                The type <code>{node.data.nodeType}</code> is not known to this server; remove this node or install the package that provides it.
              </p>
            )}
            {!readOnly && (
              <div className="panel-danger-zone">
                <button type="button" className="button danger-outline small" onClick={() => removeNodes([nodeId])}>
                  Delete node
                </button>
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}
