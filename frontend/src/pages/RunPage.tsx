/**
 * /runs/{id}: one run on the read-only canvas of its version (or of the flow's draft for a test
 * run), every node coloured by its step, kept live over the websocket until the run ends; each
 * step's data beside it; replay and cancel.
 */
import { useEffect, useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useFlow } from "../api/flows";
import { useNodeTypeMap } from "../api/nodeTypes";
import { useRun } from "../api/runs";
import { useRunSocket } from "../api/runSocket";
import type { FlowDocument, Run } from "../api/types";
import { FlowCanvas } from "../canvas/FlowCanvas";
import { runNodeStatuses } from "../canvas/runStatuses";
import { EmptyState } from "../ui/EmptyState";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { StatusBadge } from "../ui/StatusBadge";
import { RunActions } from "./runs/RunActions";
import { isRunActive, shortId } from "./runs/runFormat";
import { defaultStepNode, stepRows, takenEdgeIds } from "./runs/runGraph";
import { RunStepsPanel } from "./runs/RunStepsPanel";
import { RunSummary } from "./runs/RunSummary";
import { usePageTitle } from "./runs/usePageTitle";
import "./runs/runs.css";

// When the websocket cannot be reached, an unfinished run is asked for this often instead.
const FALLBACK_REFRESH_MS = 4000;

export function RunPage() {
  const { id = "" } = useParams();
  // A new run (after a replay) starts with a fresh view: its own selection and socket.
  return <RunView key={id} runId={id} />;
}

function RunView({ runId }: { runId: string }) {
  const query = useRun(runId);
  const run = query.data;
  const active = isRunActive(run?.status);
  const socket = useRunSocket(active ? runId : null);
  usePageTitle(`Run ${shortId(runId)}`);

  const { refetch } = query;
  useEffect(() => {
    if (!active || socket.state !== "closed") return;
    const timer = setInterval(() => void refetch(), FALLBACK_REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, socket.state, refetch]);

  if (query.isLoading) {
    return (
      <main className="page run-page">
        <Loading label="Loading the run…" />
      </main>
    );
  }
  if (!run) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <main className="page run-page">
        <Crumbs runId={runId} />
        {notFound ? (
          <EmptyState title="This run does not exist" action={<Link to="/runs" className="button secondary">See all runs</Link>}>
            There is no run with the id <code>{runId}</code>. It may have been deleted, or the link is incomplete.
          </EmptyState>
        ) : (
          <ProblemMessage error={query.error} title="The run could not be loaded." />
        )}
      </main>
    );
  }
  return <RunLoaded run={run} live={active && socket.state === "open"} />;
}

function Crumbs({ runId, flowId, flowName }: { runId: string; flowId?: string; flowName?: string }) {
  return (
    <nav className="crumbs" aria-label="Breadcrumb">
      <Link to="/runs">Runs</Link>
      {flowId && (
        <>
          <span aria-hidden="true">/</span>
          <Link to={`/runs?flow=${flowId}`}>{flowName ?? "This flow"}</Link>
        </>
      )}
      <span aria-hidden="true">/</span>
      <span aria-current="page">Run {shortId(runId)}</span>
    </nav>
  );
}

function RunLoaded({ run, live }: { run: Run; live: boolean }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const flow = useFlow(run.flow);
  const nodeTypes = useNodeTypeMap();

  const isTest = run.version == null;
  // The graph the run executed: its version's, or the draft as it was when the test started.
  const document: FlowDocument | undefined = run.graph ?? undefined;

  const statuses = useMemo(() => runNodeStatuses(run, document), [run, document]);
  const taken = useMemo(() => takenEdgeIds(run, document), [run, document]);
  const rows = useMemo(() => stepRows(run, document), [run, document]);

  // `?step=node` opens a step (shareable); `?step=` (empty) means "none chosen" over the default.
  const stepParam = searchParams.get("step");
  const selected = stepParam === null ? defaultStepNode(run) : stepParam || null;
  const select = (node: string | null) => {
    const next = new URLSearchParams(searchParams);
    next.set("step", node ?? "");
    setSearchParams(next, { replace: true });
  };

  return (
    <main className="page run-page">
      <Crumbs runId={run.id} flowId={run.flow} flowName={flow.data?.name} />
      <header className="page-head run-head">
        <div className="run-title">
          <h1>
            Run <code>{shortId(run.id)}</code>
          </h1>
          {run.status && <StatusBadge status={run.status} />}
          {live && (
            <span className="live-mark" title="Updates arrive as the run goes">
              <span className="live-dot" aria-hidden="true" />
              Live
            </span>
          )}
        </div>
        <RunActions run={run} />
      </header>

      <RunSummary run={run} flowName={flow.data?.name} />

      {run.error && (
        <div className={run.status === "cancelled" ? "run-error is-cancel" : "run-error"}>
          <strong>{run.status === "cancelled" ? "Why it stopped" : "What went wrong"}</strong>
          <pre>{run.error}</pre>
        </div>
      )}

      <div className="run-body">
        <section className="canvas-panel" aria-label="Run canvas">
          {isTest && <p className="canvas-note">A test run of the draft, shown as the draft was when the test started.</p>}
          {document ? (
            <FlowCanvas
              document={document}
              statuses={statuses}
              takenEdges={taken}
              selectedNodeId={selected}
              onNodeClick={(node) => select(node === selected ? null : node)}
              ariaLabel={isTest ? "The flow's draft with this run's steps" : `Version ${run.version} with this run's steps`}
              className="run-canvas"
            />
          ) : (
            <Loading label="Loading the flow…" />
          )}
        </section>
        <RunStepsPanel run={run} rows={rows} nodeTypes={nodeTypes} selected={selected} onSelect={select} />
      </div>
    </main>
  );
}
