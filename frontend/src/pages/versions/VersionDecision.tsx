/**
 * A version's decision: Approve / Reject with a comment while it is pending, for people who may
 * approve (the server says why when someone still may not decide), and who decided what, when, afterwards.
 */
import { useId, useState } from "react";
import { useCan, useMe } from "../../api/me";
import { useApproveVersion, useRejectVersion } from "../../api/versions";
import type { Version } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";

export function VersionDecision({ flowId, version, isLive }: { flowId: string; version: Version; isLive: boolean }) {
  const can = useCan();
  if (version.state === "pending") {
    return can("versions:approve") ? <DecisionForm flowId={flowId} version={version} /> : <AwaitingDecision />;
  }
  return <DecisionRecord version={version} isLive={isLive} />;
}

function AwaitingDecision() {
  return (
    <section className="side-section decision-form" aria-labelledby="decision-title">
      <h2 className="side-title" id="decision-title">
        Waiting for a decision
      </h2>
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
  const mine = Boolean(me.data && version.author && me.data.username === version.author);

  const decide = (action: "approve" | "reject") => {
    const mutation = action === "approve" ? approve : reject;
    (action === "approve" ? reject : approve).reset();
    mutation.mutate(
      { number: version.number, comment: comment.trim() },
      {
        onSuccess: (decided) => {
          setComment("");
          showToast(
            action === "approve"
              ? `Version ${version.number} approved${decided.self_approved ? " (self-approved)" : ""}: it is live now`
              : `Version ${version.number} rejected`,
            "success",
          );
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
      <p className="muted small">
        Approving makes this version live and retires the live one; rejecting keeps the live version as it is.
        {mine && " You submitted this version: another approver decides, unless nobody else can — then approving it yourself is recorded as a self-approval."}
      </p>
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
        <button type="button" className="button primary" disabled={busy} onClick={() => decide("approve")}>
          {approve.isPending && <Spinner small />}
          Approve
        </button>
        <button type="button" className="button danger-outline" disabled={busy} onClick={() => decide("reject")}>
          {reject.isPending && <Spinner small />}
          Reject
        </button>
      </div>
      {error && <ProblemMessage error={error} title={approve.error ? "The version could not be approved." : "The version could not be rejected."} />}
    </section>
  );
}

function DecisionRecord({ version, isLive }: { version: Version; isLive: boolean }) {
  const verb = version.state === "rejected" ? "Rejected" : "Approved";
  const decided = Boolean(version.decided_by || version.decided_at);
  return (
    <section className="side-section decision-record" aria-labelledby="decision-title">
      <h2 className="side-title" id="decision-title">
        Decision
      </h2>
      {decided ? (
        <>
          <p>
            {verb}
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
            {version.self_approved && (
              <>
                {" "}
                <span className="tag tag-warning" title="The author approved this version because nobody else could">
                  self-approved
                </span>
              </>
            )}
          </p>
          {version.decided_at && <p className="muted small">{formatDateTime(version.decided_at)}</p>}
          {version.decision_comment ? (
            <blockquote className="decision-comment">{version.decision_comment}</blockquote>
          ) : (
            <p className="muted small">No comment.</p>
          )}
        </>
      ) : (
        <p className="muted small">No decision is recorded.</p>
      )}
      {version.state === "retired" && <p className="muted small">A later version replaced it; it no longer runs.</p>}
      {isLive && <p className="muted small">This is the live version: new runs of the flow use it.</p>}
    </section>
  );
}
