"""RSVPs to events: capacity, waiting list, promotion when a seat frees up."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from communities.models import Event, Rsvp
from communities.selectors.posts import event_attendance
from communities.services.events import rsvp_set
from config.errors import NotFound, ValidationError
from metrics.models import Activity
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    activities,
    event_data,
    make_cast,
)
from tests.factories import UserFactory, make_member
from tests.live import Listener

pytestmark = pytest.mark.django_db
OK = None


def make_event(visibility=PUBLIC, capacity=None):
    cast = make_cast(visibility, kind="event", event=event_data(capacity=capacity))
    return cast, Event.objects.get(post=cast.post)


RSVP_TABLE = [
    *[
        (role, v, OK)
        for v in (PUBLIC, PRIVATE, SECRET)
        for role in ("author", "member", "moderator", "manager", "owner")
    ],
    ("outsider", PUBLIC, OK),
    ("outsider", PRIVATE, NotFound),
    ("outsider", SECRET, NotFound),
    ("banned", PUBLIC, NotFound),
    ("banned", PRIVATE, NotFound),
    ("banned", SECRET, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", RSVP_TABLE)
def test_who_may_answer(role, visibility, expected):
    cast, event = make_event(visibility)
    if expected is OK:
        rsvp = rsvp_set(user=cast[role], event=event, answer="yes")
        assert (rsvp.answer, rsvp.is_waitlisted) == ("yes", False)
        assert len(activities(Activity.Verb.RSVP, actor=cast[role])) == 1
    else:
        with pytest.raises(expected):
            rsvp_set(user=cast[role], event=event, answer="yes")
        assert not Rsvp.objects.exists()


def test_full_event_puts_yes_on_the_waiting_list_and_frees_seats_in_order(
    django_capture_on_commit_callbacks,
):
    cast, event = make_event(capacity=2)
    first, second = cast["member"], cast["author"]
    waiting = [make_member(cast.community) for _ in range(2)]
    rsvp_set(user=first, event=event, answer="yes")
    rsvp_set(user=second, event=event, answer="yes")
    queued = [rsvp_set(user=user, event=event, answer="yes") for user in waiting]
    assert [r.is_waitlisted for r in queued] == [True, True]
    assert event_attendance(event=event) == {
        "going": 2,
        "waitlisted": 2,
        "maybe": 0,
        "not_going": 0,
        "capacity": 2,
        "seats_left": 0,
    }

    listener = Listener(f"user.{waiting[0].pk}")
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_set(user=first, event=event, answer="no")
    promoted = Rsvp.objects.get(event=event, user=waiting[0])
    assert promoted.is_waitlisted is False
    assert Rsvp.objects.get(event=event, user=waiting[1]).is_waitlisted is True
    assert [event["type"] for event in listener.events()] == ["rsvp.promoted"]
    assert event_attendance(event=event)["going"] == 2


def test_confirmed_member_keeps_the_seat_and_maybe_never_waits():
    cast, event = make_event(capacity=1)
    rsvp_set(user=cast["member"], event=event, answer="yes")
    assert rsvp_set(user=cast["member"], event=event, answer="yes").is_waitlisted is False
    assert rsvp_set(user=cast["author"], event=event, answer="maybe").is_waitlisted is False
    assert rsvp_set(user=cast["author"], event=event, answer="yes").is_waitlisted is True
    assert len(activities(Activity.Verb.RSVP)) == 3


def test_unlimited_event_never_waitlists():
    cast, event = make_event(capacity=None)
    for _ in range(5):
        user = make_member(cast.community)
        assert rsvp_set(user=user, event=event, answer="yes").is_waitlisted is False
    assert event_attendance(event=event)["seats_left"] is None


def test_past_event_and_unknown_answer_are_refused():
    cast, event = make_event()
    with pytest.raises(ValidationError) as error:
        rsvp_set(user=cast["member"], event=event, answer="perhaps")
    assert "answer" in error.value.field_errors
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        rsvp_set(user=cast["member"], event=event, answer="yes")
    assert not Rsvp.objects.exists()


def test_rolled_back_rsvp_leaves_nothing(django_capture_on_commit_callbacks):
    cast, event = make_event(capacity=1)
    rsvp_set(user=cast["member"], event=event, answer="yes")
    waiting = UserFactory()
    rsvp_set(user=waiting, event=event, answer="yes")
    log = Activity.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        rsvp_set(user=cast["member"], event=event, answer="no")
        raise RuntimeError
    assert callbacks == []
    assert Rsvp.objects.get(user=waiting).is_waitlisted is True
    assert Rsvp.objects.get(user=cast["member"]).answer == "yes"
    assert Activity.objects.count() == log
