import type { ReactNode } from "react";

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children && <div className="muted">{children}</div>}
      {action && <div className="empty-state-action">{action}</div>}
    </div>
  );
}
