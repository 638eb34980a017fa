"""Subscribers of the activity log hear of committed activities only, as plain values,
and a failing subscriber breaks neither the action nor the other subscribers."""

import logging

import pytest
from django.db import transaction

from communities.services.comments import comment_create
from communities.services.reactions import reaction_toggle
from metrics.models import Activity
from metrics.services import activities_record, activity_record
from metrics.subscribers import CommittedActivity, activity_subscribe, activity_unsubscribe
from profiles.recognition.kudos import kudos_give
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self):
        self.calls: list[list[CommittedActivity]] = []

    def __call__(self, activities):
        self.calls.append(list(activities))

    @property
    def activities(self):
        return [activity for call in self.calls for activity in call]


@pytest.fixture
def subscribe():
    subscribed = []

    def add(callback, **kwargs):
        activity_subscribe(callback, **kwargs)
        subscribed.append(callback)
        return callback

    yield add
    for callback in subscribed:
        activity_unsubscribe(callback)


@pytest.fixture
def content():
    community = make_community(owner=UserFactory())
    author, commenter = make_member(community), make_member(community)
    return community, make_post(community, author=author), author, commenter


def test_a_subscriber_receives_the_committed_activity_as_plain_values(
    subscribe, content, django_capture_on_commit_callbacks
):
    community, post, author, commenter = content
    heard = subscribe(Recorder(), verbs={Activity.Verb.COMMENT_CREATED})
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(author=commenter, post=post, body="Agreed")
    row = Activity.objects.get(verb=Activity.Verb.COMMENT_CREATED)
    assert heard.calls == [
        [
            CommittedActivity(
                id=row.pk,
                verb="comment_created",
                actor_id=commenter.pk,
                subject_id=author.pk,
                community_id=community.pk,
                object_type="comment",
                object_id=comment.pk,
                created_at=row.created_at,
            )
        ]
    ]
    assert heard.activities[0].as_json()["created_at"] == row.created_at.isoformat()


def test_nothing_is_delivered_before_the_commit(subscribe, content):
    _community, post, _author, commenter = content
    heard = subscribe(Recorder())
    with transaction.atomic():
        comment_create(author=commenter, post=post, body="Agreed")
        assert heard.calls == []


def test_a_rolled_back_action_delivers_nothing(
    subscribe, content, django_capture_on_commit_callbacks
):
    _community, post, _author, commenter = content
    heard = subscribe(Recorder())
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        comment_create(author=commenter, post=post, body="Agreed")
        raise RuntimeError
    assert callbacks == [] and heard.calls == []
    assert not Activity.objects.filter(verb=Activity.Verb.COMMENT_CREATED).exists()


def test_a_rolled_back_savepoint_delivers_only_what_committed(
    subscribe, content, django_capture_on_commit_callbacks
):
    _community, post, author, commenter = content
    heard = subscribe(Recorder())
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        reaction_toggle(user=commenter, kind="like", post=post)
        with pytest.raises(RuntimeError), transaction.atomic():
            comment_create(author=commenter, post=post, body="Agreed")
            raise RuntimeError
    assert [a.verb for a in heard.activities] == ["reaction_created"]
    assert heard.activities[0].subject_id == author.pk


def test_subscribers_hear_only_the_verbs_they_asked_for(
    subscribe, content, django_capture_on_commit_callbacks
):
    _community, post, _author, commenter = content
    reactions = subscribe(Recorder(), verbs=[Activity.Verb.REACTION_CREATED])
    everything = subscribe(Recorder())
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(author=commenter, post=post, body="Agreed")
        reaction_toggle(user=commenter, kind="like", post=post)
    assert [a.verb for a in reactions.activities] == ["reaction_created"]
    # Every verb, badges earned on the way included.
    verbs = [a.verb for a in everything.activities]
    assert verbs.index("comment_created") < verbs.index("reaction_created")


def test_no_callback_is_scheduled_for_a_verb_nobody_wants(
    subscribe, django_capture_on_commit_callbacks
):
    subscribe(Recorder(), verbs=[Activity.Verb.KUDOS_GIVEN])
    with django_capture_on_commit_callbacks() as callbacks:
        activity_record(actor=UserFactory(), verb=Activity.Verb.VISITED)
    assert callbacks == []


def test_a_failing_subscriber_is_logged_and_breaks_neither_the_action_nor_the_others(
    subscribe, content, django_capture_on_commit_callbacks, caplog
):
    _community, post, _author, commenter = content

    def broken(activities):
        raise RuntimeError("rollups are down")

    subscribe(broken)
    heard = subscribe(Recorder(), verbs=[Activity.Verb.COMMENT_CREATED])
    with (
        caplog.at_level(logging.ERROR, logger="metrics.subscribers"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        comment = comment_create(author=commenter, post=post, body="Agreed")
    assert comment.pk is not None
    assert [a.object_id for a in heard.activities] == [comment.pk]
    assert "rollups are down" in caplog.text


def test_one_action_for_several_members_is_delivered_at_once(
    subscribe, django_capture_on_commit_callbacks
):
    giver, alice, bob = UserFactory(), UserFactory(), UserFactory()
    heard = subscribe(Recorder(), verbs=[Activity.Verb.KUDOS_GIVEN])
    with django_capture_on_commit_callbacks(execute=True):
        kudos = kudos_give(giver=giver, recipients=[alice, bob], value="helpful", message="!")
    [call] = heard.calls
    assert sorted(a.subject_id for a in call) == sorted([alice.pk, bob.pk])
    assert {(a.actor_id, a.object_id) for a in call} == {(giver.pk, kudos.pk)}
    assert all(a.id is not None for a in call)


def test_subscribing_again_replaces_the_verbs(subscribe, django_capture_on_commit_callbacks):
    heard = Recorder()
    subscribe(heard, verbs=[Activity.Verb.KUDOS_GIVEN])
    subscribe(heard, verbs=[Activity.Verb.VISITED])
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(actor=UserFactory(), verb=Activity.Verb.VISITED)
    assert len(heard.calls) == 1


def test_the_subject_is_never_the_actor():
    member, colleague = UserFactory(), UserFactory()
    mine = activity_record(actor=member, verb=Activity.Verb.POST_READ, subject=member.pk)
    rows = activities_record(
        actor=member, verb=Activity.Verb.KUDOS_GIVEN, subjects=[member, colleague, colleague]
    )
    assert mine.subject_id is None
    assert sorted((row.subject_id or 0) for row in rows) == sorted([0, colleague.pk])


@pytest.mark.parametrize("size", [1, 10])
def test_recording_costs_one_query_whatever_the_number_of_members_addressed(
    size, django_assert_num_queries
):
    giver, colleagues = UserFactory(), [UserFactory() for _ in range(size)]
    with django_assert_num_queries(1):
        activities_record(actor=giver, verb=Activity.Verb.KUDOS_GIVEN, subjects=colleagues)
    assert Activity.objects.filter(actor=giver).count() == size
