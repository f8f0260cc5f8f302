"""The in-memory channel layer, made safe for the embedded worker's threads to publish to.

The stock layer's queues belong to the web process's event loop; a worker thread that sends from
its own loop would set their futures from the wrong thread and the websocket might never wake.
Sends from elsewhere are handed to the loop that receives.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer


class EmbeddedChannelLayer(InMemoryChannelLayer):
    _loop: asyncio.AbstractEventLoop | None = None

    async def receive(self, channel: str) -> Any:
        self._loop = asyncio.get_running_loop()
        return await super().receive(channel)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        loop = self._loop
        if loop is None or loop is asyncio.get_running_loop() or loop.is_closed():
            await super().send(channel, message)
            return
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(super().send(channel, message), loop))
