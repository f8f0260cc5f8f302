/**
 * The data-loss-prevention board: every node type in its column (Business, Non-business, Blocked, or
 * outside DLP), moved with a select. One flow may not mix Business with Non-business; Blocked may not
 * be used at all. Types nobody classified take the default group, except those that move no data in
 * or out (transforms, manual and scheduled starts), which stay outside unless classified.
 */
import { useMemo, useState } from "react";
import { useNodeTypes } from "../../api/nodeTypes";
import type { NodeType } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Loading } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { DLP_GROUP_LABELS, useDlpPolicy, useSaveDlpPolicy, type DlpGroup, type DlpPolicy } from "./policiesApi";

const GROUPS: DlpGroup[] = ["business", "non_business", "blocked"];
type Column = DlpGroup | "exempt";

export function DlpPanel() {
  const policy = useDlpPolicy();
  if (policy.isLoading) return <Loading label="Loading the data-loss-prevention policy…" />;
  if (policy.error || !policy.data) return <ProblemMessage error={policy.error} title="The policy could not be loaded." />;
  return <DlpBoard key={policy.data.updated_at ?? "new"} policy={policy.data} />;
}

function DlpBoard({ policy }: { policy: DlpPolicy }) {
  const nodeTypes = useNodeTypes();
  const save = useSaveDlpPolicy();
  const [classification, setClassification] = useState<Record<string, DlpGroup>>(policy.classification);
  const [defaultGroup, setDefaultGroup] = useState<DlpGroup>(policy.default_group);
  const exempt = useMemo(() => new Set(policy.exempt), [policy.exempt]);

  const columnOf = (type: string): Column => classification[type] ?? (exempt.has(type) ? "exempt" : defaultGroup);
  const columns: Record<Column, NodeType[]> = { business: [], non_business: [], blocked: [], exempt: [] };
  for (const nodeType of nodeTypes.data ?? []) columns[columnOf(nodeType.type)].push(nodeType);

  const move = (type: string, to: DlpGroup | "") => {
    const next = { ...classification };
    if (to) next[type] = to;
    else delete next[type];
    setClassification(next);
  };

  return (
    <section className="settings-card dlp-board-card" aria-label="Data-loss prevention">
      <h2>Data-loss prevention</h2>
      <p className="muted">
        One flow may not use Business and Non-business node types together, and Blocked types may not be used at all. Checked when a version is submitted and
        again before each step runs.
      </p>
      <label className="form-label" htmlFor="dlp-default">
        Node types nobody classified are
      </label>
      <select id="dlp-default" value={defaultGroup} onChange={(event) => setDefaultGroup(event.target.value as DlpGroup)}>
        {GROUPS.map((group) => (
          <option key={group} value={group}>
            {DLP_GROUP_LABELS[group]}
          </option>
        ))}
      </select>
      <div className="dlp-board">
        {[...GROUPS, "exempt" as const].map((column) => (
          <div key={column} className={`dlp-column dlp-${column}`} role="list" aria-label={column === "exempt" ? "Outside DLP" : DLP_GROUP_LABELS[column]}>
            <h3>{column === "exempt" ? "Outside DLP" : DLP_GROUP_LABELS[column]}</h3>
            {columns[column].length === 0 && <p className="muted small">None</p>}
            {columns[column].map((nodeType) => (
              <div key={nodeType.type} role="listitem" className="dlp-card">
                <strong>{nodeType.title}</strong> <code className="muted small">{nodeType.type}</code>
                <select
                  aria-label={`Group of ${nodeType.title}`}
                  value={classification[nodeType.type] ?? ""}
                  onChange={(event) => move(nodeType.type, event.target.value as DlpGroup | "")}
                >
                  <option value="">Default ({exempt.has(nodeType.type) ? "outside DLP" : DLP_GROUP_LABELS[defaultGroup]})</option>
                  {GROUPS.map((group) => (
                    <option key={group} value={group}>
                      {DLP_GROUP_LABELS[group]}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </div>
        ))}
      </div>
      {save.error && <ProblemMessage error={save.error} title="The policy could not be saved." />}
      <div className="button-row">
        <button
          type="button"
          className="button primary"
          disabled={save.isPending}
          onClick={() =>
            save.mutate(
              { classification, default_group: defaultGroup },
              { onSuccess: () => showToast("Data-loss-prevention policy saved", "success") },
            )
          }
        >
          {save.isPending ? "Saving…" : "Save DLP policy"}
        </button>
      </div>
    </section>
  );
}
