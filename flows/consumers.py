"""The websocket a browser opens to watch one run: its current state, then every change.

The same rules as `GET /api/v1/runs/{id}`: the person needs `runs:read`, and a run of a flow outside
their teams is closed as unknown (4404, as for a run that does not exist); sensitive nodes' data is
masked for everyone but admins, here, per watcher (the group message carries the whole run).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from flows import masking
from flows.live import run_document, run_group, watch
from flows.selectors import run_is_seen_by
from identity.models import Scope
from identity.selectors import is_admin, request_may

# Close codes: the HTTP status the API would answer, plus 4000.
NOT_SIGNED_IN, FORBIDDEN, NOT_FOUND = 4401, 4403, 4404


def _refusal(user: Any, run_id: str) -> int | None:
    """Why `user` may not watch the run, as a close code; None when they may."""
    if not request_may(user, None, Scope.RUNS_READ):
        return FORBIDDEN
    if not run_is_seen_by(run_id, user):
        return NOT_FOUND
    return None


class RunConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=NOT_SIGNED_IN)
            return
        run_id = str(self.scope["url_route"]["kwargs"]["run_id"])
        refusal = await database_sync_to_async(_refusal)(user, run_id)
        if refusal is not None:
            await self.close(code=refusal)
            return
        self.run_id = run_id
        self.reveal = await database_sync_to_async(is_admin)(user)
        # Mark and join before reading, so no change between the read and the join is missed.
        await watch(self.run_id)
        await self.channel_layer.group_add(run_group(self.run_id), self.channel_name)
        document = await database_sync_to_async(run_document)(self.run_id, reveal_sensitive=True)
        if document is None:
            await self.close(code=NOT_FOUND)
            return
        # A run's graph never changes, so the first document tells which steps to mask from now on.
        self.graph = document.get("graph")
        await self.accept()
        await self.send_json(self._masked({"type": "run", "run": document}))

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "run_id"):
            await self.channel_layer.group_discard(run_group(self.run_id), self.channel_name)

    async def run_event(self, event: dict[str, Any]) -> None:
        await self.send_json(self._masked(event["payload"]))

    def _masked(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A live update as this watcher may see it."""
        if self.reveal:
            return payload
        if payload.get("type") == "run" and isinstance(payload.get("run"), dict):
            return {**payload, "run": masking.mask_run(payload["run"], payload["run"].get("graph"))}
        if payload.get("type") == "step" and isinstance(payload.get("step"), dict):
            return {**payload, "step": masking.mask_step_for(payload["step"], self.graph)}
        return payload
