/** /settings/events: endpoints that receive the platform's own events (admins only), with their delivery logs. */
import { useMemo, useState } from "react";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { EndpointCard } from "./events/EndpointCard";
import { EndpointForm } from "./events/EndpointForm";
import { isForbidden } from "./events/eventFormat";
import { useEventEndpoints, type RegisteredEndpoint } from "./events/eventsApi";
import { SecretReveal } from "./events/SecretReveal";
import { usePageTitle } from "./runs/usePageTitle";
import "./events/events.css";

export function EventsPage() {
  usePageTitle("Events");
  const endpoints = useEventEndpoints();
  const [registering, setRegistering] = useState(false);
  const [registered, setRegistered] = useState<RegisteredEndpoint | null>(null);
  const list = useMemo(() => endpoints.data?.pages.flatMap((page) => page.results) ?? [], [endpoints.data]);
  const forbidden = isForbidden(endpoints.error);

  return (
    <main className="page events-page">
      <header className="page-head">
        <div>
          <h1>Events</h1>
          <p className="muted">
            Endpoints that receive Switchboard&apos;s own events — failed and successful runs, versions submitted, approved or rejected — signed
            the Standard Webhooks way and retried until they are delivered. The events are described in{" "}
            <a href="/api/asyncapi.yaml">the AsyncAPI document</a>.
          </p>
        </div>
        {!forbidden && !registering && (
          <div className="page-head-actions">
            <button type="button" className="button primary" onClick={() => setRegistering(true)}>
              Register endpoint
            </button>
          </div>
        )}
      </header>

      {registering && (
        <EndpointForm
          onCancel={() => setRegistering(false)}
          onRegistered={(endpoint) => {
            setRegistering(false);
            setRegistered(endpoint);
          }}
        />
      )}

      {endpoints.isLoading ? (
        <Loading label="Loading event endpoints…" />
      ) : forbidden ? (
        <ProblemMessage error={endpoints.error} title="Event subscriptions are managed by admins." />
      ) : endpoints.error && !endpoints.data ? (
        <ProblemMessage error={endpoints.error} title="The event endpoints could not be loaded." />
      ) : list.length === 0 ? (
        !registering && (
          <EmptyState
            title="No endpoints yet"
            action={
              <button type="button" className="button primary" onClick={() => setRegistering(true)}>
                Register an endpoint
              </button>
            }
          >
            Register the URL of a system that should hear about failed runs or approvals: a chat bot, an incident tool, your own service.
          </EmptyState>
        )
      ) : (
        <section className="endpoint-list" aria-label="Event endpoints">
          {list.map((endpoint) => (
            <EndpointCard key={endpoint.id} endpoint={endpoint} />
          ))}
          <LoadMore pages={endpoints} />
        </section>
      )}

      {registered && (
        <SecretReveal title="Endpoint registered" secret={registered.secret} url={registered.url} onClose={() => setRegistered(null)} />
      )}
    </main>
  );
}
