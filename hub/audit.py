"""One call records who did what to which target; the governance issue chains the rows by hash."""

from __future__ import annotations

from typing import Any

from hub import correlation
from hub.models import AuditEntry


def record(*, actor: Any, action: str, target_type: str, target_id: Any, **detail: Any) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail,
        correlation_id=correlation.current() if correlation.current() != "-" else "",
    )
