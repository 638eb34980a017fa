"""/ws/stream/ follows memberships: members hear their communities live, joining
subscribes at once, leaving or a ban stops it at once, and nobody else hears a private or
secret community."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from communities.models import Community, Membership
from communities.services.memberships import (
    membership_add,
    membership_ban,
    membership_join,
    membership_leave,
    membership_request,
    membership_request_approve,
)
from notifications.events import membership_changed_on_commit
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.notifications.test_stream_socket import connect_as, drain

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PRIVATE_OR_SECRET = [Community.Visibility.PRIVATE, Community.Visibility.SECRET]


def _of_type(frames, event_type):
    return [frame for frame in frames if frame.get("type") == event_type]


async def _posted(community) -> int:
    """A new post in ``community`` by its owner; returns its id."""
    post = await sync_to_async(make_post)(community)
    return post.pk


def _post_ids(frames) -> list[int]:
    return [frame["data"]["post_id"] for frame in _of_type(frames, "post.created")]


@sync_to_async
def _membership(community, user) -> Membership:
    return Membership.objects.select_related("community", "user").get(
        community=community, user=user
    )


@sync_to_async
def _owner(community):
    return community.memberships.get(role=Membership.Role.OWNER).user


async def test_a_member_receives_their_communities_posts_live():
    community = await sync_to_async(make_community)()
    member = await sync_to_async(make_member)(community)
    socket = await connect_as(member)

    post_id = await _posted(community)
    frames = await drain(socket)
    await socket.disconnect()

    [event] = _of_type(frames, "post.created")
    assert event["data"]["post_id"] == post_id
    assert event["data"]["community_id"] == community.pk
    assert isinstance(event["id"], str)  # community events are not stored for replay


@pytest.mark.parametrize("visibility", PRIVATE_OR_SECRET)
async def test_nobody_outside_a_private_or_secret_community_hears_anything_of_it(visibility):
    community = await sync_to_async(make_community)(visibility=visibility)
    member = await sync_to_async(make_member)(community)
    outsider, requester, banned = await sync_to_async(UserFactory.create_batch)(3)
    await sync_to_async(make_member)(community, banned)
    await sync_to_async(Membership.objects.filter(user=banned).update)(
        status=Membership.Status.BANNED
    )
    await sync_to_async(Membership.objects.create)(
        community=community, user=requester, status=Membership.Status.PENDING
    )
    member_socket = await connect_as(member)
    others = [await connect_as(user) for user in (outsider, requester, banned)]

    post_id = await _posted(community)

    assert _post_ids(await drain(member_socket)) == [post_id]
    for socket in others:
        assert await drain(socket) == []
        await socket.disconnect()
    await member_socket.disconnect()


async def test_public_community_posts_reach_members_only_unless_a_page_subscribes():
    community = await sync_to_async(make_community)()
    colleague = await sync_to_async(UserFactory)()
    socket = await connect_as(colleague)

    await _posted(community)
    assert await drain(socket) == []
    await socket.disconnect()


async def test_joining_subscribes_the_open_socket_at_once():
    community = await sync_to_async(make_community)(visibility=Community.Visibility.PRIVATE)
    newcomer = await sync_to_async(UserFactory)()
    socket = await connect_as(newcomer)

    @sync_to_async
    def join():
        with transaction.atomic():
            membership_add(community=community, user=newcomer)
            membership_changed_on_commit(
                user_id=newcomer.pk, community_id=community.pk, active=True
            )

    await join()
    changed = await drain(socket)
    post_id = await _posted(community)
    frames = await drain(socket)
    await socket.disconnect()

    # (once the membership services call the helper too, the message comes twice)
    assert changed
    for frame in changed:
        assert frame["type"] == "membership.changed"
        assert frame["data"] == {"community_id": community.pk, "active": True}
    assert _post_ids(frames) == [post_id]


async def test_leaving_stops_the_communitys_events_at_once_and_only_for_who_left():
    community = await sync_to_async(make_community)()
    leaver, stayer = await sync_to_async(lambda: [make_member(community) for _ in range(2)])()
    leaver_socket = await connect_as(leaver)
    stayer_socket = await connect_as(stayer)

    @sync_to_async
    def leave():
        with transaction.atomic():
            membership_leave(user=leaver, community=community)
            membership_changed_on_commit(user_id=leaver.pk, community_id=community.pk, active=False)

    await leave()
    changed = await drain(leaver_socket)
    post_id = await _posted(community)

    assert changed
    assert all(
        frame["data"] == {"community_id": community.pk, "active": False} for frame in changed
    )
    assert await drain(leaver_socket) == []
    assert _post_ids(await drain(stayer_socket)) == [post_id]
    await leaver_socket.disconnect()
    await stayer_socket.disconnect()


@pytest.mark.parametrize("visibility", [Community.Visibility.PUBLIC, *PRIVATE_OR_SECRET])
async def test_a_ban_stops_the_communitys_events_at_once(visibility):
    community = await sync_to_async(make_community)(visibility=visibility)
    member = await sync_to_async(make_member)(community)
    owner = await _owner(community)
    membership = await _membership(community, member)
    socket = await connect_as(member)

    @sync_to_async
    def ban():
        with transaction.atomic():
            membership_ban(actor=owner, membership=membership)
            membership_changed_on_commit(user_id=member.pk, community_id=community.pk, active=False)

    await ban()
    changed = await drain(socket)
    await _posted(community)
    assert changed
    assert all(frame["data"]["active"] is False for frame in changed)
    assert await drain(socket) == []
    await socket.disconnect()


async def test_a_stale_join_message_does_not_subscribe_someone_who_is_not_a_member():
    community = await sync_to_async(make_community)()
    colleague = await sync_to_async(UserFactory)()
    socket = await connect_as(colleague)

    await sync_to_async(membership_changed_on_commit)(
        user_id=colleague.pk, community_id=community.pk, active=True
    )
    [changed] = await drain(socket)
    await _posted(community)

    assert changed["data"] == {"community_id": community.pk, "active": False}
    assert await drain(socket) == []
    await socket.disconnect()


async def test_a_rolled_back_membership_change_sends_nothing():
    community = await sync_to_async(make_community)()
    colleague = await sync_to_async(UserFactory)()
    socket = await connect_as(colleague)

    @sync_to_async
    def join_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            membership_add(community=community, user=colleague)
            membership_changed_on_commit(
                user_id=colleague.pk, community_id=community.pk, active=True
            )
            raise RuntimeError

    await join_then_fail()
    await _posted(community)
    assert await drain(socket) == []
    await socket.disconnect()


# --- Through the membership services (they call membership_changed_on_commit) -----------


async def test_joining_through_the_service_subscribes_the_open_socket():
    community = await sync_to_async(make_community)()
    colleague = await sync_to_async(UserFactory)()
    socket = await connect_as(colleague)

    await sync_to_async(membership_join)(user=colleague, community=community)
    changed = _of_type(await drain(socket), "membership.changed")
    post_id = await _posted(community)

    assert [frame["data"]["active"] for frame in changed] == [True]
    assert _post_ids(await drain(socket)) == [post_id]
    await socket.disconnect()


async def test_an_approved_request_subscribes_the_open_socket():
    community = await sync_to_async(make_community)(
        visibility=Community.Visibility.PRIVATE, join_policy=Community.JoinPolicy.REQUEST
    )
    owner = await _owner(community)
    requester = await sync_to_async(UserFactory)()
    await sync_to_async(membership_request)(user=requester, community=community)
    membership = await _membership(community, requester)
    socket = await connect_as(requester)

    await sync_to_async(membership_request_approve)(actor=owner, membership=membership)
    changed = _of_type(await drain(socket), "membership.changed")
    post_id = await _posted(community)

    assert [frame["data"]["active"] for frame in changed] == [True]
    assert _post_ids(await drain(socket)) == [post_id]
    await socket.disconnect()


async def test_leaving_through_the_service_stops_the_events():
    community = await sync_to_async(make_community)()
    member = await sync_to_async(make_member)(community)
    socket = await connect_as(member)

    await sync_to_async(membership_leave)(user=member, community=community)
    changed = _of_type(await drain(socket), "membership.changed")
    await _posted(community)

    assert [frame["data"]["active"] for frame in changed] == [False]
    assert _post_ids(await drain(socket)) == []
    await socket.disconnect()


@pytest.mark.parametrize("visibility", [Community.Visibility.PUBLIC, *PRIVATE_OR_SECRET])
async def test_a_ban_through_the_service_stops_the_events(visibility):
    community = await sync_to_async(make_community)(visibility=visibility)
    member = await sync_to_async(make_member)(community)
    owner = await _owner(community)
    membership = await _membership(community, member)
    socket = await connect_as(member)

    await sync_to_async(membership_ban)(actor=owner, membership=membership)
    changed = _of_type(await drain(socket), "membership.changed")
    await _posted(community)

    assert [frame["data"]["active"] for frame in changed] == [False]
    assert await drain(socket) == []
    await socket.disconnect()
