"""Channel layers that never lose a live event silently.

A socket whose channel is full (its consumer stopped reading) cannot take more
messages, and a Redis pub/sub subscription that reconnects misses what was published
meanwhile. Channels' layers drop such messages quietly (the in-memory layer swallows the
refusal, channels_redis logs at INFO or not at all). Here:

- :class:`InMemoryChannelLayer` (the embedded default) logs each group message refused
  at capacity at WARNING;
- :class:`RedisPubSubChannelLayer` (production) bounds each channel, logs what it drops
  and each reconnection of its subscription at WARNING, and hands the consumers concerned
  a :data:`MESSAGES_LOST` message first, so that they tell their clients to resync
  (notifications.consumers). Personal events also replay from the database when a
  client reconnects (notifications.services.stream).
"""

import asyncio
import logging

import channels_redis.pubsub
import channels_redis.utils
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer
from redis import asyncio as aioredis

logger = logging.getLogger(__name__)

# The message a consumer receives in place of what its channel lost: its handler is
# ``layer_messages_lost`` (notifications.consumers answers with ``resync``).
MESSAGES_LOST = "layer.messages_lost"
LOST_AT_CAPACITY = "capacity"
LOST_ON_RECONNECT = "reconnected"


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    """Channels' in-memory layer, whose ``group_send`` logs (WARNING) the channels it
    could not deliver to because they were full, and hands each of their consumers a
    :data:`MESSAGES_LOST` message before anything else it has waiting."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lost: dict[str, str] = {}  # channel -> why messages were lost

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        channels = list(self.groups.get(group, {}))
        results = await asyncio.gather(
            *(self.send(channel, message) for channel in channels), return_exceptions=True
        )
        full = 0
        for channel, result in zip(channels, results, strict=True):
            if isinstance(result, ChannelFull):
                full += 1
                self.lost[channel] = LOST_AT_CAPACITY
            elif isinstance(result, BaseException):
                raise result
        if full:
            logger.warning(
                "%s of %s channels over capacity in group %s: message dropped, their "
                "consumers will be told to resync",
                full,
                len(channels),
                group,
            )

    async def receive(self, channel):
        reason = self.lost.pop(channel, None)
        if reason is not None:
            return {"type": MESSAGES_LOST, "reason": reason}
        return await super().receive(channel)

    async def flush(self):
        self.lost.clear()
        await super().flush()


# --- Redis: pub/sub, with loss made visible ---------------------------------------


class RedisPubSubChannelLayer(channels_redis.pubsub.RedisPubSubChannelLayer):
    """channels_redis's pub/sub layer (the fastest way to fan an event out to a process's
    sockets, docs/benchmarks.md), made to never lose a message silently.

    Redis pub/sub keeps nothing: what is published while a process's subscription
    reconnects never reaches it, and the stock layer queues messages per channel
    without a bound. This layer:

    - bounds each channel's queue at ``capacity`` messages; a message for a full channel
      is dropped and logged at WARNING (once until that channel is read again);
    - after a reconnection of the Redis subscription (which the stock layer hides),
      logs a WARNING;
    - in both cases hands the channel's consumer a ``{"type": MESSAGES_LOST, "reason"}``
      message before anything else it has waiting, so that it can tell its client to
      reload (the stream consumer sends ``resync``).

    Options are the stock layer's, plus ``capacity`` (default 100).
    """

    def __init__(self, *args, capacity: int = 100, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _LoopLayer(
                *self._args, **self._kwargs, channel_layer=self, capacity=self.capacity
            )
            self._layers[loop] = layer
            channels_redis.utils._wrap_close(self, loop)
        return layer


class _LoopLayer(channels_redis.pubsub.RedisPubSubLoopLayer):
    """The layer's state within one event loop: channels, groups and Redis shards."""

    def __init__(self, hosts=None, *, capacity: int, **kwargs):
        super().__init__(hosts, **kwargs)
        self.capacity = capacity
        self.lost: dict[str, str] = {}  # channel -> why messages were lost
        self._shards = [_Shard(host, self) for host in channels_redis.utils.decode_hosts(hosts)]

    async def _subscribe_to_channel(self, channel):
        self.channels[channel] = asyncio.Queue(maxsize=self.capacity)
        await self._get_shard(channel).subscribe(channel)

    async def receive(self, channel):
        reason = self.lost.pop(channel, None)
        if reason is not None:
            return {"type": MESSAGES_LOST, "reason": reason}
        try:
            return await super().receive(channel)
        except BaseException:
            # The stock layer forgets a channel whose receive is cancelled.
            if channel not in self.channels:
                self.lost.pop(channel, None)
            raise

    def deliver(self, channel: str, data: bytes, group: str | None = None) -> None:
        queue = self.channels.get(channel)
        if queue is None:
            return
        try:
            queue.put_nowait(data)
        except asyncio.QueueFull:
            if channel not in self.lost:
                logger.warning(
                    "channel %s over capacity (%s messages waiting)%s: message dropped, "
                    "its consumer will be told to resync",
                    channel,
                    self.capacity,
                    f" in group {group}" if group else "",
                )
            self.lost[channel] = LOST_AT_CAPACITY

    def reconnected(self) -> None:
        """The Redis subscription was re-established: what was published meanwhile did
        not reach this process's channels."""
        logger.warning(
            "Redis pub/sub subscription reconnected: messages published meanwhile were "
            "lost; %s channels will be told to resync",
            len(self.channels),
        )
        message = self.channel_layer.serialize({"type": MESSAGES_LOST, "reason": LOST_ON_RECONNECT})
        for channel, queue in self.channels.items():
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                self.lost.setdefault(channel, LOST_ON_RECONNECT)


class _Shard(channels_redis.pubsub.RedisSingleShardConnection):
    def _ensure_redis(self):
        if self._redis is None:
            pool = channels_redis.utils.create_pool(self.host)
            self._redis = aioredis.Redis(connection_pool=pool)
            self._pubsub = _PubSub(pool, on_reconnect=self.channel_layer.reconnected)

    def _receive_message(self, message):
        if message is None:
            return
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        layer = self.channel_layer
        if name in layer.channels:
            layer.deliver(name, message["data"])
        else:
            for channel in layer.groups.get(name, ()):
                layer.deliver(channel, message["data"], group=name)


class _PubSub(aioredis.client.PubSub):
    """redis-py's pub/sub connection, which calls ``on_reconnect`` after it reconnected
    and subscribed again. (redis-py runs ``on_connect`` on reconnections only: the
    first connection is made before the callback is registered.)"""

    def __init__(self, *args, on_reconnect, **kwargs):
        super().__init__(*args, **kwargs)
        self._on_reconnect = on_reconnect

    async def on_connect(self, connection):
        await super().on_connect(connection)
        self._on_reconnect()
