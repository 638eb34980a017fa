"""Test helpers for live events: listen to a group, then read what arrived."""

import asyncio

from channels.layers import get_channel_layer

_open: list["Listener"] = []


class Listener:
    """A channel subscribed to ``group`` on the current channel layer.

    It keeps one event loop of its own, idle between calls: a pub/sub layer's
    subscription lives as long as its loop, and messages published meanwhile wait in
    the connection until :meth:`events` reads them. Closed after each test
    (tests/conftest.py)."""

    def __init__(self, group: str):
        self.layer = get_channel_layer()
        self.loop = asyncio.new_event_loop()
        self.pending: asyncio.Future | None = None
        _open.append(self)
        self.channel = self._run(self.layer.new_channel())
        self._run(self.layer.group_add(group, self.channel))

    def _run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def messages(self, timeout: float = 0.2) -> list[dict]:
        """Every channel layer message received so far (waits ``timeout`` for each next
        one)."""

        async def drain():
            received = []
            while True:
                if self.pending is None:
                    self.pending = asyncio.ensure_future(self.layer.receive(self.channel))
                done, _ = await asyncio.wait({self.pending}, timeout=timeout)
                if not done:
                    return received
                received.append(self.pending.result())
                self.pending = None

        return self._run(drain())

    def idle(self, seconds: float = 0.2) -> None:
        """Let the layer take in what was sent, for ``seconds``, without reading the
        channel (a consumer that stopped reading)."""
        assert self.pending is None, "a receive is waiting: the channel is being read"
        self._run(asyncio.sleep(seconds))

    def events(self, timeout: float = 0.2) -> list[dict]:
        """Every live event received so far."""
        return [message["event"] for message in self.messages(timeout)]

    def close(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self._run(asyncio.wait({self.pending}))
            self.pending = None
        self.loop.close()


def close_listeners() -> None:
    while _open:
        _open.pop().close()
