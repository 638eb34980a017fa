"""/ws/stream/?last_event_id=N: a client that was away misses nothing, sees nothing twice,
and is told to resync when what it missed can no longer be replayed."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from notifications import events
from notifications.events import send_event_on_commit, user_group
from notifications.models import Kind, StreamEvent
from notifications.services.fanout import Notice, notify
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.notifications.test_stream_socket import connect_as, drain

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@sync_to_async
def _publish(user, count: int, *, rollback: bool = False) -> None:
    """``count`` unread_count events to ``user``, one transaction each."""

    class Rollback(Exception):
        pass

    for number in range(count):
        try:
            with transaction.atomic():
                send_event_on_commit(
                    groups=[user_group(user.pk)], event_type="unread_count", data={"count": number}
                )
                if rollback:
                    raise Rollback
        except Rollback:
            pass


@sync_to_async
def _stored_ids(user) -> list[int]:
    return list(StreamEvent.objects.filter(user=user).order_by("id").values_list("id", flat=True))


@sync_to_async
def _backdate(ids, days: int) -> None:
    StreamEvent.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(days=days))


@sync_to_async
def _delete(ids) -> None:
    StreamEvent.objects.filter(pk__in=ids).delete()


async def test_reconnecting_replays_exactly_the_missed_events_in_order_then_live_ones():
    user = await sync_to_async(UserFactory)()
    first = await connect_as(user)
    await _publish(user, 1)
    [seen] = await drain(first)
    await first.disconnect()

    await _publish(user, 3)  # missed while away
    second = await connect_as(user, f"last_event_id={seen['id']}")
    replayed = await drain(second)
    await _publish(user, 1)
    live = await drain(second)
    await second.disconnect()

    stored = await _stored_ids(user)
    assert [event["id"] for event in replayed] == stored[1:4]
    assert [event["data"]["count"] for event in replayed] == [0, 1, 2]
    assert all(event["type"] == "unread_count" for event in replayed)
    assert [event["id"] for event in live] == stored[4:]


async def test_replayed_events_equal_the_live_ones_for_a_fan_out_notification():
    community = await sync_to_async(make_community)()
    member = await sync_to_async(make_member)(community)
    post = await sync_to_async(make_post)(community)
    live_socket = await connect_as(member)
    await sync_to_async(notify)(
        notice=Notice(
            kind=Kind.MENTION,
            actor_id=post.author_id,
            community_id=community.pk,
            post_id=post.pk,
        ),
        candidates=[member.pk],
    )
    [live] = [e for e in await drain(live_socket) if e["type"] == "notification.created"]
    await live_socket.disconnect()

    resumed = await connect_as(member, f"last_event_id={live['id'] - 1}")
    replayed = await drain(resumed)
    await resumed.disconnect()

    assert replayed == [live]
    assert live["data"]["kind"] == "mention"
    assert live["data"]["new"] is True


async def test_an_event_committed_before_the_replay_but_pushed_after_it_is_not_sent_twice(
    monkeypatch,
):
    user = await sync_to_async(UserFactory)()
    await _publish(user, 1)
    [last_seen] = await _stored_ids(user)
    held = []
    real_send_now = events._send_now
    monkeypatch.setattr(events, "_send_now", lambda messages: held.append(list(messages)))
    await _publish(user, 2)  # committed; their push is late
    monkeypatch.setattr(events, "_send_now", real_send_now)

    socket = await connect_as(user, f"last_event_id={last_seen}")
    replayed = await drain(socket)
    for messages in held:
        await sync_to_async(real_send_now)(messages)  # the late live copies arrive
    late = await drain(socket)
    await _publish(user, 1)
    newer = await drain(socket)
    await socket.disconnect()

    assert [event["data"]["count"] for event in replayed] == [0, 1]
    assert late == []
    assert [event["id"] for event in newer] == (await _stored_ids(user))[-1:]


async def test_an_event_with_a_lower_id_committed_after_the_resume_point_is_still_sent(
    monkeypatch,
):
    """Ids are taken when rows are written, not when they commit: a transaction that
    wrote its event first can commit after one the client already received. Its live
    copy reaches the resumed socket, which cannot have seen it."""
    user = await sync_to_async(UserFactory)()
    first = await connect_as(user)
    held = []
    real_send_now = events._send_now
    monkeypatch.setattr(events, "_send_now", lambda messages: held.append(list(messages)))
    await _publish(user, 1)  # the slow transaction: lower id, pushed last
    monkeypatch.setattr(events, "_send_now", real_send_now)
    await _publish(user, 1)
    [received] = await drain(first)
    await first.disconnect()

    resumed = await connect_as(user, f"last_event_id={received['id']}")
    replayed = await drain(resumed)
    for messages in held:
        await sync_to_async(real_send_now)(messages)
    late = await drain(resumed)
    await resumed.disconnect()

    slow, fast = await _stored_ids(user)
    assert received["id"] == fast
    assert replayed == []
    assert [event["id"] for event in late] == [slow]


async def test_nothing_missed_replays_nothing_and_live_events_follow():
    user = await sync_to_async(UserFactory)()
    await _publish(user, 2)
    latest = (await _stored_ids(user))[-1]

    socket = await connect_as(user, f"last_event_id={latest}")
    assert await drain(socket) == []
    await _publish(user, 1)
    [live] = await drain(socket)
    await socket.disconnect()
    assert live["id"] > latest


async def test_other_members_events_are_never_replayed():
    user, other = await sync_to_async(UserFactory.create_batch)(2)
    await _publish(user, 1)
    [mine] = await _stored_ids(user)
    await _publish(other, 2)

    socket = await connect_as(user, f"last_event_id={mine - 1}")
    replayed = await drain(socket)
    await socket.disconnect()
    assert [event["id"] for event in replayed] == [mine]


async def test_a_rolled_back_transaction_stores_nothing_and_replays_nothing():
    user = await sync_to_async(UserFactory)()
    await _publish(user, 1)
    [seen] = await _stored_ids(user)
    socket = await connect_as(user, f"last_event_id={seen}")
    await _publish(user, 2, rollback=True)
    assert await drain(socket) == []
    await socket.disconnect()

    again = await connect_as(user, f"last_event_id={seen}")
    assert await drain(again) == []
    await again.disconnect()
    assert await _stored_ids(user) == [seen]


async def test_resuming_from_an_event_older_than_the_retention_window_asks_to_resync():
    user = await sync_to_async(UserFactory)()
    await _publish(user, 3)
    old, *recent = await _stored_ids(user)
    await _backdate([old], days=8)

    socket = await connect_as(user, f"last_event_id={old}")
    [resync] = await drain(socket)
    await _publish(user, 1)
    [live] = await drain(socket)
    await socket.disconnect()

    assert resync["type"] == "resync"
    assert resync["id"] is None
    assert resync["data"] == {"reason": "too_old", "last_event_id": recent[-1]}
    assert {"id", "type", "data", "created_at"} == set(resync)
    assert live["type"] == "unread_count"


async def test_resuming_from_a_purged_event_asks_to_resync_instead_of_a_partial_replay():
    user = await sync_to_async(UserFactory)()
    await _publish(user, 4)
    first, second, _third, fourth = await _stored_ids(user)
    await _delete([first, second])  # purged: the second was missed, and is gone

    socket = await connect_as(user, f"last_event_id={first}")
    frames = await drain(socket)
    await socket.disconnect()

    assert [frame["type"] for frame in frames] == ["resync"]
    assert frames[0]["data"] == {"reason": "too_old", "last_event_id": fourth}


async def test_more_missed_events_than_the_replay_limit_asks_to_resync(settings):
    settings.CERCLE_STREAM_REPLAY_LIMIT = 2
    user = await sync_to_async(UserFactory)()
    await _publish(user, 4)
    first, *_, last = await _stored_ids(user)

    socket = await connect_as(user, f"last_event_id={first}")
    frames = await drain(socket)
    await socket.disconnect()
    assert [frame["type"] for frame in frames] == ["resync"]
    assert frames[0]["data"] == {"reason": "too_many", "last_event_id": last}

    at_the_limit = await connect_as(user, f"last_event_id={first + 1}")
    assert [e["id"] for e in await drain(at_the_limit)] == [first + 2, last]
    await at_the_limit.disconnect()


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "undefined", "99999999999999999999999"])
async def test_an_invalid_last_event_id_gets_an_error_and_a_resync_and_the_socket_serves(value):
    user = await sync_to_async(UserFactory)()
    await _publish(user, 1)
    [latest] = await _stored_ids(user)

    socket = await connect_as(user, f"last_event_id={value}")
    error, resync = await drain(socket)
    await socket.send_json_to({"type": "ping"})
    pong = await socket.receive_json_from()
    await _publish(user, 1)
    [live] = await drain(socket)
    await socket.disconnect()

    assert error["type"] == "error"
    assert error["code"] == "invalid_last_event_id"
    assert resync["type"] == "resync"
    assert resync["data"] == {"reason": "invalid_last_event_id", "last_event_id": latest}
    assert pong == {"type": "pong"}
    assert live["type"] == "unread_count"


async def test_an_empty_last_event_id_is_a_fresh_connection():
    user = await sync_to_async(UserFactory)()
    await _publish(user, 2)

    socket = await connect_as(user, "last_event_id=")
    assert await drain(socket) == []
    await socket.disconnect()
