import { useEffect, useState } from "react";

interface Flow {
  id: string;
  name: string;
  live_version: number | null;
  paused: boolean;
  webhook_url: string | null;
}

// The flows list; the canvas issue grows this into the full browser app.
export function FlowsPage() {
  const [flows, setFlows] = useState<Flow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetch("/api/v1/flows", { credentials: "same-origin" })
      .then(async (response) => {
        const body = await response.json();
        if (!response.ok) throw new Error(body.detail ?? response.statusText);
        setFlows(body.results);
      })
      .catch((reason: Error) => setError(reason.message));
  }, []);

  return (
    <main style={{ fontFamily: "system-ui, sans-serif", margin: "2rem auto", maxWidth: "60rem" }}>
      <h1>Flows</h1>
      <p>
        Build flows through the <a href="/api/docs/">API</a>; the canvas is coming.
      </p>
      {error && <p role="alert">{error}</p>}
      {flows === null && !error && <p>Loading…</p>}
      {flows?.length === 0 && <p>No flows yet.</p>}
      {flows && flows.length > 0 && (
        <table aria-label="Flows">
          <thead>
            <tr><th>Name</th><th>Live version</th><th>State</th><th>Webhook</th></tr>
          </thead>
          <tbody>
            {flows.map((flow) => (
              <tr key={flow.id}>
                <td>{flow.name}</td>
                <td>{flow.live_version ?? "—"}</td>
                <td>{flow.paused ? "paused" : flow.live_version ? "live" : "draft"}</td>
                <td>{flow.webhook_url ? <code>{flow.webhook_url}</code> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
