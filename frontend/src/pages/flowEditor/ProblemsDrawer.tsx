/** The problems drawer under the canvas: every problem of the draft; clicking one selects its node. */
import { useReactFlow } from "@xyflow/react";
import { useState } from "react";
import type { ProblemItem } from "../../api/types";
import { useEditorStore } from "../../stores/editorStore";
import { problemField } from "../../stores/validationStore";

function whereOf(problem: ProblemItem): string {
  if (problem.node) return problem.node;
  const edge = problem.field && /^edges\[(\d+)\]/.exec(problem.field);
  if (edge) {
    const document = useEditorStore.getState().document();
    const found = document.edges[Number(edge[1])];
    return found ? `${found.source} → ${found.target}` : "connection";
  }
  return "flow";
}

export function ProblemsDrawer({ problems, checking }: { problems: ProblemItem[]; checking: boolean }) {
  const [open, setOpen] = useState(false);
  const select = useEditorStore((state) => state.select);
  const reactFlow = useReactFlow();
  const show = (nodeId: string) => {
    select(nodeId);
    const node = useEditorStore.getState().nodes.find((candidate) => candidate.id === nodeId);
    if (node) {
      const width = node.measured?.width ?? 232;
      const height = node.measured?.height ?? 84;
      void reactFlow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: reactFlow.getZoom(), duration: 250 });
    }
  };
  const count = problems.length;
  return (
    <section className={`problems-drawer${open ? " open" : ""}${count ? " has-problems" : ""}`} aria-label="Problems">
      <button type="button" className="problems-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className={count ? "problems-dot danger" : "problems-dot ok"} aria-hidden="true" />
        {count === 0 ? "No problems" : `${count} problem${count > 1 ? "s" : ""}`}
        {checking && <span className="muted small"> · checking…</span>}
        <span className="problems-chevron" aria-hidden="true">
          {open ? "▾" : "▴"}
        </span>
      </button>
      {open && (
        <div className="problems-list">
          {count === 0 ? (
            <p className="muted small">The draft is complete: it can be tested and submitted for approval.</p>
          ) : (
            <ul>
              {problems.map((problem, index) => (
                <li key={index}>
                  <button
                    type="button"
                    className="problem-item"
                    disabled={!problem.node}
                    onClick={() => problem.node && show(problem.node)}
                  >
                    <span className="problem-where">{whereOf(problem)}</span>
                    {problemField(problem) && !problem.field?.startsWith("edges[") && <code>{problemField(problem)}</code>}
                    <span>{problem.message}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
