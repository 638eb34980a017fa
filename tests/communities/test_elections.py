"""Elected roles: opening an election, secret ballots, closing and the kept history."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from communities import permissions
from communities.models import Candidate, Election, ElectionVoter, Membership
from communities.selectors.communities import elections_for
from communities.services.elections import election_close, election_open, election_vote
from communities.services.memberships import membership_leave
from communities.tasks import elections_close_due
from config.errors import Conflict, NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_memberships import in_days, make_role_world, membership_of
from tests.factories import UserFactory
from tests.live import Listener

pytestmark = pytest.mark.django_db


def _open(world, *, actor="manager", candidates=("member", "member2"), **kwargs):
    kwargs.setdefault("title", "Quarterly chair")
    kwargs.setdefault("role", "moderator")
    kwargs.setdefault("closes_at", in_days(7))
    return election_open(
        actor=world[actor],
        community=world["community"],
        candidates=[world[c] for c in candidates],
        **kwargs,
    )


def _candidacy(election, user) -> Candidate:
    return Candidate.objects.get(election=election, user=user)


def _expire(election) -> None:
    Election.objects.filter(pk=election.pk).update(closes_at=timezone.now() - timedelta(minutes=1))


@pytest.fixture
def world():
    return make_role_world(visibility="private")


# (who opens, visibility, expected error or None)
OPEN_TABLE = [
    ("owner", "private", None),
    ("manager", "private", None),
    ("moderator", "private", PermissionDenied),
    ("member", "private", PermissionDenied),
    ("outsider", "private", PermissionDenied),
    ("banned", "private", PermissionDenied),
    ("manager", "secret", None),
    ("outsider", "secret", NotFound),
]


@pytest.mark.parametrize("who, visibility, error", OPEN_TABLE)
def test_open_permission_table(who, visibility, error):
    world = make_role_world(visibility=visibility)
    if error is None:
        election = _open(world, actor=who)
        assert election.status == "open"
        assert [c.user for c in election.candidates.order_by("id")] == [
            world["member"],
            world["member2"],
        ]
    else:
        with pytest.raises(error):
            _open(world, actor=who)
        assert not Election.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"role": "member"}, "role"),
        ({"role": "owner"}, "role"),
        ({"role": "chair"}, "role"),
        ({"closes_at": in_days(-1)}, "closes_at"),
        ({"closes_at": in_days(7), "term_ends_at": in_days(3)}, "term_ends_at"),
        ({"candidates": ()}, "candidates"),
        ({"candidates": ("member", "outsider")}, "candidates"),
        ({"candidates": ("banned",)}, "candidates"),
    ],
)
def test_bad_election_is_refused_with_field_errors(world, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        _open(world, **kwargs)
    assert field in excinfo.value.field_errors
    assert not Election.objects.exists()
    assert not Candidate.objects.exists()


def test_owners_may_put_ownership_to_the_vote(world):
    election = _open(world, actor="owner", role="owner")
    assert election.role == "owner"


def test_duplicate_candidates_count_once(world):
    election = _open(world, candidates=("member", "member", "member2"))
    assert election.candidates.count() == 2


def test_a_vote_is_secret_and_counted(world):
    election = _open(world)
    election_vote(voter=world["moderator"], election=election, candidate=world["member"])
    assert _candidacy(election, world["member"]).vote_count == 1
    assert _candidacy(election, world["member2"]).vote_count == 0
    assert ElectionVoter.objects.filter(election=election, user=world["moderator"]).exists()
    activity = Activity.objects.get(actor=world["moderator"], verb=Activity.Verb.ELECTION_VOTED)
    # The log says that they voted, never for whom.
    assert (activity.object_type, activity.object_id) == ("election", election.pk)


def test_voting_twice_is_a_conflict_and_counts_once(world):
    election = _open(world)
    candidacy = _candidacy(election, world["member"])
    election_vote(voter=world["member"], election=election, candidate=candidacy)
    with pytest.raises(Conflict):
        election_vote(voter=world["member"], election=election, candidate=world["member2"])
    assert _candidacy(election, world["member"]).vote_count == 1
    assert _candidacy(election, world["member2"]).vote_count == 0
    assert ElectionVoter.objects.filter(election=election).count() == 1


# (voter, visibility, expected error or None)
VOTE_TABLE = [
    ("owner", "private", None),
    ("manager", "private", None),
    ("moderator", "private", None),
    ("member", "private", None),
    ("outsider", "public", PermissionDenied),
    ("banned", "public", PermissionDenied),
    ("outsider", "private", PermissionDenied),
    ("member", "secret", None),
    ("outsider", "secret", NotFound),
    ("banned", "secret", NotFound),
]


@pytest.mark.parametrize("who, visibility, error", VOTE_TABLE)
def test_vote_permission_table(who, visibility, error):
    world = make_role_world(visibility=visibility)
    election = _open(world)
    if error is None:
        election_vote(voter=world[who], election=election, candidate=world["member2"])
        assert _candidacy(election, world["member2"]).vote_count == 1
    else:
        with pytest.raises(error):
            election_vote(voter=world[who], election=election, candidate=world["member2"])
        assert _candidacy(election, world["member2"]).vote_count == 0
        assert not ElectionVoter.objects.exists()


def test_voting_after_closing_time_is_refused(world):
    election = _open(world)
    _expire(election)
    with pytest.raises(ValidationError):
        election_vote(voter=world["member"], election=election, candidate=world["member2"])
    assert not ElectionVoter.objects.exists()


def test_voting_in_a_closed_election_is_refused(world):
    election = _open(world)
    election_close(election=election)
    with pytest.raises(ValidationError):
        election_vote(voter=world["member"], election=election, candidate=world["member2"])


def test_voting_for_someone_who_is_not_a_candidate_is_refused(world):
    election = _open(world)
    other = _open(world, candidates=("moderator",))
    for candidate in (world["manager"], _candidacy(other, world["moderator"])):
        with pytest.raises(ValidationError) as excinfo:
            election_vote(voter=world["member"], election=election, candidate=candidate)
        assert "candidate" in excinfo.value.field_errors
    assert not ElectionVoter.objects.exists()


def _vote(world, election, ballots: dict[str, str]) -> None:
    for voter, candidate in ballots.items():
        election_vote(voter=world[voter], election=election, candidate=world[candidate])


def test_closing_gives_the_role_to_the_winner(world):
    election = _open(world)
    _vote(world, election, {"owner": "member2", "manager": "member2", "member": "member"})
    closed = election_close(election=election)
    assert (closed.status, closed.winner) == ("closed", world["member2"])
    assert closed.closed_at is not None
    assert membership_of(world, "member2").role == "moderator"
    assert permissions.can_moderate(world["member2"], world["community"])
    assert membership_of(world, "member").role == "member"


def test_a_tie_goes_to_the_earliest_candidacy(world):
    election = _open(world, candidates=("member2", "member"))
    _vote(world, election, {"owner": "member", "manager": "member2"})
    assert election_close(election=election).winner == world["member2"]


def test_no_ballot_means_no_winner(world):
    election = _open(world)
    closed = election_close(election=election)
    assert (closed.status, closed.winner) == ("closed", None)
    assert membership_of(world, "member").role == "member"


def test_a_winner_who_left_is_passed_over(world):
    election = _open(world)
    _vote(world, election, {"owner": "member", "manager": "member", "moderator": "member2"})
    membership_leave(user=world["member"], community=world["community"])
    assert election_close(election=election).winner == world["member2"]


def test_winning_a_lesser_role_never_demotes(world):
    election = _open(world, candidates=("manager",))
    _vote(world, election, {"member": "manager"})
    assert election_close(election=election).winner == world["manager"]
    assert membership_of(world, "manager").role == "manager"


def test_closing_is_idempotent_and_the_result_is_kept(world):
    election = _open(world)
    _vote(world, election, {"owner": "member"})
    first = election_close(election=election)
    Membership.objects.filter(pk=membership_of(world, "member").pk).update(role="member")
    second = election_close(election=election)
    assert (second.winner, second.closed_at) == (first.winner, first.closed_at)
    assert membership_of(world, "member").role == "member"
    assert _candidacy(election, world["member"]).vote_count == 1


def test_history_lists_past_and_open_elections_with_my_vote(world):
    past = _open(world, title="Chair Q1")
    _vote(world, past, {"member": "member2"})
    election_close(election=past)
    current = _open(world, title="Chair Q2")
    listed = {e.title: e for e in elections_for(user=world["member"], community=world["community"])}
    assert set(listed) == {"Chair Q1", "Chair Q2"}
    assert (listed["Chair Q1"].status, listed["Chair Q1"].winner) == ("closed", world["member2"])
    assert (listed["Chair Q1"].has_voted, listed["Chair Q1"].voter_count) == (True, 1)
    assert (listed["Chair Q2"].has_voted, listed["Chair Q2"].voter_count) == (False, 0)
    assert current.pk == listed["Chair Q2"].pk


def test_due_elections_close_on_schedule(world):
    due = _open(world, title="Due")
    _vote(world, due, {"owner": "member"})
    _expire(due)
    later = _open(world, title="Later")
    assert elections_close_due() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.winner) == ("closed", world["member"])
    assert later.status == "open"
    assert membership_of(world, "member").role == "moderator"
    assert elections_close_due() == 0


def test_beat_schedule_runs_the_closing_task():
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert elections_close_due.name in tasks


def test_superuser_opens_elections_anywhere():
    world = make_role_world(visibility="secret")
    world["admin"] = UserFactory(is_superuser=True, is_staff=True)
    assert _open(world, actor="admin", role="owner").status == "open"


def test_closing_is_announced_live_to_the_community_after_commit(
    world, django_capture_on_commit_callbacks
):
    listener = Listener(f"community.{world['community'].pk}")
    election = _open(world)
    _vote(world, election, {"owner": "member"})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        election_close(election=election)
    assert len(callbacks) == 1
    [event] = listener.events()
    assert event["type"] == "election.closed"
    assert event["data"] == {
        "election_id": election.pk,
        "community_id": world["community"].pk,
        "winner_id": world["member"].pk,
        "role": "moderator",
    }
