"""The websocket a browser opens to watch one run: its current state, then every change."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from flows.live import run_document, run_group


class RunConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.run_id = str(self.scope["url_route"]["kwargs"]["run_id"])
        # Join before reading, so no change between the read and the join is missed.
        await self.channel_layer.group_add(run_group(self.run_id), self.channel_name)
        document = await database_sync_to_async(run_document)(self.run_id)
        if document is None:
            await self.close(code=4404)
            return
        await self.accept()
        await self.send_json({"type": "run", "run": document})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "run_id"):
            await self.channel_layer.group_discard(run_group(self.run_id), self.channel_name)

    async def run_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["payload"])
