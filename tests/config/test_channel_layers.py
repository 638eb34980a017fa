"""The channel layers' contract (config.channel_layers): Channels' layer interface, and no
message lost silently: a drop at capacity or a lost Redis subscription is logged at
WARNING and reaches the consumer as MESSAGES_LOST before anything else it has waiting;
nothing is left subscribed or connected once a layer is done with.

The Redis tests run when REDIS_URL is set, each with a prefix of its own."""

import asyncio
import contextlib
import logging
import threading
import time
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from django.conf import settings

from config.channel_layers import (
    LOST_AT_CAPACITY,
    LOST_EXPIRED,
    LOST_ON_RECONNECT,
    MESSAGES_LOST,
    InMemoryChannelLayer,
    RedisPubSubChannelLayer,
)

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
LAYERS = ["memory", pytest.param("redis", marks=needs_redis)]


def make_layer(kind: str, **options):
    if kind == "memory":
        return InMemoryChannelLayer(**options)
    configured = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "test")
    prefix = f"{configured}-{uuid.uuid4().hex[:8]}"
    return RedisPubSubChannelLayer(
        hosts=[{"address": settings.REDIS_URL}], prefix=prefix, **options
    )


def warnings_of(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "config.channel_layers" and record.levelno == logging.WARNING
    ]


async def settled(layer, channel: str) -> None:
    """Once this returns, what was sent to ``channel``'s loop before has arrived: a
    message sent after it, to another channel of the same loop, was received (one Redis
    connection delivers in order)."""
    marker = await layer.new_channel()
    await layer.send(marker, {"type": "marker"})
    assert await asyncio.wait_for(layer.receive(marker), 2) == {"type": "marker"}
    with contextlib.suppress(TimeoutError):  # a receive cancelled: the channel goes
        await asyncio.wait_for(layer.receive(marker), 0.01)


def redis_clients(layer) -> list[dict]:
    server = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return [
            client
            for client in server.client_list()
            if client["name"] in {layer.subscriber_name, layer.publisher_name}
        ]
    finally:
        server.close()


def redis_subscriptions(layer) -> list[bytes]:
    server = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return sorted(server.pubsub_channels(f"{layer.prefix}:*"))
    finally:
        server.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", LAYERS)
async def test_a_full_channel_drops_group_messages_logs_once_and_is_told_first(kind, caplog):
    layer = make_layer(kind, capacity=2)
    channel = await layer.new_channel()
    await layer.group_add("news", channel)

    for number in range(1, 6):
        await layer.group_send("news", {"type": "news", "n": number})
    await settled(layer, channel)
    first = [await layer.receive(channel) for _ in range(3)]
    await layer.group_send("news", {"type": "news", "n": 6})
    then = await asyncio.wait_for(layer.receive(channel), 2)
    logged_before_reading_again = len(warnings_of(caplog))
    for number in range(7, 10):  # full again: the loss is logged again
        await layer.group_send("news", {"type": "news", "n": number})
    await settled(layer, channel)
    await layer.close()

    assert first == [
        {"type": MESSAGES_LOST, "reason": LOST_AT_CAPACITY},
        {"type": "news", "n": 1},
        {"type": "news", "n": 2},
    ]
    assert then == {"type": "news", "n": 6}
    assert logged_before_reading_again == 1
    assert len(warnings_of(caplog)) == 2
    assert all("over capacity in group news" in warning for warning in warnings_of(caplog))


@pytest.mark.asyncio
async def test_the_in_memory_layer_refuses_a_direct_send_to_a_full_channel():
    layer = make_layer("memory", capacity=1)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "one"})

    with pytest.raises(ChannelFull):
        await layer.send(channel, {"type": "two"})
    assert await layer.receive(channel) == {"type": "one"}


@needs_redis
@pytest.mark.asyncio
async def test_the_redis_layer_drops_a_direct_send_to_a_full_channel_and_tells_it(caplog):
    layer = make_layer("redis", capacity=1)
    channel = await layer.new_channel()

    for number in (1, 2, 3):
        await layer.send(channel, {"type": "direct", "n": number})
    await settled(layer, channel)
    received = [await layer.receive(channel) for _ in range(2)]
    await layer.close()

    assert received == [
        {"type": MESSAGES_LOST, "reason": LOST_AT_CAPACITY},
        {"type": "direct", "n": 1},
    ]
    assert [warning for warning in warnings_of(caplog) if "over capacity" in warning] == [
        f"channel {channel} over capacity (1 messages waiting): message dropped, its "
        "consumer will be told to resync"
    ]


@pytest.mark.asyncio
async def test_the_in_memory_layer_drops_expired_messages_and_tells_the_channel(caplog):
    layer = make_layer("memory", expiry=0.05)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "stale"})
    await asyncio.sleep(0.1)
    await layer.send(channel, {"type": "fresh"})

    received = [await layer.receive(channel) for _ in range(2)]

    assert received == [{"type": MESSAGES_LOST, "reason": LOST_EXPIRED}, {"type": "fresh"}]
    assert len([w for w in warnings_of(caplog) if "expired unread" in w]) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", LAYERS)
async def test_messages_travel_as_json(kind):
    layer = make_layer(kind)
    channel = await layer.new_channel()

    await layer.send(channel, {"type": "t", "pair": (1, "é"), "nested": {"none": None}})
    received = await asyncio.wait_for(layer.receive(channel), 2)
    with pytest.raises(TypeError):
        await layer.send(channel, {"type": "t", "raw": b"bytes"})
    with pytest.raises(TypeError):
        await layer.group_send("news", ["not", "a", "dict"])
    await layer.close()

    assert received == {"type": "t", "pair": [1, "é"], "nested": {"none": None}}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", LAYERS)
async def test_a_cancelled_receive_forgets_its_channel_and_its_groups(kind):
    layer = make_layer(kind)
    channel = await layer.new_channel()
    await layer.group_add("news", channel)
    other = await layer.new_channel()  # the channel of a consumer still there
    await layer.group_add("news", other)

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 0.05)
    await layer.group_send("news", {"type": "news"})
    received = await asyncio.wait_for(layer.receive(other), 2)
    remaining = set(layer.channels)
    if kind == "redis":
        subscriptions = len(redis_subscriptions(layer))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(other), 0.05)

    assert received == {"type": "news"}
    assert channel not in remaining
    assert layer.channels == {}
    if kind == "memory":
        assert layer.groups == {}
    else:  # the group's and the loop's channels' subscriptions, then none
        assert remaining == {other}
        assert subscriptions == 2
        assert redis_subscriptions(layer) == []
        assert [client["name"] for client in redis_clients(layer)] == [layer.publisher_name]
        await layer.close()


@pytest.mark.asyncio
async def test_an_in_memory_message_from_another_thread_wakes_the_waiting_receive():
    """Sync code (a request, a task) sends through async_to_sync, in a loop of its own in
    another thread, while consumers wait in the server's loop."""
    layer = make_layer("memory")
    channel = await layer.new_channel()
    await layer.group_add("news", channel)
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0.01)

    thread = threading.Thread(target=async_to_sync(layer.group_send), args=("news", {"type": "n"}))
    thread.start()
    thread.join()

    assert await asyncio.wait_for(waiting, 2) == {"type": "n"}


@needs_redis
@pytest.mark.asyncio
async def test_each_loop_subscribes_once_per_group_and_once_for_its_channels():
    layer = make_layer("redis")
    channels = [await layer.new_channel() for _ in range(3)]
    for channel in channels:
        await layer.group_add("news", channel)
    await layer.group_add("sports", channels[0])

    await layer.group_send("news", {"type": "news"})
    received = [await asyncio.wait_for(layer.receive(channel), 2) for channel in channels]
    subscriptions = redis_subscriptions(layer)
    clients = [client["name"] for client in redis_clients(layer)]
    await layer.close()

    assert received == [{"type": "news"}] * 3
    assert subscriptions == sorted(
        [
            f"{layer.prefix}:group:news".encode(),
            f"{layer.prefix}:group:sports".encode(),
            f"{layer.prefix}:channel:{layer.non_local_name(channels[0])}".encode(),
        ]
    )
    assert sorted(clients) == sorted([layer.subscriber_name, layer.publisher_name])


@needs_redis
@pytest.mark.asyncio
async def test_a_lost_subscription_is_made_again_and_reported_before_what_was_waiting(caplog):
    layer = make_layer("redis")
    waiting, idle = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("news", waiting)
    await layer.group_add("news", idle)
    await layer.send(waiting, {"type": "before"})
    await settled(layer, waiting)

    server = redis.Redis.from_url(settings.REDIS_URL)
    try:
        [subscriber] = [c for c in redis_clients(layer) if c["name"] == layer.subscriber_name]
        assert server.client_kill_filter(_id=subscriber["id"]) == 1
    finally:
        server.close()
    first_idle = await asyncio.wait_for(layer.receive(idle), 2)  # once subscribed again
    first_waiting = [await layer.receive(waiting) for _ in range(2)]
    await layer.group_send("news", {"type": "news"})
    await layer.send(waiting, {"type": "direct"})
    after = [await asyncio.wait_for(layer.receive(waiting), 2) for _ in range(2)]
    after_idle = await asyncio.wait_for(layer.receive(idle), 2)
    await layer.close()

    lost = {"type": MESSAGES_LOST, "reason": LOST_ON_RECONNECT}
    assert first_idle == lost
    assert first_waiting == [lost, {"type": "before"}]
    assert after == [{"type": "news"}, {"type": "direct"}]
    assert after_idle == {"type": "news"}
    warnings = warnings_of(caplog)
    assert any("pub/sub connection to" in w and "lost" in w for w in warnings), warnings
    assert any("subscription reconnected" in w and "2 channels" in w for w in warnings), warnings


@needs_redis
@pytest.mark.asyncio
async def test_close_leaves_no_subscription_nor_connection_behind():
    layer = make_layer("redis")
    channel = await layer.new_channel()
    await layer.group_add("news", channel)
    await layer.group_send("news", {"type": "news"})
    assert await asyncio.wait_for(layer.receive(channel), 2) == {"type": "news"}
    open_before = len(redis_clients(layer))

    await layer.close()

    assert open_before == 2
    assert redis_subscriptions(layer) == []
    assert redis_clients(layer) == []
    assert layer.channels == {}


@needs_redis
def test_an_event_loop_that_ends_closes_its_connections_and_each_loop_has_its_own():
    """A connection lives as long as its loop: what asyncio.run (or a server) ends is
    released, and a channel belongs to the loop that made it."""
    layer = make_layer("redis")

    async def use():
        channel = await layer.new_channel()
        await layer.group_add("news", channel)
        await layer.group_send("news", {"type": "news"})
        assert await asyncio.wait_for(layer.receive(channel), 2) == {"type": "news"}
        return channel, len(redis_clients(layer))

    channel, open_while_running = asyncio.run(use())
    time.sleep(0.1)  # Redis notices the closed connections
    left_open = redis_clients(layer)

    async def elsewhere():
        with pytest.raises(RuntimeError):
            await layer.group_add("news", channel)

    asyncio.run(elsewhere())

    assert open_while_running == 2
    assert left_open == []


@needs_redis
@pytest.mark.asyncio
async def test_an_unreachable_redis_fails_at_once():
    layer = RedisPubSubChannelLayer(hosts=["redis://127.0.0.1:1/0"])
    started = time.monotonic()

    with pytest.raises(redis.exceptions.ConnectionError):
        await layer.new_channel()

    assert time.monotonic() - started < 1
    assert layer.channels == {}
