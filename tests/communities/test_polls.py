"""Voting in polls: once per member, single or multiple choice, closing date, results."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from communities.models import Poll, PollBallot, PollOption
from communities.selectors.posts import poll_results
from communities.services.polls import poll_vote
from config.errors import Conflict, NotFound, ValidationError
from metrics.models import Activity
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    activities,
    make_cast,
    poll_data,
)

pytestmark = pytest.mark.django_db
OK = None


def make_poll(visibility=PUBLIC, **poll_kwargs):
    cast = make_cast(
        visibility,
        kind="poll",
        poll=poll_data("Tuesday", "Thursday", "Friday", **poll_kwargs),
    )
    poll = Poll.objects.get(post=cast.post)
    return cast, poll, list(poll.options.all())


VOTE_TABLE = [
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


@pytest.mark.parametrize("role, visibility, expected", VOTE_TABLE)
def test_who_may_vote(role, visibility, expected):
    cast, poll, options = make_poll(visibility)
    if expected is OK:
        ballot = poll_vote(voter=cast[role], poll=poll, option_ids=[options[1].pk])
        assert list(ballot.options.all()) == [options[1]]
        assert PollOption.objects.get(pk=options[1].pk).vote_count == 1
        assert len(activities(Activity.Verb.POLL_VOTED, actor=cast[role])) == 1
    else:
        with pytest.raises(expected):
            poll_vote(voter=cast[role], poll=poll, option_ids=[options[1].pk])
        assert not PollBallot.objects.exists()


def test_voting_twice_is_a_conflict_and_the_first_vote_stands():
    cast, poll, options = make_poll()
    poll_vote(voter=cast["member"], poll=poll, option_ids=[options[0].pk])
    with pytest.raises(Conflict):
        poll_vote(voter=cast["member"], poll=poll, option_ids=[options[2].pk])
    assert [o.vote_count for o in poll.options.all()] == [1, 0, 0]
    assert len(activities(Activity.Verb.POLL_VOTED)) == 1


@pytest.mark.parametrize("choice", ["none", "two", "foreign", "garbage"])
def test_bad_choice_is_refused_with_field_errors(choice):
    cast, poll, options = make_poll()
    _other_cast, _other_poll, foreign = make_poll()
    option_ids = {
        "none": [],
        "two": [options[0].pk, options[1].pk],
        "foreign": [foreign[0].pk],
        "garbage": ["first"],
    }[choice]
    with pytest.raises(ValidationError) as error:
        poll_vote(voter=cast["member"], poll=poll, option_ids=option_ids)
    assert error.value.field_errors["option_ids"]
    assert not PollBallot.objects.exists()
    assert sum(PollOption.objects.values_list("vote_count", flat=True)) == 0


def test_multiple_choice_counts_each_option_once():
    cast, poll, options = make_poll(allows_multiple=True)
    poll_vote(voter=cast["member"], poll=poll, option_ids=[options[0].pk, options[2].pk])
    poll_vote(voter=cast["author"], poll=poll, option_ids=[options[0].pk, options[0].pk])
    results = poll_results(poll=poll)
    assert [(r["label"], r["votes"], r["percent"]) for r in results] == [
        ("Tuesday", 2, 100),
        ("Thursday", 0, 0),
        ("Friday", 1, 50),
    ]


def test_closed_poll_takes_no_votes():
    cast, poll, options = make_poll(closes_at=timezone.now() + timedelta(hours=1))
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    poll.refresh_from_db()
    with pytest.raises(ValidationError):
        poll_vote(voter=cast["member"], poll=poll, option_ids=[options[0].pk])
    assert not PollBallot.objects.exists()


def test_results_without_votes_are_zero():
    _cast, poll, _options = make_poll()
    assert [r["percent"] for r in poll_results(poll=poll)] == [0, 0, 0]


def test_rolled_back_vote_leaves_nothing():
    cast, poll, options = make_poll()
    with pytest.raises(RuntimeError), transaction.atomic():
        poll_vote(voter=cast["member"], poll=poll, option_ids=[options[0].pk])
        raise RuntimeError
    assert not PollBallot.objects.exists()
    assert PollOption.objects.get(pk=options[0].pk).vote_count == 0
    assert not activities(Activity.Verb.POLL_VOTED)
