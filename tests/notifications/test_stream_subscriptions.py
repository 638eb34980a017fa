"""/ws/stream/ client frames: a page subscribes to a post's live comments (or a public
community's posts) only when its member may read it; bad frames get an error frame and
the socket, and everyone else's, keep serving; heartbeats keep idle sockets alive."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from communities.models import Community, Membership
from communities.services.comments import comment_create
from communities.services.memberships import membership_ban
from notifications.consumers import StreamConsumer
from notifications.events import (
    community_group,
    membership_changed_on_commit,
    post_group,
    send_event_on_commit,
    user_group,
)
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.notifications.test_stream_socket import connect_as, drain

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@sync_to_async
def _comment_event(post, *, groups) -> None:
    """A comment.created event about ``post`` sent to ``groups`` after a commit."""
    with transaction.atomic():
        send_event_on_commit(
            groups=groups,
            event_type="comment.created",
            data={"post_id": post.pk, "community_id": post.community_id, "comment_id": 1},
        )


async def _world(visibility=Community.Visibility.PUBLIC):
    community = await sync_to_async(make_community)(visibility=visibility)
    post = await sync_to_async(make_post)(community)
    return community, post


async def test_a_page_subscribes_to_a_readable_posts_live_comments():
    _community, post = await _world()
    reader = await sync_to_async(UserFactory)()  # may read a public community's posts
    socket = await connect_as(reader)

    await socket.send_json_to({"type": "subscribe", "post_id": post.pk})
    ack = await socket.receive_json_from()
    await _comment_event(post, groups=[post_group(post.pk)])
    frames = await drain(socket)
    await socket.disconnect()

    assert ack == {"type": "subscribed", "post_id": post.pk}
    assert [(f["type"], f["data"]["post_id"]) for f in frames] == [("comment.created", post.pk)]


async def test_comments_created_through_the_service_reach_the_posts_page():
    community, post = await _world()
    owner = await sync_to_async(lambda: community.memberships.get().user)()
    reader = await sync_to_async(UserFactory)()
    socket = await connect_as(reader)
    await socket.send_json_to({"type": "subscribe", "post_id": post.pk})
    await socket.receive_json_from()

    comment = await sync_to_async(comment_create)(author=owner, post=post, body="Live!")
    frames = [f for f in await drain(socket) if f["type"] == "comment.created"]
    await socket.disconnect()

    assert [f["data"]["comment_id"] for f in frames] == [comment.pk]


async def test_a_member_on_the_post_page_receives_each_comment_once():
    community, post = await _world()
    member = await sync_to_async(make_member)(community)
    socket = await connect_as(member)
    await socket.send_json_to({"type": "subscribe", "post_id": str(post.pk)})
    assert await socket.receive_json_from() == {"type": "subscribed", "post_id": post.pk}

    await _comment_event(post, groups=[community_group(community.pk), post_group(post.pk)])
    frames = await drain(socket)
    await socket.disconnect()
    assert [f["type"] for f in frames] == ["comment.created"]


@pytest.mark.parametrize("visibility", [Community.Visibility.PRIVATE, Community.Visibility.SECRET])
async def test_subscribing_to_a_post_one_may_not_read_gets_not_found_and_nothing(visibility):
    _, post = await _world(visibility)
    outsider = await sync_to_async(UserFactory)()
    socket = await connect_as(outsider)

    await socket.send_json_to({"type": "subscribe", "post_id": post.pk})
    error = await socket.receive_json_from()
    await _comment_event(post, groups=[post_group(post.pk)])
    assert await drain(socket) == []
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()

    assert error["type"] == "error"
    assert error["code"] == "not_found"
    assert error["post_id"] == post.pk
    assert error["detail"]


async def test_subscribing_to_a_post_that_does_not_exist_gets_not_found():
    user = await sync_to_async(UserFactory)()
    socket = await connect_as(user)
    await socket.send_json_to({"type": "subscribe", "post_id": 987654})
    error = await socket.receive_json_from()
    await socket.disconnect()
    assert (error["code"], error["post_id"]) == ("not_found", 987654)


async def test_a_hidden_post_is_not_subscribable_by_members_who_may_not_see_it():
    community, post = await _world()
    member = await sync_to_async(make_member)(community)
    await sync_to_async(type(post).objects.filter(pk=post.pk).update)(is_hidden=True)
    socket = await connect_as(member)
    await socket.send_json_to({"type": "subscribe", "post_id": post.pk})
    error = await socket.receive_json_from()
    await socket.disconnect()
    assert error["code"] == "not_found"


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "subscribe"},
        {"type": "subscribe", "post_id": "abc"},
        {"type": "subscribe", "post_id": True},
        {"type": "subscribe", "post_id": -3},
        {"type": "subscribe", "post_id": None},
        {"type": "unsubscribe", "post_id": [1]},
    ],
)
async def test_a_subscription_without_a_valid_id_gets_an_invalid_error(frame):
    user = await sync_to_async(UserFactory)()
    socket = await connect_as(user)
    await socket.send_json_to(frame)
    error = await socket.receive_json_from()
    await socket.send_json_to({"type": "ping"})
    pong = await socket.receive_json_from()
    await socket.disconnect()
    assert (error["type"], error["code"]) == ("error", "invalid")
    assert pong == {"type": "pong"}


async def test_unsubscribing_stops_the_posts_events():
    _community, post = await _world()
    reader = await sync_to_async(UserFactory)()
    socket = await connect_as(reader)
    await socket.send_json_to({"type": "subscribe", "post_id": post.pk})
    await socket.receive_json_from()

    await socket.send_json_to({"type": "unsubscribe", "post_id": post.pk})
    ack = await socket.receive_json_from()
    await _comment_event(post, groups=[post_group(post.pk)])
    assert await drain(socket) == []
    await socket.disconnect()
    assert ack == {"type": "unsubscribed", "post_id": post.pk}


async def test_a_ban_ends_the_subscription_to_a_public_communitys_post():
    community, post = await _world()
    member = await sync_to_async(make_member)(community)
    owner = await sync_to_async(lambda: community.memberships.get(role="owner").user)()
    socket = await connect_as(member)
    await socket.send_json_to({"type": "subscribe", "post_id": post.pk})
    await socket.receive_json_from()

    @sync_to_async
    def ban():
        with transaction.atomic():
            membership = Membership.objects.select_related("community", "user").get(
                community=community, user=member
            )
            membership_ban(actor=owner, membership=membership)
            membership_changed_on_commit(user_id=member.pk, community_id=community.pk, active=False)

    await ban()
    frames = await drain(socket)
    await _comment_event(post, groups=[post_group(post.pk)])
    after = await drain(socket)
    await socket.disconnect()

    assert {"type": "unsubscribed", "post_id": post.pk} in frames
    assert after == []


async def test_a_page_may_follow_a_public_community_it_has_not_joined():
    community, _ = await _world()
    colleague = await sync_to_async(UserFactory)()
    socket = await connect_as(colleague)
    await socket.send_json_to({"type": "subscribe", "community_id": community.pk})
    ack = await socket.receive_json_from()

    post = await sync_to_async(make_post)(community)
    frames = await drain(socket)
    await socket.send_json_to({"type": "unsubscribe", "community_id": community.pk})
    await socket.receive_json_from()
    await sync_to_async(make_post)(community)
    after = await drain(socket)
    await socket.disconnect()

    assert ack == {"type": "subscribed", "community_id": community.pk}
    assert [f["data"]["post_id"] for f in frames if f["type"] == "post.created"] == [post.pk]
    assert after == []


@pytest.mark.parametrize("visibility", [Community.Visibility.PRIVATE, Community.Visibility.SECRET])
async def test_following_a_community_one_may_not_read_gets_not_found(visibility):
    community, _ = await _world(visibility)
    outsider = await sync_to_async(UserFactory)()
    socket = await connect_as(outsider)
    await socket.send_json_to({"type": "subscribe", "community_id": community.pk})
    error = await socket.receive_json_from()
    await sync_to_async(make_post)(community)
    assert await drain(socket) == []
    await socket.disconnect()
    assert (error["code"], error["community_id"]) == ("not_found", community.pk)


async def test_unsubscribing_from_a_joined_community_keeps_its_events():
    community, _ = await _world()
    member = await sync_to_async(make_member)(community)
    socket = await connect_as(member)
    await socket.send_json_to({"type": "unsubscribe", "community_id": community.pk})
    await socket.receive_json_from()
    post = await sync_to_async(make_post)(community)
    frames = await drain(socket)
    await socket.disconnect()
    assert [f["data"]["post_id"] for f in frames if f["type"] == "post.created"] == [post.pk]


async def test_subscriptions_per_socket_are_capped(settings):
    settings.CERCLE_STREAM_MAX_SUBSCRIPTIONS = 1
    community, first = await _world()
    second = await sync_to_async(make_post)(community)
    reader = await sync_to_async(UserFactory)()
    socket = await connect_as(reader)
    await socket.send_json_to({"type": "subscribe", "post_id": first.pk})
    await socket.send_json_to({"type": "subscribe", "post_id": second.pk})
    await socket.send_json_to({"type": "subscribe", "post_id": first.pk})  # already: fine
    frames = [await socket.receive_json_from() for _ in range(3)]
    await socket.disconnect()
    assert frames[0] == {"type": "subscribed", "post_id": first.pk}
    assert (frames[1]["code"], frames[1]["post_id"]) == ("too_many_subscriptions", second.pk)
    assert frames[2] == {"type": "subscribed", "post_id": first.pk}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "malformed_json"),
        ('"ping"', "malformed_json"),
        ("  ", "malformed_json"),
        ('{"type": "launch-missiles"}', "unknown_type"),
        ('{"no": "type"}', "unknown_type"),
    ],
)
async def test_bad_frames_get_an_error_and_every_socket_keeps_serving(frame, code):
    community, _post = await _world()
    sender = await sync_to_async(make_member)(community)
    bystander = await sync_to_async(make_member)(community)
    socket = await connect_as(sender)
    other = await connect_as(bystander)

    await socket.send_to(text_data=frame)
    error = await socket.receive_json_from()
    new_post = await sync_to_async(make_post)(community)
    mine = await drain(socket)
    theirs = await drain(other)
    await socket.disconnect()
    await other.disconnect()

    assert (error["type"], error["code"]) == ("error", code)
    assert error["detail"]
    for frames in (mine, theirs):
        assert [f["data"]["post_id"] for f in frames if f["type"] == "post.created"] == [
            new_post.pk
        ]


async def test_binary_frames_get_an_error():
    user = await sync_to_async(UserFactory)()
    socket = await connect_as(user)
    await socket.send_to(bytes_data=b"\x00\x01")
    error = await socket.receive_json_from()
    await socket.disconnect()
    assert error["code"] == "malformed_json"


async def test_an_idle_socket_gets_heartbeats_until_it_disconnects(settings):
    settings.CERCLE_STREAM_HEARTBEAT_SECONDS = 0.05
    user = await sync_to_async(UserFactory)()
    socket = await connect_as(user)

    beats = [await socket.receive_json_from(timeout=1) for _ in range(2)]
    await socket.disconnect()
    await asyncio.sleep(0.1)

    assert beats == [{"type": "heartbeat"}, {"type": "heartbeat"}]
    running = [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") == f"{StreamConsumer.__name__}._beat"
    ]
    assert running == []


async def test_a_socket_open_longer_than_the_group_expiry_keeps_receiving(settings):
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer.get("CONFIG", {}), "group_expiry": 2}}
    }
    settings.CERCLE_STREAM_HEARTBEAT_SECONDS = 0.2
    community, _ = await _world()
    member = await sync_to_async(make_member)(community)
    socket = await connect_as(member)

    await asyncio.sleep(3.5)  # the groups it joined on connect have expired by now
    post = await sync_to_async(make_post)(community)
    await sync_to_async(send_event_on_commit)(
        groups=[user_group(member.pk)], event_type="unread_count", data={"count": 1}
    )
    frames = await drain(socket)
    await socket.disconnect()

    assert [f["data"]["post_id"] for f in frames if f["type"] == "post.created"] == [post.pk]
    assert [f["data"] for f in frames if f["type"] == "unread_count"] == [{"count": 1}]
