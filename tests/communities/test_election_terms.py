"""An elected role lasts for its term: at the end, the winner gets the previous role back."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from communities.models import Election, Membership
from communities.services.elections import (
    election_close,
    election_open,
    election_term_end,
    election_vote,
)
from communities.tasks import election_terms_end_due
from tests.communities.factories_memberships import in_days, make_role_world, membership_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_role_world(visibility="private")


def _elect(world, candidate="member", role="moderator", term_days=90):
    election = election_open(
        actor=world["manager"],
        community=world["community"],
        title="Quarterly chair",
        role=role,
        candidates=[world[candidate]],
        closes_at=in_days(7),
        term_ends_at=in_days(term_days),
    )
    election_vote(voter=world["owner"], election=election, candidate=world[candidate])
    return election_close(election=election)


def _term_over(election):
    Election.objects.filter(pk=election.pk).update(term_ends_at=timezone.now() - timedelta(hours=1))
    election.refresh_from_db()


def test_winner_goes_back_to_member_when_the_term_ends(world):
    election = _elect(world)
    assert membership_of(world, "member").role == "moderator"
    assert election.winner_previous_role == "member"

    assert election_term_end(election=election).term_ended_at is None  # not yet
    assert membership_of(world, "member").role == "moderator"

    _term_over(election)
    ended = election_term_end(election=election)
    assert ended.term_ended_at is not None
    assert membership_of(world, "member").role == "member"


def test_ending_a_term_twice_changes_nothing_more(world):
    election = _elect(world)
    _term_over(election)
    first = election_term_end(election=election)
    Membership.objects.filter(pk=membership_of(world, "member").pk).update(role="moderator")
    second = election_term_end(election=election)
    assert second.term_ended_at == first.term_ended_at
    assert membership_of(world, "member").role == "moderator"


def test_a_role_changed_by_a_manager_since_is_left_alone(world):
    election = _elect(world)
    Membership.objects.filter(pk=membership_of(world, "member").pk).update(role="manager")
    _term_over(election)
    election_term_end(election=election)
    assert membership_of(world, "member").role == "manager"


def test_a_winner_who_was_not_promoted_keeps_their_role(world):
    election = _elect(world, candidate="manager")
    assert election.winner_previous_role == ""
    _term_over(election)
    election_term_end(election=election)
    assert membership_of(world, "manager").role == "manager"


def test_terms_end_on_schedule(world):
    due = _elect(world)
    _term_over(due)
    assert election_terms_end_due() == 1
    assert membership_of(world, "member").role == "member"
    assert election_terms_end_due() == 0
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert election_terms_end_due.name in tasks
