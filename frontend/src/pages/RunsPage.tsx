/**
 * /runs: runs across flows (or of one flow with `?flow=`), newest first, filtered by status and
 * searched by correlation id; the filters live in the URL so a view can be shared. Filtered to failed
 * runs it is the dead-letter list: runs can be selected and replayed together.
 */
import { useEffect, useMemo } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useFlow } from "../api/flows";
import { useCan } from "../api/me";
import { useRuns } from "../api/runs";
import { EmptyState } from "../ui/EmptyState";
import { Loading, Spinner } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { statusLabel } from "../ui/StatusBadge";
import { DeadLetterBar } from "./health/DeadLetterBar";
import { useRunSelection } from "./health/runSelection";
import { RunFilterBar } from "./runs/RunFilterBar";
import { apiFilters, filtersFromSearch, hasFilters, isFlowId, searchFromFilters, type RunListFilters } from "./runs/runFilters";
import { isRunActive } from "./runs/runFormat";
import { RunsTable } from "./runs/RunsTable";
import { useFlowNames } from "./runs/useFlowNames";
import { usePageTitle } from "./runs/usePageTitle";
import "./runs/runs.css";

// While a run on screen is still going, the list is asked again this often.
const ACTIVE_REFRESH_MS = 5000;

export function RunsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(searchParams), [searchParams]);
  const flowIdValid = !filters.flow || isFlowId(filters.flow);
  const names = useFlowNames();
  const filteredFlow = useFlow(filters.flow && flowIdValid && !names.byId.has(filters.flow) && !names.isLoading ? filters.flow : undefined);
  const flowName = filters.flow ? (names.byId.get(filters.flow) ?? filteredFlow.data?.name) : undefined;
  const runs = useRuns(apiFilters(flowIdValid ? filters : { ...filters, flow: "" }));
  usePageTitle(flowName ? `Runs of ${flowName}` : "Runs");

  const list = useMemo(() => runs.data?.pages.flatMap((page) => page.results) ?? [], [runs.data]);
  // Failed runs can be selected to replay them together (by people who may replay runs); the selection
  // starts over with other filters.
  const mayReplay = useCan()("runs:write");
  const deadLetters = filters.status === "failed" && mayReplay;
  const failedIds = useMemo(() => (deadLetters ? list.filter((run) => run.status === "failed").map((run) => run.id) : []), [deadLetters, list]);
  const selection = useRunSelection(failedIds);
  const filterKey = searchParams.toString();
  const { clear: clearSelection } = selection;
  useEffect(() => clearSelection(), [filterKey, clearSelection]);
  const anyActive = list.some((run) => isRunActive(run.status));
  const { refetch } = runs;
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== "hidden") void refetch();
    }, ACTIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [anyActive, refetch]);

  const setFilters = (next: RunListFilters) => setSearchParams(searchFromFilters(next, searchParams), { replace: true });

  return (
    <main className="page runs-page">
      <header className="page-head">
        <div>
          <h1>{flowName ? `Runs of ${flowName}` : "Runs"}</h1>
          <p className="muted">
            {filters.flow && flowIdValid ? (
              <>
                Every run of this flow, newest first. <Link to={`/flows/${filters.flow}`}>Open the flow</Link>
              </>
            ) : deadLetters ? (
              "Runs that failed after their retries, newest first. Open one for its error, each step's input and attempts; select several to replay them together."
            ) : (
              "Every run of every flow, newest first. Open one to see each step's data, replay it or cancel it."
            )}
          </p>
        </div>
        <div className="page-head-actions">
          <button
            type="button"
            className="button secondary"
            onClick={() => void runs.refetch()}
            disabled={runs.isFetching}
            aria-label="Refresh runs"
          >
            {runs.isFetching && !runs.isFetchingNextPage && !runs.isLoading ? <Spinner small /> : null}
            Refresh
          </button>
        </div>
      </header>

      <RunFilterBar filters={filters} flows={names.flows} flowLabel={flowName} onChange={setFilters} />

      {!flowIdValid && (
        <div className="problem-message" role="alert">
          <p>
            <code>{filters.flow}</code> is not a flow id; showing the runs of every flow.
          </p>
        </div>
      )}

      {runs.isLoading ? (
        <Loading label="Loading runs…" />
      ) : runs.error && !runs.data ? (
        <ProblemMessage error={runs.error} title="The runs could not be loaded." />
      ) : list.length === 0 ? (
        hasFilters(filters) ? (
          <EmptyState
            title="No runs match these filters"
            action={
              <button type="button" className="button secondary" onClick={() => setFilters({ flow: "", status: "", correlationId: "" })}>
                Show all runs
              </button>
            }
          >
            {filters.correlationId
              ? `No run has the correlation id “${filters.correlationId}”${filters.status ? ` and the status ${statusLabel(filters.status).toLowerCase()}` : ""}.`
              : "Try another status or flow."}
          </EmptyState>
        ) : (
          <EmptyState title="No runs yet" action={<Link to="/" className="button secondary">Go to your flows</Link>}>
            A run starts when a live flow is triggered — by a webhook, a schedule or by hand — or when you test a draft in the
            editor.
          </EmptyState>
        )
      ) : (
        <>
          {deadLetters && <DeadLetterBar selection={selection} shownCount={failedIds.length} />}
          <RunsTable
            runs={list}
            flowNames={names.byId}
            showFlow={!(filters.flow && flowIdValid)}
            selection={deadLetters ? selection : undefined}
          />
          <div className="list-foot">
            <span className="muted small" aria-live="polite">
              {list.length} run{list.length === 1 ? "" : "s"} shown{runs.hasNextPage ? "" : " — that is all"}
            </span>
            {runs.hasNextPage && (
              <button type="button" className="button secondary" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
                {runs.isFetchingNextPage && <Spinner small />}
                {runs.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            )}
          </div>
          {runs.isFetchNextPageError && <ProblemMessage error={runs.error} title="More runs could not be loaded." />}
        </>
      )}
    </main>
  );
}
