"""Recording who an activity was addressed to costs the hot services no query: their
counts stay what they were before ``Activity.subject`` and do not grow with the rows."""

import pytest
from django.db import connection

from communities.models import Comment, Event, Poll, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.events import rsvp_set
from communities.services.polls import poll_vote
from communities.services.posts import post_read
from communities.services.reactions import reaction_toggle
from profiles.recognition.kudos import kudos_give
from tests.communities.factories_conversations import event_data, poll_data
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(settings):
    """A community whose posts already drew ``size`` commenters, reactions and voters."""
    settings.CERCLE_KUDOS_DAILY_CAP = 100

    def build(size):
        community = make_community(owner=UserFactory())
        author, actor = make_member(community), make_member(community)
        others = [make_member(community) for _ in range(size)]
        post = make_post(community, author=author)
        question = make_post(community, author=author, kind=Post.Kind.QUESTION, title="How?")
        poll = Poll.objects.get(
            post=make_post(community, author=author, kind=Post.Kind.POLL, poll=poll_data())
        )
        event = Event.objects.get(
            post=make_post(community, author=author, kind=Post.Kind.EVENT, event=event_data())
        )
        comment = comment_create(author=others[0], post=post, body="First")
        for other in others:
            comment_create(author=other, post=post, body="Agreed")
            comment_create(author=other, post=question, body="Try this")
            reaction_toggle(user=other, kind="like", post=post)
            reaction_toggle(user=other, kind="like", comment=comment)
            poll_vote(voter=other, poll=poll, option_ids=[poll.options.first().pk])
            rsvp_set(user=other, event=event, answer="yes")
            post_read(user=other, post=post)
        answer = comment_create(author=actor, post=question, body="Like this")
        return {
            "community": community,
            "author": author,
            "actor": actor,
            "others": others,
            "post": post,
            "comment": comment,
            "question": question,
            "answer": answer,
            "poll": poll,
            "event": event,
        }

    return build


def _fresh(model, instance):
    return model.objects.get(pk=instance.pk)


# service -> (call, queries on SQLite, notifications written at once), whatever the size:
# the same as before subjects, or fewer (before: answer_accept 9, post_read 6, rsvp_set
# 11), as the subject and the community come from ids the services already hold; kudos to
# 20 colleagues write their 20 rows in one INSERT. On PostgreSQL each notification's live
# events are stored in its INSERT's statement: one query fewer per notification.
SERVICES = {
    "comment_create": (
        lambda w: comment_create(author=w["actor"], post=w["post"], body="Me too"),
        12,
        0,
    ),
    "comment_create (a reply)": (
        lambda w: comment_create(
            author=w["actor"], post=w["post"], body="Yes", parent=w["comment"]
        ),
        12,
        0,
    ),
    "reaction_toggle (a post)": (
        lambda w: reaction_toggle(user=w["actor"], kind="like", post=w["post"]),
        13,
        1,
    ),
    "reaction_toggle (a comment)": (
        lambda w: reaction_toggle(user=w["actor"], kind="like", comment=w["comment"]),
        14,
        1,
    ),
    "answer_accept": (
        lambda w: answer_accept(actor=w["author"], post=w["question"], comment=w["answer"]),
        7,
        1,
    ),
    "post_read": (lambda w: post_read(user=w["actor"], post=w["post"]), 5, 0),
    "poll_vote": (
        lambda w: poll_vote(
            voter=w["actor"], poll=w["poll"], option_ids=[w["poll"].options.first().pk]
        ),
        15,
        0,
    ),
    "rsvp_set": (lambda w: rsvp_set(user=w["actor"], event=w["event"], answer="yes"), 10, 0),
    "kudos_give": (
        lambda w: kudos_give(
            giver=w["actor"], recipients=w["others"], value="helpful", message="Thanks"
        ),
        12,
        1,
    ),
}


@pytest.mark.parametrize("size", [1, 20])
@pytest.mark.parametrize("service", list(SERVICES))
def test_hot_services_query_counts_do_not_grow(
    service, size, crowd, django_assert_num_queries, django_capture_on_commit_callbacks
):
    world = crowd(size)
    world["post"] = _fresh(Post, world["post"])
    world["question"] = _fresh(Post, world["question"])
    world["comment"] = _fresh(Comment, world["comment"])
    world["answer"] = _fresh(Comment, world["answer"])
    world["poll"] = _fresh(Poll, world["poll"])
    world["event"] = _fresh(Event, world["event"])
    call, queries, notifications = SERVICES[service]
    if connection.vendor == "postgresql":
        queries -= notifications
    # The work queued on commit (fan-outs, badges) has query counts of its own.
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(queries):
        call(world)
