"""Event reminders: the members going hear once, shortly before the start."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from communities.models import Community, Event, Membership, Post
from communities.services.events import rsvp_set
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from notifications.services.sources import event_reminders_send
from notifications.tasks import event_reminders_send_due
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_event(community, *, starts_in: timedelta, capacity=None) -> Event:
    starts_at = NOW + starts_in
    post = make_post(
        community,
        kind=Post.Kind.EVENT,
        title="Design review",
        event={
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            "timezone": "Europe/Paris",
            "capacity": capacity,
        },
    )
    return Event.objects.get(post=post)


def reminded() -> list[tuple]:
    return sorted(
        Notification.objects.filter(kind=Kind.EVENT_REMINDER).values_list(
            "recipient_id", "actor_id", "community_id", "post_id"
        )
    )


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_members_going_or_maybe_are_reminded_once(frozen, settings):
    settings.CERCLE_EVENT_REMINDER_MINUTES = 60
    community = make_community()
    host = community.memberships.get().user
    event = make_event(community, starts_in=timedelta(minutes=45), capacity=2)
    going, maybe, declined, waitlisted, seated_too, silent = (
        make_member(community) for _ in range(6)
    )
    rsvp_set(user=going, event=event, answer="yes")
    rsvp_set(user=seated_too, event=event, answer="yes")
    rsvp_set(user=waitlisted, event=event, answer="yes")  # no seat left
    rsvp_set(user=maybe, event=event, answer="maybe")
    rsvp_set(user=declined, event=event, answer="no")
    assert silent.pk and host.pk  # no answer: nothing

    assert event_reminders_send() == 1

    post_id = event.post_id
    assert reminded() == sorted(
        [
            (going.pk, None, community.pk, post_id),
            (seated_too.pk, None, community.pk, post_id),
            (maybe.pk, None, community.pk, post_id),
        ]
    )
    row = Notification.objects.filter(kind=Kind.EVENT_REMINDER).first()
    assert row.data == {"starts_at": (NOW + timedelta(minutes=45)).isoformat()}
    assert row.group_key is None
    event.refresh_from_db()
    assert event.reminder_sent_at == NOW

    frozen.shift(timedelta(minutes=10))
    assert event_reminders_send() == 0  # a second run reminds nobody again
    assert len(reminded()) == 3


def test_an_event_is_reminded_when_it_enters_the_window_and_never_once_started(frozen, settings):
    settings.CERCLE_EVENT_REMINDER_MINUTES = 60
    community = make_community()
    later = make_event(community, starts_in=timedelta(hours=3))
    started = make_event(community, starts_in=timedelta(minutes=5))
    member = make_member(community)
    rsvp_set(user=member, event=later, answer="yes")
    rsvp_set(user=member, event=started, answer="yes")

    frozen.shift(timedelta(minutes=10))  # "started" has begun, never reminded
    assert event_reminders_send() == 0
    assert reminded() == []

    frozen.shift(timedelta(hours=1, minutes=55))  # 55 minutes before "later"
    assert event_reminders_send() == 1
    assert reminded() == [(member.pk, None, community.pk, later.post_id)]
    started.refresh_from_db()
    assert started.reminder_sent_at is None


def test_no_reminder_for_a_banned_member_a_preference_off_or_a_hidden_event(frozen):
    community = make_community(visibility=Community.Visibility.PRIVATE)
    event = make_event(community, starts_in=timedelta(minutes=30))
    hidden = make_event(community, starts_in=timedelta(minutes=30))
    banned, off, going = (make_member(community) for _ in range(3))
    for person in (banned, off, going):
        rsvp_set(user=person, event=event, answer="yes")
    rsvp_set(user=going, event=hidden, answer="yes")
    Membership.objects.filter(community=community, user=banned).update(
        status=Membership.Status.BANNED
    )
    NotificationPreference.objects.create(user=off, kind=Kind.EVENT_REMINDER, delivery=Delivery.OFF)
    Post.objects.filter(pk=hidden.post_id).update(is_hidden=True)

    assert event_reminders_send() == 1

    assert reminded() == [(going.pk, None, community.pk, event.post_id)]


def test_an_event_claimed_by_another_run_is_not_reminded_again(frozen, monkeypatch):
    community = make_community()
    event = make_event(community, starts_in=timedelta(minutes=30))
    rsvp_set(user=make_member(community), event=event, answer="yes")
    # Another run claims the event between this run's listing and its claim.
    original_update = type(Event.objects.all()).update

    def claim_first(queryset, **kwargs):
        if "reminder_sent_at" in kwargs:
            original_update(Event.objects.filter(pk=event.pk), reminder_sent_at=NOW)
        return original_update(queryset, **kwargs)

    monkeypatch.setattr(type(Event.objects.all()), "update", claim_first)

    assert event_reminders_send() == 0
    assert reminded() == []


def test_the_beat_task_sends_the_due_reminders(frozen, settings):
    community = make_community()
    event = make_event(community, starts_in=timedelta(minutes=20))
    colleague = UserFactory()  # a public community: any colleague may come
    rsvp_set(user=colleague, event=event, answer="maybe")

    assert event_reminders_send_due.delay().get() == 1

    assert reminded() == [(colleague.pk, None, community.pk, event.post_id)]
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "notifications.tasks.event_reminders_send_due" in tasks
    assert event_reminders_send_due.name == "notifications.tasks.event_reminders_send_due"
