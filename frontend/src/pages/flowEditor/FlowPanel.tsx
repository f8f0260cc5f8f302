/** The side panel when no node is selected: the flow at a glance (its team among it) and its versions with their states. */
import { Link } from "react-router-dom";
import { useVersions } from "../../api/versions";
import type { Flow } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { copyText } from "../../ui/JsonView";
import { Loading } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { RelativeTime } from "../../ui/RelativeTime";
import { StatusBadge } from "../../ui/StatusBadge";
import { flowState } from "../flows/flowState";
import { FlowTeamPicker, NewFlowTeamPicker } from "./FlowTeamPicker";

export function FlowPanel({
  flow,
  nodeCount,
  readOnly = false,
  newFlowTeam,
  onNewFlowTeamChange,
}: {
  flow: Flow | undefined;
  nodeCount: number;
  readOnly?: boolean;
  newFlowTeam?: number;
  onNewFlowTeamChange?: (team: number | undefined) => void;
}) {
  return (
    <section className="side-panel flow-panel" aria-label="Flow details">
      <header className="side-panel-head">
        <h2>{flow ? "This flow" : "A new flow"}</h2>
      </header>
      <div className="side-panel-body">
        {!flow ? (
          <div className="panel-intro">
            <p>Build your flow on the canvas:</p>
            <ol>
              <li>Drag a trigger from the left: what starts the flow.</li>
              <li>Add the steps that follow and connect them port to port.</li>
              <li>Select a step to set it up here.</li>
            </ol>
            <p className="muted small">Your work is saved automatically as a draft.</p>
            {onNewFlowTeamChange && <NewFlowTeamPicker team={newFlowTeam} onChange={onNewFlowTeamChange} />}
          </div>
        ) : (
          <>
            <dl className="facts">
              <dt>State</dt>
              <dd>
                <StatusBadge status={flowState(flow)} />
              </dd>
              <dt>Team</dt>
              <dd>
                <FlowTeamPicker flow={flow} readOnly={readOnly} />
              </dd>
              <dt>Live version</dt>
              <dd>{flow.live_version ? `Version ${flow.live_version}` : "None yet"}</dd>
              <dt>Steps</dt>
              <dd>{nodeCount}</dd>
              {(flow.webhook_url || flow.trigger_type === "trigger.webhook") && (
                <>
                  <dt>Webhook URL</dt>
                  <dd>
                    {flow.webhook_url ? (
                      <span className="webhook-fact">
                        <code title={flow.webhook_url}>{flow.webhook_url}</code>
                        <button
                          type="button"
                          className="button ghost tiny"
                          onClick={() => void copyText(flow.webhook_url!).then(() => showToast("Webhook URL copied", "success"))}
                        >
                          Copy
                        </button>
                      </span>
                    ) : (
                      <span className="muted small">Given once a version is approved.</span>
                    )}
                  </dd>
                </>
              )}
              {flow.last_run && (
                <>
                  <dt>Last run</dt>
                  <dd>
                    <Link to={`/runs/${flow.last_run.id}`}>
                      <StatusBadge status={flow.last_run.status} /> <RelativeTime iso={flow.last_run.created_at} />
                    </Link>
                  </dd>
                </>
              )}
              <dt>Changed</dt>
              <dd>
                <RelativeTime iso={flow.updated_at} />
              </dd>
            </dl>
            <p className="muted small">
              {readOnly
                ? "Select a step on the canvas to see its settings. Your role lets you see this flow, not change it."
                : "Select a step on the canvas to set it up. Test the draft with sample data, then submit it for approval: it goes live once approved."}
            </p>
            <VersionList flowId={flow.id} readOnly={readOnly} />
          </>
        )}
      </div>
    </section>
  );
}

function VersionList({ flowId, readOnly }: { flowId: string; readOnly: boolean }) {
  const versions = useVersions(flowId);
  const items = versions.data?.pages.flatMap((page) => page.results) ?? [];
  return (
    <section className="version-list" aria-label="Versions" id="versions">
      <h3>Versions</h3>
      {versions.isPending && <Loading label="Loading versions…" />}
      {versions.error && <ProblemMessage error={versions.error} />}
      {versions.data && items.length === 0 && (
        <p className="muted small">{readOnly ? "No versions yet." : "No versions yet. Submit the draft for approval to make version 1."}</p>
      )}
      <ul>
        {items.map((version) => (
          <li key={version.number}>
            <Link to={`/flows/${flowId}/versions/${version.number}`} className="version-item" aria-label={`Version ${version.number}, ${version.state}`}>
              <span className="version-number">v{version.number}</span>
              <StatusBadge status={version.state ?? "pending"} label={version.state === "pending" ? "Waiting for approval" : undefined} />
              <span className="version-meta">
                {version.author && <span>{version.author}</span>} <RelativeTime iso={version.created_at} />
              </span>
              {version.note && <span className="version-note">{version.note}</span>}
            </Link>
          </li>
        ))}
      </ul>
      {versions.hasNextPage && (
        <button type="button" className="button ghost small" onClick={() => void versions.fetchNextPage()} disabled={versions.isFetchingNextPage}>
          Show older versions
        </button>
      )}
    </section>
  );
}
