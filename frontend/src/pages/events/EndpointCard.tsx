/** One registered endpoint: what it receives, and what an admin can do to it — activate or deactivate,
 * rotate its secret, send a sample event, delete it — with its delivery log. */
import { useId, useState } from "react";
import { showToast } from "../../stores/toastStore";
import { Dialog } from "../../ui/Dialog";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { RelativeTime } from "../../ui/RelativeTime";
import { StatusBadge } from "../../ui/StatusBadge";
import { DeliveryLog } from "./DeliveryLog";
import { deliveryBadgeStatus, deliveryStatusLabel } from "./eventFormat";
import { useDeleteEndpoint, useRotateSecret, useSendSample, useUpdateEndpoint, type EventEndpoint } from "./eventsApi";
import { EVENT_DESCRIPTIONS, EVENT_TYPES, isEventType, type EventType } from "./eventTypes";
import { SecretReveal } from "./SecretReveal";

export function EndpointCard({ endpoint }: { endpoint: EventEndpoint }) {
  const sampleId = useId();
  const logId = useId();
  const [showLog, setShowLog] = useState(false);
  const [sampleType, setSampleType] = useState<EventType>(endpoint.event_types[0] ?? "run.failed");
  const [secret, setSecret] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const update = useUpdateEndpoint();
  const rotate = useRotateSecret();
  const sample = useSendSample();
  const remove = useDeleteEndpoint();
  const url = endpoint.url;
  const error = update.error ?? rotate.error ?? sample.error;

  const reset = () => [update, rotate, sample].forEach((mutation) => mutation.reset());

  return (
    <article className="endpoint-card" aria-label={`Endpoint ${url}`}>
      <header className="endpoint-head">
        <div className="endpoint-title">
          <strong className="event-url">{url}</strong>
          {endpoint.description && <p className="muted">{endpoint.description}</p>}
        </div>
        <StatusBadge status={endpoint.active ? "live" : "paused"} label={endpoint.active ? "Active" : "Inactive"} />
      </header>

      <dl className="facts">
        <dt>Events</dt>
        <dd className="event-types">
          {endpoint.event_types.map((type) => (
            <code key={type} title={isEventType(type) ? EVENT_DESCRIPTIONS[type] : undefined}>
              {type}
            </code>
          ))}
        </dd>
        <dt>Secret</dt>
        <dd>
          <span className="muted small">fingerprint</span> <code>{endpoint.secret_fingerprint}</code>
        </dd>
        <dt>Last delivery</dt>
        <dd>
          {endpoint.last_delivery_status ? (
            <>
              <StatusBadge
                status={deliveryBadgeStatus(endpoint.last_delivery_status)}
                label={deliveryStatusLabel({ status: endpoint.last_delivery_status, attempts: 0 })}
              />{" "}
              <RelativeTime iso={endpoint.last_delivery_at} />
            </>
          ) : (
            <span className="muted">None yet</span>
          )}
        </dd>
      </dl>

      <div className="endpoint-actions">
        <button
          type="button"
          className="button secondary small"
          disabled={update.isPending}
          aria-label={`${endpoint.active ? "Deactivate" : "Activate"} ${url}`}
          onClick={() => {
            reset();
            update.mutate(
              { id: endpoint.id, change: { active: !endpoint.active } },
              { onSuccess: (changed) => showToast(changed.active ? "Endpoint activated" : "Endpoint deactivated", "success") },
            );
          }}
        >
          {update.isPending && <Spinner small />}
          {endpoint.active ? "Deactivate" : "Activate"}
        </button>
        <button
          type="button"
          className="button secondary small"
          disabled={rotate.isPending}
          aria-label={`Rotate the signing secret of ${url}`}
          onClick={() => {
            reset();
            rotate.mutate(endpoint.id, { onSuccess: (rotated) => setSecret(rotated.secret) });
          }}
        >
          {rotate.isPending && <Spinner small />}
          Rotate secret
        </button>
        <span className="sample-picker">
          <label className="visually-hidden" htmlFor={sampleId}>
            Sample event type for {url}
          </label>
          <select id={sampleId} value={sampleType} onChange={(event) => isEventType(event.target.value) && setSampleType(event.target.value)}>
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button secondary small"
            disabled={sample.isPending}
            aria-label={`Send a sample ${sampleType} event to ${url}`}
            onClick={() => {
              reset();
              sample.mutate(
                { id: endpoint.id, type: sampleType },
                {
                  onSuccess: () => {
                    setShowLog(true);
                    showToast(`Sample ${sampleType} event sent`, "success");
                  },
                },
              );
            }}
          >
            {sample.isPending && <Spinner small />}
            Send a sample event
          </button>
        </span>
        <button
          type="button"
          className="button ghost small"
          aria-expanded={showLog}
          aria-controls={logId}
          aria-label={`${showLog ? "Hide" : "Show"} deliveries to ${url}`}
          onClick={() => setShowLog((shown) => !shown)}
        >
          {showLog ? "Hide deliveries" : "Deliveries"}
        </button>
        <span className="spacer" />
        <button type="button" className="button danger-outline small" aria-label={`Delete ${url}`} onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </div>

      {error && <ProblemMessage error={error} title="That did not work." />}
      <div id={logId}>{showLog && <DeliveryLog endpointId={endpoint.id} url={url} />}</div>

      {secret && <SecretReveal title="New signing secret" secret={secret} url={url} onClose={() => setSecret(null)} />}
      {confirmDelete && (
        <Dialog
          title="Delete this endpoint?"
          onClose={() => setConfirmDelete(false)}
          footer={
            <>
              <button type="button" className="button ghost" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="button danger-outline"
                disabled={remove.isPending}
                onClick={() =>
                  remove.mutate(endpoint.id, {
                    onSuccess: () => {
                      setConfirmDelete(false);
                      showToast("Endpoint deleted", "success");
                    },
                  })
                }
              >
                {remove.isPending && <Spinner small />}
                Delete endpoint
              </button>
            </>
          }
        >
          <p>
            <strong className="event-url">{url}</strong> will receive no more events, and its delivery log is deleted with it. Deliveries still
            waiting for a retry are dropped. To pause it instead, deactivate it.
          </p>
          {remove.error && <ProblemMessage error={remove.error} title="The endpoint could not be deleted." />}
        </Dialog>
      )}
    </article>
  );
}
