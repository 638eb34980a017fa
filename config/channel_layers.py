"""Channel layers that never lose a live event silently.

Both layers implement Channels' channel layer specification (``new_channel``, ``send``,
``receive``, the ``groups`` and ``flush`` extensions, ``close``; each channel holds at
most ``capacity`` messages) on documented APIs only: Channels' ``BaseChannelLayer`` for
its name checks, and redis-py's public asyncio client.

A channel that is full (its consumer stopped reading) cannot take more messages, and a
Redis pub/sub subscription that is cut misses what is published until it is made again.
Channels' own layers drop such messages quietly. Here each loss is logged at WARNING and
the consumers concerned are handed a ``{"type": MESSAGES_LOST, "reason": ...}`` message
before anything else they have waiting, so that they tell their clients to resync
(notifications.consumers). Personal events also replay from the database when a client
reconnects (notifications.services.stream).

- :class:`InMemoryChannelLayer`, the embedded default: one process, every event loop and
  thread of it sharing one state.
- :class:`RedisPubSubChannelLayer`, production: Redis pub/sub, each process subscribing
  once per group (the fastest way to fan an event out to a process's sockets,
  docs/benchmarks.md).

In both, messages travel as JSON, so that the embedded default refuses what production
would: dicts of strings, numbers, booleans, None, lists and dicts (tuples arrive as
lists). A ``receive`` that is cancelled while no other ``receive`` waits on its channel
(its consumer is going away: that is how Channels ends a consumer) forgets the channel:
the messages waiting for it and its groups.
"""

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
import uuid
import zlib
from collections import deque
from urllib.parse import urlsplit

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import EqualJitterBackoff, NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The message a consumer receives in place of what its channel lost: its handler is
# ``layer_messages_lost`` (notifications.consumers answers with ``resync``).
MESSAGES_LOST = "layer.messages_lost"
LOST_AT_CAPACITY = "capacity"
LOST_ON_RECONNECT = "reconnected"
LOST_EXPIRED = "expired"


def _encode(message: dict) -> str:
    if not isinstance(message, dict):
        raise TypeError(f"a channel layer message is a dict, not {type(message).__name__}")
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def _decode(data: str | bytes) -> dict:
    return json.loads(data)


def _log_over_capacity(dropped: int, members: int, group: str) -> None:
    logger.warning(
        "%s of %s channels over capacity in group %s: message dropped, their consumers "
        "will be told to resync",
        dropped,
        members,
        group,
    )


def _resolve(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


class _Inbox:
    """What waits for one channel: at most ``capacity`` messages, why messages were lost
    on their way (when they were), and the receives waiting for either."""

    __slots__ = ("capacity", "lost", "memberships", "messages", "waiters")

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.messages: deque = deque()
        self.lost: str | None = None
        self.waiters: deque[asyncio.Future] = deque()
        self.memberships: set[bytes] = set()  # the Redis layer's subscriptions it is in

    @property
    def ready(self) -> bool:
        return self.lost is not None or bool(self.messages)

    def put(self, message) -> bool:
        """Queue ``message``; False, and nothing queued, when the channel is full."""
        if len(self.messages) >= self.capacity:
            return False
        self.messages.append(message)
        self.wake()
        return True

    def mark_lost(self, reason: str) -> bool:
        """Note that messages were lost; False when that was noted already and not read
        since (the loss is then not worth logging again)."""
        if self.lost is not None:
            return False
        self.lost = reason
        self.wake()
        return True

    def take_lost(self) -> dict | None:
        """The :data:`MESSAGES_LOST` message, once, when messages were lost."""
        if self.lost is None:
            return None
        reason, self.lost = self.lost, None
        return {"type": MESSAGES_LOST, "reason": reason}

    def wait(self) -> asyncio.Future:
        """A future that a receive awaits until something is ready."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return waiter

    def stop_waiting(self, waiter: asyncio.Future) -> None:
        """The receive awaiting ``waiter`` was cancelled: hand on a wake-up meant for it."""
        try:
            self.waiters.remove(waiter)
        except ValueError:
            if self.ready:
                self.wake()

    def wake(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        while self.waiters:
            waiter = self.waiters.popleft()
            if waiter.done():
                continue
            loop = waiter.get_loop()
            if loop is running:
                waiter.set_result(None)
                return
            # The in-memory layer is shared by every loop and thread of the process.
            try:
                loop.call_soon_threadsafe(_resolve, waiter)
            except RuntimeError:  # its loop is closed: that receive is gone
                continue
            return


# --- Embedded default: in memory -----------------------------------------------------


class InMemoryChannelLayer(BaseChannelLayer):
    """One process's channel layer, shared by all its event loops and threads.

    - ``capacity`` (default 100): messages a channel holds. ``send`` to a full channel
      raises ``ChannelFull``; ``group_send`` drops the message for a full channel, logs
      it at WARNING (once until that channel is read again) and hands the channel's
      consumer a ``{"type": MESSAGES_LOST, "reason": LOST_AT_CAPACITY}`` message before
      anything else it has waiting.
    - ``expiry`` (default 60 s): a message not received by then is dropped in the same
      way (reason :data:`LOST_EXPIRED`).
    - ``group_expiry`` (default 86400 s): a channel leaves a group that long after it
      last joined it (consumers renew, notifications.consumers).
    """

    extensions = ["groups", "flush"]

    def __init__(self, expiry: int = 60, group_expiry: int = 86400, capacity: int = 100):
        super().__init__(expiry=expiry, capacity=capacity)
        self.group_expiry = group_expiry
        self.channels: dict[str, _Inbox] = {}
        self.groups: dict[str, dict[str, float]] = {}  # group -> channel -> joined at
        # Loops in other threads use the layer too (async_to_sync from sync code); the
        # lock is never held across an await.
        self._lock = threading.Lock()
        self._swept_at = time.monotonic()

    async def new_channel(self, prefix: str = "specific.") -> str:
        channel = f"{prefix}inmemory!{uuid.uuid4().hex}"
        self.require_valid_channel_name(channel)
        return channel

    async def send(self, channel: str, message: dict) -> None:
        self.require_valid_channel_name(channel)
        data = _encode(message)
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            if not self._inbox(channel, now).put((now + self.expiry, data)):
                raise ChannelFull(channel)

    async def receive(self, channel: str) -> dict:
        self.require_valid_channel_name(channel)
        while True:
            with self._lock:
                now = time.monotonic()
                self._sweep(now)
                inbox = self._inbox(channel, now)
                message = inbox.take_lost()
                if message is None and inbox.messages:
                    message = _decode(inbox.messages.popleft()[1])
                if message is not None:
                    self._discard_if_idle(channel, inbox)
                    return message
                waiter = inbox.wait()
            try:
                await waiter
            except asyncio.CancelledError:
                with self._lock:
                    inbox.stop_waiting(waiter)
                    if not inbox.waiters:
                        self._forget(channel, inbox)
                raise

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        with self._lock:
            self.groups.setdefault(group, {})[channel] = time.monotonic()

    async def group_discard(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        with self._lock:
            members = self.groups.get(group)
            if members is not None:
                members.pop(channel, None)
                if not members:
                    del self.groups[group]

    async def group_send(self, group: str, message: dict) -> None:
        self.require_valid_group_name(group)
        data = _encode(message)
        dropped = 0
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            members = self.groups.get(group)
            if not members:
                return
            joined_after = now - self.group_expiry
            for channel, joined in list(members.items()):
                if joined < joined_after:
                    del members[channel]
                    continue
                inbox = self._inbox(channel, now)
                if not inbox.put((now + self.expiry, data)) and inbox.mark_lost(LOST_AT_CAPACITY):
                    dropped += 1
            count = len(members)
            if not members:
                del self.groups[group]
        if dropped:
            _log_over_capacity(dropped, count, group)

    async def flush(self) -> None:
        with self._lock:
            self.channels = {}
            self.groups = {}

    async def close(self) -> None:
        """Nothing to release: the state lives in this process's memory."""

    # The callers below hold the lock.

    def _inbox(self, channel: str, now: float) -> _Inbox:
        inbox = self.channels.get(channel)
        if inbox is None:
            inbox = self.channels[channel] = _Inbox(self.capacity)
        else:
            self._expire(channel, inbox, now)
        return inbox

    def _expire(self, channel: str, inbox: _Inbox, now: float) -> None:
        expired = 0
        while inbox.messages and inbox.messages[0][0] <= now:
            inbox.messages.popleft()
            expired += 1
        if expired and inbox.mark_lost(LOST_EXPIRED):
            logger.warning(
                "%s messages for channel %s expired unread after %s s: dropped, its "
                "consumer will be told to resync",
                expired,
                channel,
                self.expiry,
            )

    def _discard_if_idle(self, channel: str, inbox: _Inbox) -> None:
        if not inbox.ready and not inbox.waiters and self.channels.get(channel) is inbox:
            del self.channels[channel]

    def _forget(self, channel: str, inbox: _Inbox) -> None:
        if self.channels.get(channel) is inbox:
            del self.channels[channel]
        for group, members in list(self.groups.items()):
            if members.pop(channel, None) is not None and not members:
                del self.groups[group]

    def _sweep(self, now: float) -> None:
        """Now and then, what nobody touches: expired messages (of channels nobody reads
        any more: only their loss marker stays), expired group memberships."""
        if now - self._swept_at < min(self.expiry, self.group_expiry):
            return
        self._swept_at = now
        for channel, inbox in list(self.channels.items()):
            self._expire(channel, inbox, now)
            self._discard_if_idle(channel, inbox)
        joined_after = now - self.group_expiry
        for group, members in list(self.groups.items()):
            for channel, joined in list(members.items()):
                if joined < joined_after:
                    del members[channel]
            if not members:
                del self.groups[group]


# --- Production: Redis pub/sub -------------------------------------------------------

CONNECT_TIMEOUT_SECONDS = 5
# Waits between attempts to subscribe again after a lost connection: 0.05 s doubling up
# to 5 s, with jitter so that a Redis restart is not met by every process at once.
RECONNECT_BACKOFF = EqualJitterBackoff(cap=5.0, base=0.05)
STABLE_SECONDS = 10.0


class RedisPubSubChannelLayer(BaseChannelLayer):
    """A channel layer on Redis pub/sub that never loses a message silently.

    Redis pub/sub keeps nothing: what is published while a process's subscription is cut
    never reaches it. Each process subscribes once per group and once for all the
    channels ``new_channel`` made in one event loop, and queues messages per channel.
    This layer:

    - bounds each channel's queue at ``capacity`` messages; a message for a full channel
      is dropped and logged at WARNING (once until that channel is read again);
    - notices a lost subscription itself (its reader meets the broken connection: the
      Redis client is set not to reconnect behind its back), logs it at WARNING, makes
      the subscription again (backing off while Redis is unreachable) and logs that too;
    - in both cases hands the channel's consumer a ``{"type": MESSAGES_LOST, "reason"}``
      message (:data:`LOST_AT_CAPACITY`, :data:`LOST_ON_RECONNECT`) before anything else
      it has waiting, so that it can tell its client to reload (the stream consumer
      sends ``resync``). After a reconnection it does so once every subscription is
      confirmed again, so that a consumer that reloads misses nothing more.

    ``send`` to a full channel does not raise ``ChannelFull``: the channel's process
    drops the message as above. ``group_add`` takes a channel of the same process and
    event loop (one ``new_channel`` made). State is kept per event loop (a connection
    lives as long as its loop), and released when the loop shuts down (``asyncio.run``,
    the ASGI server), when its last channel goes, or by ``flush``/``close``.

    Options:

    - ``hosts``: Redis servers as URLs, or dicts ``{"address": url, **options}`` whose
      options go to ``redis.asyncio.Redis.from_url`` (default ``redis://localhost:6379``);
      several hosts share the channels and groups out by name (every process must list
      the same hosts, in the same order);
    - ``prefix`` (default ``"asgi"``): names the Redis channels, to keep deployments
      sharing a Redis apart;
    - ``capacity`` (default 100);
    - ``group_expiry``: accepted so that settings can be shared with the in-memory
      layer; pub/sub memberships last until ``group_discard`` or until the channel goes.
    """

    extensions = ["groups", "flush"]

    def __init__(
        self,
        hosts: list | None = None,
        prefix: str = "asgi",
        capacity: int = 100,
        group_expiry: int = 86400,
    ):
        super().__init__(capacity=capacity)
        self.hosts = [_redis_host(host) for host in (hosts or ["redis://localhost:6379"])]
        self.prefix = prefix
        self.group_expiry = group_expiry
        # The names (CLIENT SETNAME) of this process's connections, as CLIENT LIST shows.
        self.subscriber_name = f"{prefix}.subscriber.{os.getpid()}"
        self.publisher_name = f"{prefix}.publisher.{os.getpid()}"
        self._states: dict[asyncio.AbstractEventLoop, _LoopState] = {}

    @property
    def channels(self) -> dict[str, _Inbox]:
        """The running event loop's channels (none outside a loop)."""
        try:
            state = self._states.get(asyncio.get_running_loop())
        except RuntimeError:
            return {}
        return state.channels if state is not None else {}

    async def new_channel(self, prefix: str = "specific.") -> str:
        state = self._state()
        channel = f"{prefix}{state.token}!{uuid.uuid4().hex}"
        self.require_valid_channel_name(channel)
        await self._open(state, channel)
        return channel

    async def send(self, channel: str, message: dict) -> None:
        self.require_valid_channel_name(channel)
        data = _encode(message)
        local = self.non_local_name(channel)
        if local != channel:
            # One subscription serves every channel of a loop: the message names its
            # channel in front (names hold no newline; JSON escapes them).
            data = f"{channel}\n{data}"
        name = self._channel_subscription(channel)
        await self._state().shard(name).publish(name, data)

    async def receive(self, channel: str) -> dict:
        self.require_valid_channel_name(channel)
        state = self._state()
        inbox = state.channels.get(channel)
        if inbox is None:
            inbox = await self._open(state, channel)
        while True:
            message = inbox.take_lost()
            if message is not None:
                return message
            if inbox.messages:
                return _decode(inbox.messages.popleft())
            waiter = inbox.wait()
            try:
                await waiter
            except asyncio.CancelledError:
                inbox.stop_waiting(waiter)
                if not inbox.waiters and state.channels.get(channel) is inbox:
                    await self._forget(state, channel, inbox)
                raise

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        state = self._state()
        inbox = state.channels.get(channel)
        if inbox is None:
            raise RuntimeError(
                f"group_add() takes a channel that new_channel() made in this process and "
                f"event loop, not {channel!r}"
            )
        name = self._group_subscription(group)
        await state.shard(name).join(name, channel, inbox, group=group)

    async def group_discard(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        name = self._group_subscription(group)
        await self._state().shard(name).leave(name, channel)

    async def group_send(self, group: str, message: dict) -> None:
        self.require_valid_group_name(group)
        data = _encode(message)
        name = self._group_subscription(group)
        await self._state().shard(name).publish(name, data)

    async def flush(self) -> None:
        """Forget the running event loop's channels and groups (their subscriptions end)
        and close its connections; the layer opens new ones when used again."""
        await self.close()

    async def close(self) -> None:
        """Release the running event loop's state: its subscriptions and connections."""
        state = self._states.pop(asyncio.get_running_loop(), None)
        if state is not None:
            await state.close()

    # --- Internals --------------------------------------------------------------------

    def _state(self) -> "_LoopState":
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            for other in [other for other in self._states if other.is_closed()]:
                del self._states[other]
            state = self._states[loop] = _LoopState(self)
        return state

    def _channel_subscription(self, channel: str) -> bytes:
        return f"{self.prefix}:channel:{self.non_local_name(channel)}".encode()

    def _group_subscription(self, group: str) -> bytes:
        return f"{self.prefix}:group:{group}".encode()

    async def _open(self, state: "_LoopState", channel: str) -> _Inbox:
        inbox = state.channels[channel] = _Inbox(self.capacity)
        name = self._channel_subscription(channel)
        addressed = self.non_local_name(channel) != channel
        try:
            await state.shard(name).join(name, channel, inbox, addressed=addressed)
        except BaseException:
            if state.channels.get(channel) is inbox:
                del state.channels[channel]
            raise
        return inbox

    async def _forget(self, state: "_LoopState", channel: str, inbox: _Inbox) -> None:
        state.channels.pop(channel, None)
        for name in list(inbox.memberships):
            try:
                await state.shard(name).leave(name, channel)
            except Exception:
                # Called while the receive is being cancelled: that must go on.
                logger.exception("channel %s could not leave %s", channel, name.decode())


def _redis_host(host) -> tuple[str, dict]:
    """``(url, options for Redis.from_url)`` from one entry of the ``hosts`` option."""
    if isinstance(host, str):
        return host, {}
    if isinstance(host, dict) and isinstance(host.get("address"), str):
        options = dict(host)
        return options.pop("address"), options
    if isinstance(host, list | tuple) and len(host) == 2:
        return f"redis://{host[0]}:{host[1]}", {}
    raise ImproperlyConfigured(
        f"channel layer hosts are URLs or {{'address': url, ...}} dicts, not {host!r}"
    )


class _LoopState:
    """The layer within one event loop: its channels, and one :class:`_Shard` per host."""

    def __init__(self, layer: RedisPubSubChannelLayer):
        # Names this loop's channels, so that one subscription per loop serves them all.
        self.token = uuid.uuid4().hex[:12]
        self.channels: dict[str, _Inbox] = {}
        self.shards = [_Shard(layer, url, options) for url, options in layer.hosts]

    def shard(self, name: bytes) -> "_Shard":
        if len(self.shards) == 1:
            return self.shards[0]
        # Every process must agree: a hash that does not change between processes.
        return self.shards[zlib.crc32(name) % len(self.shards)]

    async def close(self) -> None:
        self.channels.clear()
        for shard in self.shards:
            await shard.close()


class _Subscription:
    """One Redis channel a loop subscribes to, and the channels its messages go to: a
    group's members, or (``addressed``) the loop's channels, each message naming its own."""

    __slots__ = ("addressed", "group", "members", "ready")

    def __init__(self, *, group: str | None, addressed: bool):
        self.group = group
        self.addressed = addressed
        self.members: dict[str, _Inbox] = {}
        # Done once Redis confirmed the subscription (or it is being made again: its
        # channels are then told of the loss), so that what is sent next arrives.
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()

    def settle(self) -> None:
        if not self.ready.done():
            self.ready.set_result(None)

    def deliver(self, data: bytes) -> None:
        if self.addressed:
            target, _, data = data.partition(b"\n")
            channel = target.decode(errors="replace")
            inbox = self.members.get(channel)
            if inbox is not None and not inbox.put(data) and inbox.mark_lost(LOST_AT_CAPACITY):
                _log_channel_over_capacity(channel, inbox)
            return
        dropped = 0
        for inbox in self.members.values():
            if not inbox.put(data) and inbox.mark_lost(LOST_AT_CAPACITY):
                dropped += 1
        if not dropped:
            return
        if self.group is not None:
            _log_over_capacity(dropped, len(self.members), self.group)
        else:  # a channel of its own name: its one member
            [(channel, inbox)] = self.members.items()
            _log_channel_over_capacity(channel, inbox)


def _log_channel_over_capacity(channel: str, inbox: _Inbox) -> None:
    logger.warning(
        "channel %s over capacity (%s messages waiting): message dropped, its consumer "
        "will be told to resync",
        channel,
        inbox.capacity,
    )


class _Shard:
    """One Redis server as one event loop uses it: a client to publish, and a single
    pub/sub connection, read by one task, for all the loop's subscriptions there.

    The pub/sub client never reconnects by itself (no retries): a broken connection
    surfaces as an error in the reader, which replaces the connection, subscribes to
    everything again, and only then reports the loss to every channel concerned. The
    lock orders the commands sent on the pub/sub connection and its replacement."""

    def __init__(self, layer: RedisPubSubChannelLayer, url: str, options: dict):
        self.url = url
        parts = urlsplit(url)
        self.where = f"{parts.hostname}:{parts.port or 6379}" if parts.hostname else url
        self.publisher_options = {
            # One immediate retry on a fresh connection: a pooled connection may have died
            # with a Redis restart; waiting longer would hold up the sender.
            "retry": Retry(NoBackoff(), 1),
            "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "client_name": layer.publisher_name,
            **options,
        }
        self.subscriber_options = {
            "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
            **{
                key: value
                for key, value in options.items()
                if key not in {"retry", "retry_on_error", "retry_on_timeout"}
            },
            # No retry on any error: redis-py would otherwise reconnect and subscribe
            # again by itself, hiding the loss.
            "retry": Retry(NoBackoff(), 0, supported_errors=()),
            # A subscription is idle for as long as nothing is published: not an error.
            "socket_timeout": None,
            "client_name": layer.subscriber_name,
        }
        self.subscriptions: dict[bytes, _Subscription] = {}
        self.lock = asyncio.Lock()
        self.client: Redis | None = None
        self.pubsub = None  # None while the reader makes the subscriptions again
        self.reader: asyncio.Task | None = None
        self.resubscribing: set[bytes] = set()  # to confirm before the loss is told
        self.publisher: Redis | None = None
        self.keeper: asyncio.Task | None = None

    # --- Publishing -------------------------------------------------------------------

    async def publish(self, name: bytes, data: str) -> None:
        if self.publisher is None:
            self.publisher = Redis.from_url(self.url, **self.publisher_options)
            self.keeper = asyncio.get_running_loop().create_task(self._keep(self.publisher))
        await self.publisher.publish(name, data)

    async def _keep(self, publisher: Redis) -> None:
        """Close ``publisher`` when cancelled: by close(), or when the loop shuts down
        (``asyncio.run`` and the ASGI servers cancel the tasks left)."""
        try:
            await asyncio.get_running_loop().create_future()
        finally:
            if self.publisher is publisher:
                self.publisher = None
            await _quietly(publisher.aclose())

    # --- Subscribing ------------------------------------------------------------------

    async def join(
        self,
        name: bytes,
        channel: str,
        inbox: _Inbox,
        *,
        group: str | None = None,
        addressed: bool = False,
    ) -> None:
        """Deliver what is published to ``name`` to ``channel`` from now on."""
        subscription = self.subscriptions.get(name)
        if subscription is None:
            subscription = _Subscription(group=group, addressed=addressed)
            self.subscriptions[name] = subscription
            subscription.members[channel] = inbox
            inbox.memberships.add(name)
            try:
                await self._subscribe(name, subscription)
            except BaseException as error:
                self._drop(name, subscription, error)
                raise
        else:
            subscription.members[channel] = inbox
            inbox.memberships.add(name)
        if not subscription.ready.done():
            await asyncio.wait({subscription.ready})
        if subscription.ready.exception() is not None:
            inbox.memberships.discard(name)
            raise subscription.ready.exception()

    async def leave(self, name: bytes, channel: str) -> None:
        subscription = self.subscriptions.get(name)
        if subscription is None:
            return
        inbox = subscription.members.pop(channel, None)
        if inbox is not None:
            inbox.memberships.discard(name)
        if subscription.members:
            return
        del self.subscriptions[name]
        subscription.settle()
        async with self.lock:
            if name in self.subscriptions:  # joined again meanwhile
                return
            self._confirmed(name)
            if not self.subscriptions:
                await self._stop_reader()
            elif self.pubsub is not None:
                # On a broken connection the reader subscribes again, leaving this out.
                with contextlib.suppress(RedisError, OSError):
                    await self.pubsub.unsubscribe(name)

    async def close(self) -> None:
        async with self.lock:
            for subscription in self.subscriptions.values():
                subscription.settle()
            self.subscriptions.clear()
            await self._stop_reader()
        keeper, self.keeper = self.keeper, None
        if keeper is not None:
            keeper.cancel()
            await asyncio.wait({keeper})

    async def _subscribe(self, name: bytes, subscription: _Subscription) -> None:
        async with self.lock:
            if self.subscriptions.get(name) is not subscription:
                return  # left before it was made
            if self.reader is None:
                await self._connect()
            elif self.pubsub is None:
                # Being made again after a loss: the new connection subscribes to it too,
                # and its channels are told they may have missed messages.
                subscription.settle()
            else:
                # On a broken connection the reader subscribes again, this one included.
                with contextlib.suppress(RedisError, OSError):
                    await self.pubsub.subscribe(name)

    def _drop(self, name: bytes, subscription: _Subscription, error: BaseException) -> None:
        """The subscription could not be made: its channels are not members of it."""
        if self.subscriptions.get(name) is subscription:
            del self.subscriptions[name]
        for inbox in subscription.members.values():
            inbox.memberships.discard(name)
        if not subscription.ready.done():
            subscription.ready.set_exception(
                error if isinstance(error, Exception) else ConnectionError(str(error))
            )
            subscription.ready.exception()  # retrieved: the joiners raise it themselves

    async def _connect(self) -> None:
        """Open the pub/sub connection, subscribed to every subscription wanted, and start
        its reader. Raises when Redis cannot be reached. The caller holds the lock."""
        client = Redis.from_url(self.url, **self.subscriber_options)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(*self.subscriptions)
        except BaseException:
            await _quietly(pubsub.aclose())
            await _quietly(client.aclose())
            raise
        self.client, self.pubsub = client, pubsub
        self.reader = asyncio.get_running_loop().create_task(self._read(client, pubsub))

    async def _stop_reader(self) -> None:
        """The caller holds the lock."""
        reader, self.reader = self.reader, None
        self.client = self.pubsub = None
        self.resubscribing = set()
        if reader is not None:
            reader.cancel()
            await asyncio.wait({reader})

    async def _read(self, client: Redis, pubsub) -> None:
        loop = asyncio.get_running_loop()
        connected_at = loop.time()
        losses = 0
        try:
            while True:
                try:
                    message = await pubsub.get_message(timeout=None)
                except Exception as error:  # whatever broke, the subscription is gone
                    # A connection that keeps breaking as soon as it is made is not
                    # made again at once, every time.
                    losses = losses + 1 if loop.time() - connected_at < STABLE_SECONDS else 1
                    pubsub = await self._resubscribe(client, pubsub, error, losses)
                    if pubsub is None:
                        return
                    connected_at = loop.time()
                    continue
                if message is not None:
                    try:
                        self._take(message)
                    except Exception:
                        logger.exception("Redis pub/sub message not delivered: %r", message)
        finally:
            if pubsub is not None:
                await _quietly(pubsub.aclose())
            await _quietly(client.aclose())

    def _take(self, message: dict) -> None:
        kind = message["type"]
        name = message["channel"]
        if kind == "message":
            subscription = self.subscriptions.get(name)
            if subscription is not None:
                subscription.deliver(message["data"])
        elif kind == "subscribe":
            subscription = self.subscriptions.get(name)
            if subscription is not None:
                subscription.settle()
            self._confirmed(name)

    def _confirmed(self, name: bytes) -> None:
        """``name`` is subscribed again (or no longer wanted): once all are, the channels
        concerned are told what they missed."""
        if name not in self.resubscribing:
            return
        self.resubscribing.discard(name)
        if self.resubscribing:
            return
        inboxes = {
            inbox
            for subscription in self.subscriptions.values()
            for inbox in subscription.members.values()
        }
        if not inboxes:
            return
        for inbox in inboxes:
            inbox.mark_lost(LOST_ON_RECONNECT)
        logger.warning(
            "Redis pub/sub subscription reconnected (%s): messages published meanwhile "
            "were lost; %s channels will be told to resync",
            self.where,
            len(inboxes),
        )

    async def _resubscribe(self, client: Redis, broken, error: Exception, losses: int):
        """Replace the broken pub/sub connection by one subscribed to everything wanted,
        trying until Redis answers. Returns it, or None when nothing is wanted any more."""
        logger.warning(
            "Redis pub/sub connection to %s lost (%s): subscribing again; what is "
            "published meanwhile does not reach this process",
            self.where,
            _describe(error),
        )
        async with self.lock:
            self.pubsub = None
            self.resubscribing = set()
            for subscription in self.subscriptions.values():
                subscription.settle()  # no one waits on it while Redis is away
        await _quietly(broken.aclose())
        attempt = losses - 1  # right away, unless the connection keeps breaking
        while True:
            if attempt:
                await asyncio.sleep(RECONNECT_BACKOFF.compute(attempt))
            async with self.lock:
                if not self.subscriptions:
                    self.reader = self.client = None
                    return None
                names = list(self.subscriptions)
                pubsub = client.pubsub()
                try:
                    await pubsub.subscribe(*names)
                except (RedisError, OSError) as failure:
                    error = failure
                except BaseException:  # cancelled: close() or the loop shutting down
                    await _quietly(pubsub.aclose())
                    raise
                else:
                    self.pubsub = pubsub
                    self.resubscribing = set(names)
                    return pubsub
            await _quietly(pubsub.aclose())
            attempt += 1
            logger.warning(
                "Redis pub/sub connection to %s: attempt %s to subscribe again failed (%s)",
                self.where,
                attempt,
                _describe(error),
            )


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


async def _quietly(closing) -> None:
    """Await ``closing`` (a close), which may fail on a connection already broken."""
    try:
        await closing
    except Exception as error:
        logger.debug("closing a Redis connection failed: %r", error)
