/** What a version changed against another one (by default the one before), in plain sentences. */
import { useId } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import type { Version } from "../../api/types";
import { Loading } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { statusLabel } from "../../ui/StatusBadge";
import type { DiffLine, FlowDiff, TextPart } from "./versionDiff";

const MARKS: Record<DiffLine["tone"], string> = { added: "+", changed: "~", removed: "−" };

export function VersionChanges({
  number,
  against,
  versions,
  diff,
  lines,
  diffQuery,
  selected,
  onAgainstChange,
  onSelectNode,
  typeTitle = (type) => type,
}: {
  number: number;
  against: number | undefined;
  versions: Version[];
  diff: FlowDiff | undefined;
  lines: DiffLine[];
  diffQuery: Pick<UseQueryResult<unknown>, "isLoading" | "error">;
  selected: string | null;
  onAgainstChange: (against: number | undefined) => void;
  onSelectNode: (node: string) => void;
  /** A node type's title ("Send e-mail" for action.email). */
  typeTitle?: (type: string) => string;
}) {
  const selectId = useId();
  const others = versions.filter((version) => version.number !== number);
  const base = diff?.from_version ?? null;
  const removedNodes = diff?.nodes.removed ?? [];

  return (
    <section className="side-section" aria-labelledby="changes-title">
      <h2 className="side-title" id="changes-title">
        Changes
      </h2>
      <div className="compare-field">
        <label htmlFor={selectId}>Compare with</label>
        <select
          id={selectId}
          value={against === undefined ? "" : String(against)}
          onChange={(event) => onAgainstChange(event.target.value === "" ? undefined : Number(event.target.value))}
        >
          <option value="">{number > 1 ? `The version before (${number - 1})` : "Nothing (the first version)"}</option>
          {others.map((version) => (
            <option key={version.number} value={version.number}>
              Version {version.number}
              {version.state ? ` — ${statusLabel(version.state).toLowerCase()}` : ""}
            </option>
          ))}
        </select>
      </div>

      {diffQuery.isLoading ? (
        <Loading label="Comparing…" />
      ) : diffQuery.error ? (
        <ProblemMessage error={diffQuery.error} title="The changes could not be loaded." />
      ) : diff ? (
        <>
          <p className="muted small">
            {base === null
              ? "Compared with an empty flow: everything in this version is new."
              : `Version ${number} against version ${base}: ${lines.length === 0 ? "no changes." : `${lines.length} change${lines.length === 1 ? "" : "s"}.`}`}
            {base !== null && lines.length === 0 && " Only where nodes sit on the canvas may differ."}
          </p>
          {lines.length > 0 && (
            <ul className="diff-list" aria-label="Changes">
              {lines.map((line, index) => (
                <li key={index} className={`diff-line diff-${line.tone}${line.node && line.node === selected ? " is-selected" : ""}`}>
                  <span className="diff-mark" aria-hidden="true">
                    {MARKS[line.tone]}
                  </span>
                  {line.node ? (
                    <button type="button" className="diff-text link-button" onClick={() => onSelectNode(line.node!)} title="Show this node on the canvas">
                      <LineText parts={line.parts} />
                    </button>
                  ) : (
                    <span className="diff-text">
                      <LineText parts={line.parts} />
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
          {removedNodes.length > 0 && (
            <div className="removed-nodes">
              <h3>Removed nodes</h3>
              <p className="muted small">They are not in this version: the canvas of the version before shows them, in red.</p>
              <ul>
                {removedNodes.map((node) => (
                  <li key={node.id}>
                    <code>{node.id}</code> <span className="small">{typeTitle(node.type)}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}

/** A sentence with its paths and values in a code font. */
export function LineText({ parts }: { parts: TextPart[] }) {
  return (
    <>
      {parts.map((part, index) => (part.code ? <code key={index}>{part.text}</code> : <span key={index}>{part.text}</span>))}
    </>
  );
}
