"""Personal live events are stored for replay in the sender's transaction, set-based for a
fan-out; community events are not; dropped messages are logged; old events are purged."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction

from config.channel_layers import MESSAGES_LOST
from notifications import events
from notifications.events import (
    community_group,
    send_event_on_commit,
    send_personal_events_on_commit,
    user_group,
)
from notifications.models import Kind, Notification, StreamEvent
from notifications.services.fanout import Notice, notify
from notifications.services.stream import stream_replay
from notifications.tasks import stream_events_purge
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.live import Listener

pytestmark = pytest.mark.django_db


def test_an_event_to_a_personal_group_is_stored_and_pushed_with_its_row_id(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    listener = Listener(user_group(user.pk))

    with django_capture_on_commit_callbacks(execute=True):
        send_event_on_commit(
            groups=[user_group(user.pk)], event_type="unread_count", data={"count": 2}
        )

    [event] = listener.events()
    row = StreamEvent.objects.get(user=user)
    assert event == {
        "id": row.pk,
        "type": "unread_count",
        "data": {"count": 2},
        "created_at": row.created_at.isoformat(),
    }


def test_community_events_are_not_stored_and_carry_one_uuid_for_every_group(
    django_capture_on_commit_callbacks,
):
    community = make_community()
    member = make_member(community)
    post = make_post(community)
    StreamEvent.objects.all().delete()
    listeners = [Listener(community_group(community.pk)), Listener(f"post.{post.pk}")]

    with django_capture_on_commit_callbacks(execute=True):
        send_event_on_commit(
            groups=[community_group(community.pk), f"post.{post.pk}"],
            event_type="comment.created",
            data={"post_id": post.pk},
        )

    [first], [second] = (listener.events() for listener in listeners)
    assert first == second
    assert len(first["id"]) == 36  # a uuid
    assert not StreamEvent.objects.filter(user=member).exists()


def test_mixed_groups_store_only_the_personal_events(django_capture_on_commit_callbacks):
    community = make_community()
    alice, bob = UserFactory.create_batch(2)
    StreamEvent.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        send_event_on_commit(
            groups=[user_group(alice.pk), community_group(community.pk), user_group(bob.pk)],
            event_type="kudos.received",
            data={"kudos_id": 7},
        )

    assert sorted(StreamEvent.objects.values_list("user_id", "type", "data")) == sorted(
        [
            (alice.pk, "kudos.received", {"kudos_id": 7}),
            (bob.pk, "kudos.received", {"kudos_id": 7}),
        ]
    )


@pytest.mark.parametrize("size", [1, 20])
def test_personal_events_with_their_own_data_are_stored_in_one_query(
    size, django_assert_num_queries, django_capture_on_commit_callbacks
):
    users = UserFactory.create_batch(size)
    listeners = {user.pk: Listener(user_group(user.pk)) for user in users}

    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
        send_personal_events_on_commit(
            event_type="message.created",
            data_by_user={user.pk: {"message_id": user.pk * 10} for user in users},
        )

    rows = {row.user_id: row for row in StreamEvent.objects.all()}
    for user_id, listener in listeners.items():
        [event] = listener.events()
        assert event["id"] == rows[user_id].pk
        assert event["data"] == rows[user_id].data == {"message_id": user_id * 10}


def test_a_fan_out_stores_each_recipients_event_as_pushed(django_capture_on_commit_callbacks):
    community = make_community()
    author = community.memberships.get().user
    members = [make_member(community) for _ in range(3)]
    post = make_post(community, author=author)
    StreamEvent.objects.all().delete()
    listeners = {member.pk: Listener(user_group(member.pk)) for member in members}
    notice = Notice(
        kind=Kind.REACTION,
        actor_id=author.pk,
        community_id=community.pk,
        post_id=post.pk,
        group_key="reaction:test",
    )

    for _ in range(2):  # the second merges into the unread rows: not new
        with django_capture_on_commit_callbacks(execute=True):
            notify(notice=notice, candidates=[member.pk for member in members])

    for member in members:
        pushed = listeners[member.pk].events()
        replayed = stream_replay(user_id=member.pk, last_event_id=pushed[0]["id"] - 1).events
        assert replayed == pushed
        notification = Notification.objects.get(recipient=member)
        assert [event["data"] for event in pushed] == [
            {
                "notification_id": notification.pk,
                "new": new,
                "kind": "reaction",
                "community_id": community.pk,
                "post_id": post.pk,
                "comment_id": None,
                "conversation_id": None,
            }
            for new in (True, False)
        ]
        assert pushed[0]["id"] < pushed[1]["id"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_stores_and_sends_no_personal_event():
    community = make_community()
    member = make_member(community)
    post = make_post(community)
    StreamEvent.objects.all().delete()
    listener = Listener(user_group(member.pk))

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(
            notice=Notice(kind=Kind.MENTION, community_id=community.pk, post_id=post.pk),
            candidates=[member.pk],
        )
        send_event_on_commit(groups=[user_group(member.pk)], event_type="x", data={})
        send_personal_events_on_commit(event_type="y", data_by_user={member.pk: {}})
        raise RuntimeError

    assert not StreamEvent.objects.exists()
    assert listener.events() == []


def test_a_push_that_fails_is_logged_and_does_not_fail_the_committed_work(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    user = UserFactory()

    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(events, "get_channel_layer", BrokenLayer)
    with django_capture_on_commit_callbacks(execute=True):
        send_event_on_commit(groups=[user_group(user.pk)], event_type="x", data={})

    assert StreamEvent.objects.filter(user=user).exists()  # replayable on reconnect
    [record] = [r for r in caplog.records if r.name == "notifications.events"]
    assert record.levelno == logging.ERROR
    assert f"user.{user.pk}" in record.getMessage()


def test_a_group_message_dropped_at_capacity_is_logged_and_the_consumer_told_first(
    settings, caplog, django_capture_on_commit_callbacks
):
    """On the configured layer (in-memory, or Redis pub/sub when REDIS_URL is set) with
    room for one message per channel: the second message to a channel that did not read
    is dropped, the drop is logged at WARNING, and the channel's next message says that
    messages were lost (the stream consumer turns it into ``resync``)."""
    layer = django_settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer.get("CONFIG", {}), "capacity": 1}}
    }
    community = make_community()
    group = community_group(community.pk)
    listener = Listener(group)

    for number in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            send_event_on_commit(groups=[group], event_type="post.created", data={"n": number})
    listener.idle()
    first = listener.messages()
    with django_capture_on_commit_callbacks(execute=True):
        send_event_on_commit(groups=[group], event_type="post.created", data={"n": 3})
    then = listener.messages()

    assert first[0] == {"type": MESSAGES_LOST, "reason": "capacity"}
    assert [message["event"]["data"] for message in first[1:]] == [{"n": 1}]
    assert [message["event"]["data"] for message in then] == [{"n": 3}]  # reading again
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "over capacity" in w and group in w]) == 1, warnings


def test_old_personal_events_are_purged_daily_and_recent_ones_kept(settings):
    settings.CERCLE_STREAM_RETENTION_DAYS = 7
    user = UserFactory()
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        send_event_on_commit(groups=[user_group(user.pk)], event_type="old", data={})
    with time_machine.travel(start + timedelta(days=3), tick=False):
        send_event_on_commit(groups=[user_group(user.pk)], event_type="recent", data={})

    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        assert stream_events_purge.delay().get() == 1
        assert stream_events_purge() == 0  # twice is harmless

    assert list(StreamEvent.objects.values_list("type", flat=True)) == ["recent"]


def test_resuming_after_the_purge_asks_to_resync(settings):
    settings.CERCLE_STREAM_RETENTION_DAYS = 7
    user = UserFactory()
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        send_event_on_commit(groups=[user_group(user.pk)], event_type="seen", data={})
        send_event_on_commit(groups=[user_group(user.pk)], event_type="missed", data={})
    seen, _missed = StreamEvent.objects.order_by("id").values_list("id", flat=True)
    with time_machine.travel(start + timedelta(days=6), tick=False):
        send_event_on_commit(groups=[user_group(user.pk)], event_type="kept", data={})
    kept = StreamEvent.objects.latest("id").pk

    with time_machine.travel(start + timedelta(days=8), tick=False):
        stream_events_purge()
        replay = stream_replay(user_id=user.pk, last_event_id=seen)

    assert (replay.resync, replay.latest_id, replay.events) == ("too_old", kept, [])


def test_the_purge_is_scheduled_daily():
    entries = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "notifications.tasks.stream_events_purge"
    ]
    assert entries == [{"task": "notifications.tasks.stream_events_purge", "schedule": 86400.0}]


def test_the_membership_helper_sends_an_internal_message_after_the_commit_and_stores_nothing(
    monkeypatch, django_capture_on_commit_callbacks
):
    community = make_community()
    member = make_member(community)
    StreamEvent.objects.all().delete()
    sent = []
    monkeypatch.setattr(events, "_send_now", lambda messages: sent.extend(messages))

    with django_capture_on_commit_callbacks(execute=True):
        events.membership_changed_on_commit(
            user_id=member.pk, community_id=community.pk, active=False
        )
        assert sent == []  # not before the commit

    assert sent == [
        (
            user_group(member.pk),
            {"type": "stream.membership", "community_id": community.pk, "active": False},
        )
    ]
    assert not StreamEvent.objects.exists()
