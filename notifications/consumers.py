"""``/ws/stream/``: one websocket per client for everything live.

Anonymous connections are closed with 4401. Authenticated clients join their
personal group and receive the events services send to it. Clients may send
``{"type": "ping"}`` and get ``{"type": "pong"}``; anything else gets an error
frame and the connection stays open.
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from notifications.events import user_group

CLOSE_UNAUTHENTICATED = 4401


class StreamConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        user = self.scope.get("user")
        self.groups_joined = []
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        group = user_group(user.pk)
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "")
        except (TypeError, ValueError):
            await self._error("malformed_json", "Frames must be JSON objects.")
            return
        if not isinstance(message, dict):
            await self._error("malformed_json", "Frames must be JSON objects.")
            return
        if message.get("type") == "ping":
            await self.send(text_data=json.dumps({"type": "pong"}))
            return
        await self._error("unknown_type", f"Unknown message type: {message.get('type')!r}.")

    async def stream_event(self, message):
        await self.send(text_data=json.dumps(message["event"]))

    async def _error(self, code: str, detail: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "code": code, "detail": detail}))
