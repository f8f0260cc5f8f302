/**
 * Two versions of a flow next to each other on read-only canvases, so an approver sees what the
 * change looks like: the older one marks what was removed (red) and changed (amber), the newer one
 * what was added (green) and changed. Without an older version (version 1) only the newer is drawn.
 */
import type { FlowDocument } from "../../api/types";
import { FlowCanvas } from "../../canvas/FlowCanvas";
import type { NodeHighlight } from "../../canvas/canvasDecorations";

export interface SideBySideProps {
  before: { number: number; document: FlowDocument } | null;
  after: { number: number; document: FlowDocument };
  beforeHighlights: Record<string, NodeHighlight>;
  afterHighlights: Record<string, NodeHighlight>;
  selectedNodeId: string | null;
  onNodeClick: (node: string) => void;
  /** The older version is still loading (its number is known). */
  beforeLoading?: boolean;
}

export function DiffLegend() {
  return (
    <div className="canvas-legend diff-legend" role="note" aria-label="Legend">
      <span className="legend-item legend-added">Added</span>
      <span className="legend-item legend-removed">Removed</span>
      <span className="legend-item legend-changed">Changed</span>
    </div>
  );
}

export function SideBySide({
  before,
  after,
  beforeHighlights,
  afterHighlights,
  selectedNodeId,
  onNodeClick,
  beforeLoading = false,
}: SideBySideProps) {
  const pairs = before !== null || beforeLoading;
  return (
    <div className={`side-by-side${pairs ? " is-pair" : ""}`}>
      <DiffLegend />
      {pairs && (
        <figure className="side-by-side-pane" aria-label={before ? `Version ${before.number}, before` : "The version before"}>
          <figcaption>{before ? `Before — version ${before.number}` : "Before"}</figcaption>
          {before ? (
            <FlowCanvas
              document={before.document}
              highlights={beforeHighlights}
              selectedNodeId={selectedNodeId}
              onNodeClick={onNodeClick}
              ariaLabel={`Version ${before.number} of the flow`}
              className="run-canvas diff-before"
            />
          ) : (
            <p className="muted small side-by-side-wait">Loading the version before…</p>
          )}
        </figure>
      )}
      <figure className="side-by-side-pane" aria-label={`Version ${after.number}, after`}>
        <figcaption>{pairs ? `After — version ${after.number}` : `Version ${after.number}`}</figcaption>
        <FlowCanvas
          // Drawn anew when the older version joins: a fit made at full width would not fit half of it.
          key={pairs ? "pair" : "single"}
          document={after.document}
          highlights={afterHighlights}
          selectedNodeId={selectedNodeId}
          onNodeClick={onNodeClick}
          ariaLabel={`Version ${after.number} of the flow`}
          className="run-canvas diff-after"
        />
      </figure>
    </div>
  );
}
