/** /approvals: versions waiting for a decision, across flows — flow, team, author, age, approvals so
 * far ("1 of 2") — each with a link to review it; then the runs waiting at an approval step for the
 * person's decision, each with Approve / Reject. */
import { useMemo } from "react";
import { Link } from "react-router-dom";
import { usePendingApprovalTasks } from "../api/approvalTasks";
import { useMe } from "../api/me";
import { usePendingVersions } from "../api/versions";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading, Spinner } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../ui/RelativeTime";
import { truncate } from "./runs/runFormat";
import { ApprovalTaskDecision } from "./approvals/ApprovalTaskDecision";
import { shortId } from "./runs/runFormat";
import { approvalCount } from "./versions/VersionDecision";
import { usePageTitle } from "./runs/usePageTitle";
import "./runs/runs.css";

export function ApprovalsPage() {
  const pending = usePendingVersions();
  const tasks = usePendingApprovalTasks();
  const me = useMe();
  usePageTitle("Approvals");
  const versions = useMemo(() => pending.data?.pages.flatMap((page) => page.results) ?? [], [pending.data]);

  return (
    <main className="page approvals-page">
      <header className="page-head">
        <div>
          <h1>Approvals</h1>
          <p className="muted">
            Versions submitted for approval — review what changed, then approve or reject each one — and runs waiting at an approval step
            for your decision.
          </p>
        </div>
        <div className="page-head-actions">
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              void pending.refetch();
              void tasks.refetch();
            }}
            disabled={pending.isFetching || tasks.isFetching}
          >
            {((pending.isFetching && !pending.isLoading && !pending.isFetchingNextPage) || (tasks.isFetching && !tasks.isLoading && !tasks.isFetchingNextPage)) && (
              <Spinner small />
            )}
            Refresh
          </button>
        </div>
      </header>

      {pending.isLoading ? (
        <Loading label="Loading versions waiting for a decision…" />
      ) : pending.error && !pending.data ? (
        <ProblemMessage error={pending.error} title="The versions waiting for a decision could not be loaded." />
      ) : versions.length === 0 ? (
        <EmptyState title="Nothing waits for your decision">
          When someone submits a version of a flow, it appears here until an approver approves or rejects it.
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data-table approvals-table" aria-label="Versions waiting for a decision">
              <thead>
                <tr>
                  <th scope="col">Flow</th>
                  <th scope="col">Team</th>
                  <th scope="col">Version</th>
                  <th scope="col">Author</th>
                  <th scope="col">Note</th>
                  <th scope="col">Waiting since</th>
                  <th scope="col">Approvals</th>
                  <th scope="col">
                    <span className="visually-hidden">Review</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {versions.map((version) => {
                  const mine = Boolean(me.data && version.author === me.data.username);
                  const name = version.flow_name ?? "Flow";
                  return (
                    <tr key={`${version.flow}/${version.number}`}>
                      <td className="cell-strong">
                        {version.flow ? <Link to={`/flows/${version.flow}`}>{name}</Link> : name}
                      </td>
                      <td>{version.team?.name ?? <span className="muted">—</span>}</td>
                      <td>
                        v{version.number}
                        {version.rollback_of != null && <span className="tag">roll back to v{version.rollback_of}</span>}
                      </td>
                      <td>
                        {version.author ?? <span className="muted">unknown</span>}
                        {mine && <span className="tag">you</span>}
                      </td>
                      <td className="cell-note" title={version.note || undefined}>
                        {version.note ? truncate(version.note, 90) : <span className="muted">No note</span>}
                      </td>
                      <td>
                        <span title={formatDateTime(version.created_at)}>
                          <RelativeTime iso={version.created_at} />
                        </span>
                      </td>
                      <td title={(version.approvals ?? []).map((approval) => `Approved by ${approval.by ?? "someone"}`).join(", ") || undefined}>
                        {approvalCount(version)}
                        {me.data && (version.approvals ?? []).some((approval) => approval.by === me.data?.username) && (
                          <span className="tag">you approved</span>
                        )}
                      </td>
                      <td className="cell-action">
                        {version.flow && (
                          <Link
                            to={`/flows/${version.flow}/versions/${version.number}`}
                            className="button primary small"
                            aria-label={`Review ${name} version ${version.number}`}
                          >
                            Review
                          </Link>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="list-foot">
            <span className="muted small">
              {versions.length} version{versions.length === 1 ? "" : "s"} waiting
            </span>
            {pending.hasNextPage && (
              <button type="button" className="button secondary" onClick={() => void pending.fetchNextPage()} disabled={pending.isFetchingNextPage}>
                {pending.isFetchingNextPage && <Spinner small />}
                Load more
              </button>
            )}
          </div>
          {pending.isFetchNextPageError && <ProblemMessage error={pending.error} title="More versions could not be loaded." />}
        </>
      )}

      <RunApprovalTasks tasks={tasks} />
    </main>
  );
}

function RunApprovalTasks({ tasks }: { tasks: ReturnType<typeof usePendingApprovalTasks> }) {
  const list = useMemo(() => tasks.data?.pages.flatMap((page) => page.results) ?? [], [tasks.data]);
  return (
    <section className="approvals-section" aria-labelledby="run-tasks-title">
      <h2 id="run-tasks-title">Waiting for your decision in runs</h2>
      {tasks.isLoading ? (
        <Loading label="Loading runs waiting for a decision…" />
      ) : tasks.error && !tasks.data ? (
        <ProblemMessage error={tasks.error} title="The runs waiting for a decision could not be loaded." />
      ) : list.length === 0 ? (
        <p className="muted">No run waits for your decision. A flow with an Approval step stops there until the person or role it names decides.</p>
      ) : (
        <>
          <div className="approval-task-list">
            {list.map((task) => (
              <article key={task.id} className="approval-task-card" aria-label={`${task.title || "Approval"} in ${task.flow_name}`}>
                <p className="approval-task-where muted">
                  <Link to={`/flows/${task.flow}`}>{task.flow_name}</Link> · <Link to={`/runs/${task.run}?step=${encodeURIComponent(task.node)}`}>run {shortId(task.run)}</Link>
                </p>
                <ApprovalTaskDecision task={task} />
              </article>
            ))}
          </div>
          <LoadMore pages={tasks} />
        </>
      )}
    </section>
  );
}
