/** On the run page, a step waiting at an approval: the decision box of its task, when the decision is the person's to make. */
import { useMemo } from "react";
import { usePendingApprovalTasks } from "../../api/approvalTasks";
import { Loading } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { ApprovalTaskDecision } from "./ApprovalTaskDecision";

export const APPROVAL_NODE_TYPE = "transform.approval";

export function RunApprovalTask({ runId, node }: { runId: string; node: string }) {
  const tasks = usePendingApprovalTasks({ run: runId });
  const task = useMemo(
    () => tasks.data?.pages.flatMap((page) => page.results).find((candidate) => candidate.run === runId && candidate.node === node),
    [tasks.data, runId, node],
  );
  if (tasks.isLoading) return <Loading label="Loading the approval…" />;
  if (tasks.error) return <ProblemMessage error={tasks.error} title="The approval could not be loaded." />;
  return (
    <div className="run-approval decision-form">
      {task ? (
        <ApprovalTaskDecision task={task} />
      ) : (
        <p className="muted small">This step waits for an approval that is not yours to decide; the person or role it names is asked.</p>
      )}
    </div>
  );
}
