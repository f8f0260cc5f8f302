/** An API error shown the way people can act on it: the problem's detail, then each listed problem. */
import { ApiError, errorMessage } from "../api/client";
import type { ProblemItem } from "../api/types";

export function describeProblem(item: ProblemItem): string {
  const where = [item.node && `Node ${item.node}`, item.field].filter(Boolean).join(" · ");
  return where ? `${where}: ${item.message}` : item.message;
}

export function ProblemMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const items = error instanceof ApiError ? error.items : [];
  const correlation = error instanceof ApiError ? error.problem.correlation_id : undefined;
  return (
    <div className="problem-message" role="alert">
      {title && <strong className="problem-title">{title}</strong>}
      <p>{errorMessage(error)}</p>
      {items.length > 0 && (
        <ul>
          {items.map((item, index) => (
            <li key={index}>{describeProblem(item)}</li>
          ))}
        </ul>
      )}
      {correlation && <p className="muted small">Reference: {correlation}</p>}
    </div>
  );
}
