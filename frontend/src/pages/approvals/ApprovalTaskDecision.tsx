/**
 * The decision box of an approval task (a run waiting at a `transform.approval` step): what is asked,
 * the data the flow shows with it, who decides and until when, then Approve / Reject with a comment.
 * Used in the approvals inbox and on the run page. A task someone else decided first answers 409,
 * shown here as the server says it.
 */
import { useId, useState } from "react";
import { useDecideApprovalTask, type ApprovalDecision, type ApprovalTask } from "../../api/approvalTasks";
import { showToast } from "../../stores/toastStore";
import { JsonView } from "../../ui/JsonView";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import "./approvals.css";

/** "alice", "anyone with the approver role", or both. */
export function decidedBy(task: Pick<ApprovalTask, "assignee" | "role">): string {
  const parts = [task.assignee, task.role ? `anyone with the ${task.role} role` : null].filter(Boolean);
  return parts.length ? parts.join(" or ") : "an approver";
}

export function ApprovalTaskDecision({ task, headingLevel = 3 }: { task: ApprovalTask; headingLevel?: 2 | 3 }) {
  const commentId = useId();
  const titleId = useId();
  const [comment, setComment] = useState("");
  const decide = useDecideApprovalTask();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const send = (decision: ApprovalDecision) =>
    decide.mutate(
      { task, decision, comment: comment.trim() },
      {
        onSuccess: (decided) => {
          setComment("");
          showToast(`${decided.title || "Approval"} ${decided.state === "rejected" ? "rejected" : "approved"}: the run goes on`, "success");
        },
      },
    );
  const pendingDecision = decide.isPending ? decide.variables?.decision : undefined;

  return (
    <section className="approval-task" aria-labelledby={titleId}>
      <Heading className="approval-task-title" id={titleId}>
        {task.title || "Approval"}
      </Heading>
      {task.message && <p className="approval-task-message">{task.message}</p>}
      <p className="muted small">
        Decided by {decidedBy(task)} · asked <RelativeTime iso={task.created_at} />
        {task.expires_at && (
          <span title={formatDateTime(task.expires_at)}>
            {" "}
            · expires <RelativeTime iso={task.expires_at} />
          </span>
        )}
      </p>
      {task.data !== null && task.data !== undefined && <JsonView label="Data" value={task.data} />}
      <label htmlFor={commentId} className="form-label">
        Comment <span className="muted small">(optional)</span>
      </label>
      <textarea
        id={commentId}
        rows={2}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        placeholder="Why you approve or reject"
        disabled={decide.isPending}
      />
      <div className="button-row">
        <button type="button" className="button primary" disabled={decide.isPending} onClick={() => send("approve")}>
          {pendingDecision === "approve" && <Spinner small />}
          Approve
        </button>
        <button type="button" className="button danger-outline" disabled={decide.isPending} onClick={() => send("reject")}>
          {pendingDecision === "reject" && <Spinner small />}
          Reject
        </button>
      </div>
      {decide.error && <ProblemMessage error={decide.error} title="The decision could not be recorded." />}
    </section>
  );
}
