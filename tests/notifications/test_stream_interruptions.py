"""Events lost on their way to a socket (it could not keep up, or the server's Redis
subscription reconnected) are never a silent gap: the socket gets ``resync``."""

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings as django_settings

from config.channel_layers import MESSAGES_LOST, RedisPubSubChannelLayer
from notifications.events import community_group, user_group
from tests.factories import UserFactory, make_community, make_member
from tests.live import Listener
from tests.notifications.test_stream_resume import _publish, _stored_ids
from tests.notifications.test_stream_socket import connect_as, drain

ON_REDIS_PUBSUB = django_settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith(
    "RedisPubSubChannelLayer"
)
needs_redis = pytest.mark.skipif(not ON_REDIS_PUBSUB, reason="needs REDIS_URL (Redis pub/sub)")


def _kill_subscription(layer) -> None:
    """Close, from the Redis side, the subscription connection of ``layer`` in this
    process: what a Redis restart or a network cut does. There must be exactly one (the
    test's event loop's): earlier tests left none behind."""
    server = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        [subscriber] = [
            client
            for client in server.client_list(_type="pubsub")
            if client["name"] == layer.subscriber_name
        ]
        assert server.client_kill_filter(_id=subscriber["id"]) == 1
    finally:
        server.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_lost_events_reach_the_socket_as_resync_and_later_events_follow():
    user = await sync_to_async(UserFactory)()
    socket = await connect_as(user)
    await _publish(user, 2)
    delivered = await drain(socket)

    # What the layer hands a consumer whose channel dropped messages.
    await get_channel_layer().group_send(
        user_group(user.pk), {"type": MESSAGES_LOST, "reason": "capacity"}
    )
    [resync] = await drain(socket)
    await _publish(user, 1)
    later = await drain(socket)
    await socket.disconnect()

    stored = await _stored_ids(user)
    assert [event["id"] for event in delivered] == stored[:2]
    assert resync["type"] == "resync"
    assert resync["id"] is None
    assert resync["data"] == {"reason": "interrupted", "last_event_id": stored[1]}
    assert [event["id"] for event in later] == stored[2:]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_after_a_resync_live_copies_of_events_up_to_its_id_are_not_sent():
    """The client reloads its state after ``resync``: an event it already has in that
    state, still waiting in the socket's channel, is not sent again."""
    user = await sync_to_async(UserFactory)()
    socket = await connect_as(user)
    await _publish(user, 1)
    [event] = await drain(socket)
    await get_channel_layer().group_send(
        user_group(user.pk), {"type": MESSAGES_LOST, "reason": "capacity"}
    )
    [resync] = await drain(socket)
    # A copy of an event up to the resync id arrives late.
    await get_channel_layer().group_send(
        user_group(user.pk), {"type": "stream.event", "event": event}
    )
    late = await drain(socket)
    await socket.disconnect()

    assert resync["data"]["last_event_id"] == event["id"]
    assert late == []


@needs_redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_when_the_servers_redis_subscription_reconnects_every_socket_gets_resync(caplog):
    community = await sync_to_async(make_community)()
    member = await sync_to_async(make_member)(community)
    other = await sync_to_async(make_member)(community)
    sockets = [await connect_as(member), await connect_as(other)]
    layer = get_channel_layer()

    _kill_subscription(layer)
    frames = [await drain(socket) for socket in sockets]

    # The subscription is back: community events flow again.
    await layer.group_send(
        community_group(community.pk),
        {"type": "stream.event", "event": {"id": "e1", "type": "post.created", "data": {}}},
    )
    after = [await drain(socket) for socket in sockets]
    for socket in sockets:
        await socket.disconnect()

    for received in frames:
        assert [frame["type"] for frame in received] == ["resync"]
        assert received[0]["data"]["reason"] == "interrupted"
    assert [[frame["id"] for frame in received] for received in after] == [["e1"], ["e1"]]
    assert any(
        "subscription reconnected" in record.getMessage() and record.levelname == "WARNING"
        for record in caplog.records
    )


@needs_redis
@pytest.mark.django_db
def test_the_pub_sub_layer_hands_a_reconnected_channel_the_lost_message_before_new_ones():
    community = make_community()
    group = community_group(community.pk)
    listener = Listener(group)
    assert isinstance(listener.layer, RedisPubSubChannelLayer)

    async def kill():
        _kill_subscription(listener.layer)

    listener._run(kill())
    first = listener.messages(timeout=1.0)  # the layer reconnects and subscribes again
    async_to_sync(listener.layer.group_send)(group, {"type": "stream.event", "event": {"n": 1}})
    then = listener.messages()

    assert first == [{"type": MESSAGES_LOST, "reason": "reconnected"}]
    assert then == [{"type": "stream.event", "event": {"n": 1}}]
