"""Migration 0005 backfills, for the rows logged before ``Activity.subject`` existed, the
subject and the missing community that today's services record."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from communities.models import Comment, Community, Event, Flag, Poll, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.events import rsvp_set
from communities.services.invitations import invitation_create
from communities.services.moderation import flag_create
from communities.services.polls import poll_vote
from communities.services.posts import post_read
from communities.services.reactions import reaction_toggle
from metrics.models import Activity
from metrics.services import visit_record
from profiles.recognition.kudos import kudos_give
from tests.communities.factories_conversations import event_data, poll_data
from tests.factories import UserFactory, make_community, make_member, make_post

migration = importlib.import_module("metrics.migrations.0005_activity_subject_backfill")
BEFORE = ("metrics", "0003_recognition_verbs")
AFTER = ("metrics", "0005_activity_subject_backfill")


def backfill() -> None:
    migration.backfill_subjects_and_communities(apps, SimpleNamespace(connection=connection))


def log() -> list[tuple]:
    rows = Activity.objects.values_list(
        "actor_id", "verb", "subject_id", "community_id", "object_type", "object_id"
    )
    return sorted(rows, key=lambda row: tuple(-1 if v is None else v for v in row))


def a_bit_of_everything(settings):
    settings.CERCLE_KUDOS_DAILY_CAP = 50
    host = UserFactory()
    community = make_community(owner=host)
    alice, bob, carol = (make_member(community) for _ in range(3))
    post = make_post(community, author=alice)
    comment = comment_create(author=bob, post=post, body="Agreed")
    comment_create(author=carol, post=post, body="Me too", parent=comment)
    comment_create(author=bob, post=post, body="And", parent=comment)  # a self-reply
    comment_create(author=alice, post=post, body="Thanks")  # on her own post
    reaction_toggle(user=carol, kind="like", post=post)
    reaction_toggle(user=alice, kind="like", comment=comment)
    reaction_toggle(user=bob, kind="like", comment=comment)  # his own
    question = make_post(community, author=alice, kind=Post.Kind.QUESTION, title="How?")
    answer = comment_create(author=bob, post=question, body="Like this")
    answer_accept(actor=host, post=question, comment=answer)
    poll = Poll.objects.get(
        post=make_post(community, author=alice, kind=Post.Kind.POLL, poll=poll_data())
    )
    poll_vote(voter=bob, poll=poll, option_ids=[poll.options.first().pk])
    event_post = make_post(community, author=carol, kind=Post.Kind.EVENT, event=event_data())
    rsvp_set(user=bob, event=Event.objects.get(post=event_post), answer="yes")
    post_read(user=bob, post=post)
    post_read(user=alice, post=post)
    invitation_create(
        inviter=host, community=community, emails=[UserFactory().email, "new@acme.example"]
    )
    flag_create(reporter=carol, reason=Flag.Reason.SPAM, comment=comment)
    kudos_give(giver=bob, recipients=[alice, carol, host], value="helpful", message="!")
    kudos_give(giver=carol, recipients=[alice], value="helpful", message="!", community=community)
    visit_record(user=bob)
    return community


def as_logged_before_subjects() -> None:
    """What the log held before: no subject, one kudos row per kudos, and (as some rows
    of the oldest versions had) no community."""
    Activity.objects.update(subject=None)
    Activity.objects.exclude(object_type="kudos").update(community=None)
    kept = {}
    for row in Activity.objects.filter(verb=Activity.Verb.KUDOS_GIVEN).order_by("pk"):
        if row.object_id in kept:
            row.delete()
        else:
            kept[row.object_id] = row


@pytest.mark.django_db
def test_the_backfill_records_what_the_services_record_today(settings):
    a_bit_of_everything(settings)
    recorded = log()
    assert sum(1 for row in recorded if row[2] is not None) >= 12  # subjects to restore
    as_logged_before_subjects()
    assert log() != recorded

    backfill()

    assert log() == recorded


@pytest.mark.django_db
def test_kudos_copies_keep_the_time_of_the_original_row(settings):
    a_bit_of_everything(settings)
    as_logged_before_subjects()
    [original] = Activity.objects.filter(verb=Activity.Verb.KUDOS_GIVEN, community=None)
    Activity.objects.filter(pk=original.pk).update(created_at="2020-03-01T10:00:00Z")

    backfill()

    rows = Activity.objects.filter(verb=Activity.Verb.KUDOS_GIVEN, community=None)
    assert rows.count() == 3
    assert {row.created_at.isoformat() for row in rows} == {"2020-03-01T10:00:00+00:00"}


@pytest.mark.django_db
def test_the_backfill_can_run_again_and_skips_deleted_content(settings):
    community = a_bit_of_everything(settings)
    recorded = log()
    as_logged_before_subjects()
    backfill()
    backfill()
    assert log() == recorded

    Activity.objects.update(subject=None)
    Post.objects.filter(community=community, kind=Post.Kind.POLL).delete()  # and its poll
    backfill()
    poll_votes = Activity.objects.filter(verb=Activity.Verb.POLL_VOTED)
    assert [row.subject_id for row in poll_votes] == [None]


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_fills_rows_written_before_the_migration():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        # No service: they write the log as it is now, with a subject.
        author, commenter = UserFactory(), UserFactory()
        community = Community.objects.create(name="Guild", slug="guild", created_by=author)
        post = Post.objects.create(community=community, author=author, title="T", body="B")
        comment = Comment.objects.create(post=post, author=commenter, body="C")
        old.get_model("metrics", "Activity").objects.create(
            actor_id=commenter.pk,
            verb="comment_created",
            object_type="comment",
            object_id=comment.pk,
        )

        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])

        row = Activity.objects.get(verb=Activity.Verb.COMMENT_CREATED, actor=commenter)
        assert (row.subject, row.community) == (author, community)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
