"""Test helpers for live events: listen to a group, then read what arrived."""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


class Listener:
    """A channel subscribed to ``group`` on the current channel layer."""

    def __init__(self, group: str):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(group, self.channel)

    def events(self, timeout: float = 0.2) -> list[dict]:
        """Every event received so far (waits ``timeout`` for each next one)."""

        async def drain():
            received = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), timeout)
                except TimeoutError:
                    return received
                received.append(message["event"])

        return async_to_sync(drain)()
