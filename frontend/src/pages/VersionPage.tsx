/**
 * /flows/{id}/versions/{n}: a version read-only, its state and decision, and its diff against the
 * version before (or `?against=M`): both versions side by side on canvases — added nodes green,
 * removed red, changed amber — beside the server's plain-language list of what changed.
 */
import { useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useFlow } from "../api/flows";
import { useCan } from "../api/me";
import { useNodeTypeMap } from "../api/nodeTypes";
import { useVersion, useVersionDiff, useVersions } from "../api/versions";
import type { Version } from "../api/types";
import { EmptyState } from "../ui/EmptyState";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../ui/RelativeTime";
import { StatusBadge } from "../ui/StatusBadge";
import { usePageTitle } from "./runs/usePageTitle";
import { VersionChanges } from "./versions/VersionChanges";
import { VersionDecision } from "./versions/VersionDecision";
import { SideBySide } from "./versions/SideBySide";
import { asFlowDiff, baseHighlights, diffHighlights, diffLines, foldDiff } from "./versions/versionDiff";
import { VersionNodePanel } from "./versions/VersionNodePanel";
import "./runs/runs.css";

function positiveInt(value: string | null | undefined): number | undefined {
  if (!value || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 ? number : undefined;
}

export function VersionPage() {
  const { id = "", number: numberParam } = useParams();
  const number = positiveInt(numberParam);
  if (number === undefined) {
    return (
      <main className="page version-page">
        <EmptyState title="There is no such version" action={<Link to={`/flows/${id}`} className="button secondary">Open the flow</Link>}>
          Versions are numbered from 1; <code>{numberParam}</code> is not a version number.
        </EmptyState>
      </main>
    );
  }
  return <VersionView key={`${id}/${number}`} flowId={id} number={number} />;
}

function VersionView({ flowId, number }: { flowId: string; number: number }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const against = positiveInt(searchParams.get("against"));
  const selected = searchParams.get("node") || null;

  const flow = useFlow(flowId);
  const versionQuery = useVersion(flowId, number);
  const versionsQuery = useVersions(flowId);
  // Asked once the version is known to exist, so a wrong address answers one 404, not two.
  const diffQuery = useVersionDiff(flowId, versionQuery.data ? number : undefined, against);
  const nodeTypes = useNodeTypeMap();
  const mayWrite = useCan()("flows:write");
  const version = versionQuery.data;
  usePageTitle(flow.data ? `${flow.data.name} · version ${number}` : `Version ${number}`);

  const rawDiff = diffQuery.data ? asFlowDiff(diffQuery.data) : undefined;
  const base = useVersion(rawDiff?.from_version ? flowId : undefined, rawDiff?.from_version ?? undefined);
  const diff = useMemo(
    () => (rawDiff ? foldDiff(rawDiff, base.data?.graph.nodes, version?.graph.nodes) : undefined),
    [rawDiff, base.data, version],
  );
  const lines = useMemo(() => (diff ? diffLines(diff, nodeTypes) : []), [diff, nodeTypes]);
  const highlights = useMemo(() => diffHighlights(diff), [diff]);
  const oldHighlights = useMemo(() => baseHighlights(diff), [diff]);
  const versions = useMemo<Version[]>(() => versionsQuery.data?.pages.flatMap((page) => page.results) ?? [], [versionsQuery.data]);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearchParams(next, { replace: true });
  };

  if (versionQuery.isLoading) {
    return (
      <main className="page version-page">
        <Loading label={`Loading version ${number}…`} />
      </main>
    );
  }
  if (!version) {
    const notFound = versionQuery.error instanceof ApiError && versionQuery.error.status === 404;
    return (
      <main className="page version-page">
        {notFound ? (
          <EmptyState title={`Version ${number} does not exist`} action={<Link to={`/flows/${flowId}`} className="button secondary">Open the flow</Link>}>
            {flow.data ? `“${flow.data.name}” has no version ${number}.` : "This flow, or this version of it, does not exist."}
          </EmptyState>
        ) : (
          <ProblemMessage error={versionQuery.error} title="The version could not be loaded." />
        )}
      </main>
    );
  }

  const isLive = flow.data?.live_version === number;
  const flowName = version.flow_name ?? flow.data?.name;
  // A removed node is only in the older version: it can be chosen there.
  const chosenNode = selected
    ? (version.graph.nodes.find((node) => node.id === selected) ?? base.data?.graph.nodes.find((node) => node.id === selected))
    : undefined;
  const fromVersion = rawDiff?.from_version ?? null;

  return (
    <main className="page version-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/">Flows</Link>
        <span aria-hidden="true">/</span>
        <Link to={`/flows/${flowId}`}>{flowName ?? "Flow"}</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">Version {number}</span>
      </nav>

      <header className="page-head">
        <div>
          <div className="run-title">
            <h1>
              {flowName ? `${flowName} — ` : ""}version {number}
            </h1>
            {version.state && <StatusBadge status={version.state} />}
            {isLive && <StatusBadge status="live" label={flow.data?.paused ? "Live (paused)" : "Live"} />}
          </div>
          <p className="muted">
            Read-only. {version.state === "pending" ? "Review what changed, then approve or reject it." : "Drafts are edited in the editor."}
          </p>
        </div>
        <div className="page-head-actions">
          <Link to={`/flows/${flowId}`} className="button secondary">
            {mayWrite ? "Open the editor" : "Open the flow"}
          </Link>
          <Link to={`/runs?flow=${flowId}`} className="button ghost">
            Runs of this flow
          </Link>
        </div>
      </header>

      <dl className="facts run-facts">
        <div>
          <dt>Author</dt>
          <dd>{version.author ?? <span className="muted">unknown</span>}</dd>
        </div>
        <div>
          <dt>Submitted</dt>
          <dd>
            <span title={formatDateTime(version.created_at)}>
              <RelativeTime iso={version.created_at} />
            </span>
          </dd>
        </div>
        <div className="fact-note">
          <dt>Note</dt>
          <dd>{version.note ? version.note : <span className="muted">No note.</span>}</dd>
        </div>
      </dl>

      <VersionStrip flowId={flowId} number={number} versions={versions} liveVersion={flow.data?.live_version ?? null} query={versionsQuery} />

      <div className="run-body">
        <section className="canvas-panel" aria-label="Version canvas">
          <SideBySide
            before={fromVersion !== null && base.data ? { number: fromVersion, document: base.data.graph } : null}
            beforeLoading={fromVersion !== null && !base.data}
            after={{ number, document: version.graph }}
            beforeHighlights={oldHighlights}
            afterHighlights={highlights}
            selectedNodeId={chosenNode ? chosenNode.id : null}
            onNodeClick={(node) => update({ node: node === selected ? undefined : node })}
          />
        </section>
        <aside className="run-side" aria-label="Version details">
          <VersionDecision flowId={flowId} version={version} isLive={isLive} />
          {chosenNode && (
            <VersionNodePanel
              node={chosenNode}
              nodeType={nodeTypes.get(chosenNode.type)}
              lines={lines.filter((line) => line.node === chosenNode.id && line.tone === "changed")}
              highlight={highlights[chosenNode.id] ?? oldHighlights[chosenNode.id]}
              onClose={() => update({ node: undefined })}
            />
          )}
          <VersionChanges
            number={number}
            against={against}
            versions={versions}
            diff={diff}
            lines={lines}
            diffQuery={diffQuery}
            selected={selected}
            onAgainstChange={(value) => update({ against: value === undefined ? undefined : String(value) })}
            onSelectNode={(node) => update({ node })}
            typeTitle={(type) => nodeTypes.get(type)?.title ?? type}
          />
        </aside>
      </div>
    </main>
  );
}

function VersionStrip({
  flowId,
  number,
  versions,
  liveVersion,
  query,
}: {
  flowId: string;
  number: number;
  versions: Version[];
  liveVersion: number | null;
  query: ReturnType<typeof useVersions>;
}) {
  if (query.isLoading) return null;
  if (query.error) return <ProblemMessage error={query.error} title="The other versions could not be loaded." />;
  if (versions.length <= 1 && !query.hasNextPage) return null;
  return (
    <nav className="version-strip" aria-label="Versions of this flow">
      <span className="muted small">Versions</span>
      <ul>
        {versions.map((version) => (
          <li key={version.number}>
            <Link
              to={`/flows/${flowId}/versions/${version.number}`}
              className={`version-chip state-${version.state ?? "unknown"}${version.number === number ? " is-current" : ""}`}
              aria-current={version.number === number ? "page" : undefined}
              aria-label={`Version ${version.number}, ${version.number === liveVersion ? "live" : (version.state ?? "")}`}
              title={`${version.note || "No note"} — ${version.author ?? "unknown author"}`}
            >
              <span className="version-chip-number">v{version.number}</span>
              <span className="version-chip-state">{version.number === liveVersion ? "live" : version.state}</span>
            </Link>
          </li>
        ))}
        {query.hasNextPage && (
          <li>
            <button type="button" className="button ghost tiny" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
              Older versions
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}
