/**
 * A version's decision box. While it is pending: the approvals so far ("1 of 2"), and Approve / Reject
 * with a comment for people who may decide — never its author, unless nobody else could. Afterwards:
 * who decided what, when, and, on a version that was live before, "Roll back to this version" for builders.
 */
import { useId, useState } from "react";
import { useNavigate } from "react-router-dom";
import { useCan, useMe } from "../../api/me";
import { useApproveVersion, useRejectVersion, useRollbackVersion } from "../../api/versions";
import type { Version } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import "../approvals/approvals.css";

type Approval = Version["approvals"][number];

/** "1 of 2": how many approvals a pending version has, of how many it needs. */
export function approvalCount(version: Pick<Version, "approvals" | "required_approvals">): string {
  return `${version.approvals?.length ?? 0} of ${version.required_approvals ?? 1}`;
}

export function VersionDecision({ flowId, version, isLive }: { flowId: string; version: Version; isLive: boolean }) {
  const can = useCan();
  if (version.state === "pending") {
    return can("versions:approve") ? <DecisionForm flowId={flowId} version={version} /> : <AwaitingDecision version={version} />;
  }
  return <DecisionRecord flowId={flowId} version={version} isLive={isLive} />;
}

function ApprovalList({ approvals }: { approvals: Approval[] }) {
  if (approvals.length === 0) return null;
  return (
    <ul className="approval-list" aria-label="Approvals so far">
      {approvals.map((approval) => (
        <li key={`${approval.by}-${approval.at}`}>
          Approved by <strong>{approval.by ?? "someone no longer here"}</strong>{" "}
          <span title={formatDateTime(approval.at)}>
            <RelativeTime iso={approval.at} />
          </span>
          {approval.self_approved && (
            <>
              {" "}
              <span className="tag tag-warning">Approved by its author — nobody else could</span>
            </>
          )}
          {approval.fewer_deciders && !approval.self_approved && (
            <>
              {" "}
              <span className="tag tag-warning" title="Fewer people could decide than the team's rule asks for">
                fewer deciders than the rule asks
              </span>
            </>
          )}
          {approval.comment && <blockquote className="decision-comment">{approval.comment}</blockquote>}
        </li>
      ))}
    </ul>
  );
}

function ApprovalProgress({ version }: { version: Version }) {
  const required = version.required_approvals ?? 1;
  return (
    <>
      <p className="small">
        Approvals: <strong>{approvalCount(version)}</strong>
        {required > 1 && <span className="muted"> — two different people, neither the author, approve it before it goes live</span>}
      </p>
      <ApprovalList approvals={version.approvals ?? []} />
    </>
  );
}

function AwaitingDecision({ version }: { version: Version }) {
  return (
    <section className="side-section decision-form" aria-labelledby="decision-title">
      <h2 className="side-title" id="decision-title">
        Waiting for a decision
      </h2>
      <ApprovalProgress version={version} />
      <p className="muted small">An approver or an admin approves or rejects this version. Your role does not decide on versions.</p>
    </section>
  );
}

function DecisionForm({ flowId, version }: { flowId: string; version: Version }) {
  const commentId = useId();
  const [comment, setComment] = useState("");
  const approve = useApproveVersion(flowId);
  const reject = useRejectVersion(flowId);
  const me = useMe();
  const busy = approve.isPending || reject.isPending;
  const username = me.data?.username;
  const mine = Boolean(username && version.author && username === version.author);
  const approvedAlready = Boolean(username && (version.approvals ?? []).some((approval) => approval.by === username));

  if (mine && !version.self_approval_allowed) {
    return (
      <section className="side-section decision-form" aria-labelledby="decision-title">
        <h2 className="side-title" id="decision-title">
          You wrote this version
        </h2>
        <ApprovalProgress version={version} />
        <p className="muted small">Someone else approves or rejects it: four eyes see every change before it goes live.</p>
      </section>
    );
  }

  const decide = (action: "approve" | "reject") => {
    const mutation = action === "approve" ? approve : reject;
    (action === "approve" ? reject : approve).reset();
    mutation.mutate(
      { number: version.number, comment: comment.trim() },
      {
        onSuccess: (decided) => {
          setComment("");
          const message =
            action === "reject"
              ? `Version ${version.number} rejected`
              : decided.state === "approved"
                ? `Version ${version.number} approved${decided.self_approved ? " (self-approved)" : ""}: it is live now`
                : `Your approval is recorded: ${approvalCount(decided)}`;
          showToast(message, "success");
        },
      },
    );
  };
  const error = approve.error ?? reject.error;

  return (
    <section className="side-section decision-form" aria-labelledby="decision-title">
      <h2 className="side-title" id="decision-title">
        Your decision
      </h2>
      <ApprovalProgress version={version} />
      <p className="muted small">
        Approving {(version.required_approvals ?? 1) > 1 ? "counts toward making" : "makes"} this version live and retires the live one;
        rejecting keeps the live version as it is.
        {mine && " Nobody else can decide on this version, so your approval is recorded as a self-approval."}
      </p>
      {approvedAlready && <p className="small">You approved this version; the next approval is someone else's.</p>}
      <label htmlFor={commentId} className="form-label">
        Comment <span className="muted small">(optional)</span>
      </label>
      <textarea
        id={commentId}
        rows={3}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        placeholder="What you checked, or what has to change"
        disabled={busy}
      />
      <div className="button-row">
        {!approvedAlready && (
          <button type="button" className="button primary" disabled={busy} onClick={() => decide("approve")}>
            {approve.isPending && <Spinner small />}
            Approve
          </button>
        )}
        <button type="button" className="button danger-outline" disabled={busy} onClick={() => decide("reject")}>
          {reject.isPending && <Spinner small />}
          Reject
        </button>
      </div>
      {error && <ProblemMessage error={error} title={approve.error ? "The version could not be approved." : "The version could not be rejected."} />}
    </section>
  );
}

function DecisionRecord({ flowId, version, isLive }: { flowId: string; version: Version; isLive: boolean }) {
  const can = useCan();
  const rejected = version.state === "rejected";
  const approvals = version.approvals ?? [];
  const rejections = version.rejections ?? [];
  const decided = Boolean(version.decided_by || version.decided_at);
  return (
    <section className="side-section decision-record" aria-labelledby="decision-title">
      <h2 className="side-title" id="decision-title">
        Decision
      </h2>
      {approvals.length > 0 && <ApprovalList approvals={approvals} />}
      {rejected &&
        rejections.map((rejection) => (
          <div key={`${rejection.by}-${rejection.at}`}>
            <p>
              Rejected by <strong>{rejection.by ?? "someone no longer here"}</strong>{" "}
              <span title={formatDateTime(rejection.at)}>
                <RelativeTime iso={rejection.at} />
              </span>
            </p>
            {rejection.comment ? <blockquote className="decision-comment">{rejection.comment}</blockquote> : <p className="muted small">No comment.</p>}
          </div>
        ))}
      {!decided && approvals.length === 0 && <p className="muted small">No decision is recorded.</p>}
      {decided && approvals.length === 0 && rejections.length === 0 && (
        <p>
          {rejected ? "Rejected" : "Approved"}
          {version.decided_by && (
            <>
              {" "}
              by <strong>{version.decided_by}</strong>
            </>
          )}
          {version.decided_at && (
            <>
              {" "}
              <RelativeTime iso={version.decided_at} />
            </>
          )}
        </p>
      )}
      {version.state === "retired" && <p className="muted small">A later version replaced it; it no longer runs.</p>}
      {isLive && <p className="muted small">This is the live version: new runs of the flow use it.</p>}
      {version.state === "retired" && can("flows:write") && <RollbackForm flowId={flowId} version={version} />}
    </section>
  );
}

function RollbackForm({ flowId, version }: { flowId: string; version: Version }) {
  const noteId = useId();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const rollback = useRollbackVersion(flowId);
  const navigate = useNavigate();

  if (!open) {
    return (
      <div className="button-row">
        <button type="button" className="button secondary" onClick={() => setOpen(true)}>
          Roll back to this version
        </button>
      </div>
    );
  }
  const submit = () =>
    rollback.mutate(
      { number: version.number, note: note.trim() },
      {
        onSuccess: (created) => {
          showToast(`Version ${created.number} brings back version ${version.number}; it waits for approval`, "success");
          navigate(`/flows/${flowId}/versions/${created.number}`);
        },
      },
    );
  return (
    <div className="rollback-form">
      <p className="muted small">
        This submits version {version.number}'s flow again as a new version. It is reviewed like any other, and goes live only once approved.
      </p>
      <label htmlFor={noteId} className="form-label">
        Why <span className="muted small">(optional)</span>
      </label>
      <textarea id={noteId} rows={2} value={note} onChange={(event) => setNote(event.target.value)} disabled={rollback.isPending} />
      <div className="button-row">
        <button type="button" className="button primary" disabled={rollback.isPending} onClick={submit}>
          {rollback.isPending && <Spinner small />}
          Submit the roll back
        </button>
        <button type="button" className="button secondary" disabled={rollback.isPending} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {rollback.error && <ProblemMessage error={rollback.error} title="The roll back could not be submitted." />}
    </div>
  );
}
