/** An endpoint's delivery log: each event sent, its status, every attempt (status code or error), and Replay. */
import { useMemo } from "react";
import { showToast } from "../../stores/toastStore";
import { EmptyState } from "../../ui/EmptyState";
import { LoadMore } from "../../ui/LoadMore";
import { Loading, Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import { StatusBadge } from "../../ui/StatusBadge";
import { attemptSummary, canReplay, deliveryBadgeStatus, deliveryStatusLabel, shortWebhookId } from "./eventFormat";
import { useEventDeliveries, useReplayDelivery, type EventDelivery } from "./eventsApi";

export function DeliveryLog({ endpointId, url }: { endpointId: string; url: string }) {
  const deliveries = useEventDeliveries(endpointId, true);
  const replay = useReplayDelivery();
  const rows = useMemo(() => deliveries.data?.pages.flatMap((page) => page.results) ?? [], [deliveries.data]);

  if (deliveries.isLoading) return <Loading label="Loading the delivery log…" />;
  if (deliveries.error && !deliveries.data) return <ProblemMessage error={deliveries.error} title="The delivery log could not be loaded." />;
  if (rows.length === 0)
    return (
      <EmptyState title="Nothing sent yet">
        Events of the types this endpoint receives appear here once they happen. Send a sample event to try it now.
      </EmptyState>
    );

  return (
    <section className="delivery-log" aria-label={`Deliveries to ${url}`}>
      <div className="table-wrap">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Sent</th>
              <th scope="col">
                <span className="visually-hidden">Replay</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => (
              <DeliveryRow
                key={delivery.id}
                delivery={delivery}
                replaying={replay.isPending && replay.variables === delivery.id}
                onReplay={() =>
                  replay.mutate(delivery.id, { onSuccess: () => showToast(`Replaying ${shortWebhookId(delivery.webhook_id)}`, "success") })
                }
              />
            ))}
          </tbody>
        </table>
      </div>
      {replay.error && <ProblemMessage error={replay.error} title="The delivery could not be replayed." />}
      <LoadMore pages={deliveries} small>Load older deliveries</LoadMore>
    </section>
  );
}

function DeliveryRow({ delivery, replaying, onReplay }: { delivery: EventDelivery; replaying: boolean; onReplay: () => void }) {
  const label = `${delivery.event_type} ${shortWebhookId(delivery.webhook_id)}`;
  return (
    <tr>
      <td>
        <code>{delivery.event_type}</code>
        {delivery.payload?.sample && <span className="tag">sample</span>}
        <div className="muted small" title={delivery.webhook_id}>
          {shortWebhookId(delivery.webhook_id)}
        </div>
      </td>
      <td>
        <StatusBadge status={deliveryBadgeStatus(delivery.status)} label={deliveryStatusLabel(delivery)} />
        {delivery.status === "pending" && delivery.next_attempt_at && delivery.attempts > 0 && (
          <div className="muted small">
            next <RelativeTime iso={delivery.next_attempt_at} />
          </div>
        )}
        {delivery.error && <p className="delivery-error">{delivery.error}</p>}
      </td>
      <td>
        {delivery.attempt_log.length === 0 ? (
          <span className="muted">None yet</span>
        ) : (
          <ol className="attempt-list" aria-label={`Attempts of ${label}`}>
            {delivery.attempt_log.map((attempt) => (
              <li key={attempt.attempt} className={attempt.status_code !== null && attempt.status_code < 300 ? "attempt-ok" : "attempt-failed"}>
                <span className="attempt-head">
                  #{attempt.attempt} · {attemptSummary(attempt)}
                  {attempt.replay > 0 && <span className="tag">replay {attempt.replay}</span>}
                  <span className="muted small" title={formatDateTime(attempt.at)}>
                    {" "}
                    <RelativeTime iso={attempt.at} />
                  </span>
                </span>
                {attempt.error && <span className="attempt-error">{attempt.error}</span>}
              </li>
            ))}
          </ol>
        )}
      </td>
      <td>
        <RelativeTime iso={delivery.created_at} />
      </td>
      <td className="cell-action">
        <button
          type="button"
          className="button secondary small"
          onClick={onReplay}
          disabled={replaying || !canReplay(delivery)}
          aria-label={`Replay ${label}`}
          title={canReplay(delivery) ? "Send this event again, with the same webhook-id" : "Still being delivered"}
        >
          {replaying && <Spinner small />}
          Replay
        </button>
      </td>
    </tr>
  );
}
