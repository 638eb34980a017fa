"""Every activity names the member it was addressed to (its subject, never the actor) and
the community it happened in: one row of the table per verb and case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Event, Flag, Membership, Poll, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.elections import election_open, election_vote
from communities.services.events import rsvp_set
from communities.services.invitations import invitation_create
from communities.services.memberships import membership_ban, membership_join, membership_leave
from communities.services.moderation import flag_create
from communities.services.polls import poll_vote
from communities.services.posts import post_read
from communities.services.reactions import reaction_toggle
from metrics.models import Activity
from metrics.services import visit_record
from profiles.models import Badge
from profiles.recognition.badges import badge_award_manual
from profiles.recognition.kudos import kudos_give
from tests.communities.factories_conversations import event_data, poll_data
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


class World(dict):
    """A community (``host`` owns it) where alice posted and bob commented."""

    def __getattr__(self, name):
        return self[name]


@pytest.fixture
def world():
    host = UserFactory()
    community = make_community(owner=host)
    alice, bob, carol = (make_member(community) for _ in range(3))
    post = make_post(community, author=alice)
    comment_create(author=bob, post=post, body="Agreed")
    return World(host=host, community=community, alice=alice, bob=bob, carol=carol)


def question_by(world, asker):
    return make_post(world.community, author=asker, kind=Post.Kind.QUESTION, title="How?")


def alice_post(world):
    return Post.objects.filter(author=world.alice).earliest("pk")


def bob_comment(world):
    return alice_post(world).comments.get(author=world.bob)


def comment_on_a_post(world):
    comment_create(author=world.bob, post=alice_post(world), body="A comment")
    return world.alice


def reply_to_a_comment(world):
    parent = bob_comment(world)
    comment_create(author=world.carol, post=alice_post(world), body="Yes", parent=parent)
    return world.bob


def reply_to_a_reply(world):
    # One level of replies: it joins the thread of bob's comment, and is addressed to him.
    reply = comment_create(
        author=world.carol, post=alice_post(world), body="Yes", parent=bob_comment(world)
    )
    comment_create(author=world.host, post=alice_post(world), body="Both", parent=reply)
    return world.bob


def self_reply(world):
    # A reply to one's own comment is addressed to nobody (not to the post's author).
    comment_create(author=world.bob, post=alice_post(world), body="And", parent=bob_comment(world))
    return None


def comment_on_ones_own_post(world):
    comment_create(author=world.alice, post=alice_post(world), body="Thanks all")
    return None


def reaction_to_a_post(world):
    reaction_toggle(user=world.bob, kind="like", post=alice_post(world))
    return world.alice


def reaction_to_a_comment(world):
    reaction_toggle(user=world.carol, kind="like", comment=bob_comment(world))
    return world.bob


def reaction_to_ones_own_post(world):
    reaction_toggle(user=world.alice, kind="like", post=alice_post(world))
    return None


def answer_accepted_by_the_asker(world):
    question = question_by(world, world.alice)
    answer = comment_create(author=world.bob, post=question, body="Like this")
    answer_accept(actor=world.alice, post=question, comment=answer)
    return world.alice


def answer_accepted_by_a_moderator(world):
    question = question_by(world, world.alice)
    answer = comment_create(author=world.bob, post=question, body="Like this")
    answer_accept(actor=world.host, post=question, comment=answer)
    return world.alice


def own_answer_accepted(world):
    question = question_by(world, world.alice)
    answer = comment_create(author=world.alice, post=question, body="Found it")
    answer_accept(actor=world.alice, post=question, comment=answer)
    return None


def poll_vote_(world):
    post = make_post(world.community, author=world.alice, kind=Post.Kind.POLL, poll=poll_data())
    poll = Poll.objects.get(post=post)
    poll_vote(voter=world.bob, poll=poll, option_ids=[poll.options.first().pk])
    return world.alice


def rsvp_(world):
    post = make_post(world.community, author=world.alice, kind=Post.Kind.EVENT, event=event_data())
    rsvp_set(user=world.bob, event=Event.objects.get(post=post), answer="yes")
    return world.alice


def read_a_post(world):
    post_read(user=world.bob, post=alice_post(world))
    return world.alice


def read_ones_own_post(world):
    post_read(user=world.alice, post=alice_post(world))
    return None


def invite_a_colleague(world):
    world["dave"] = UserFactory()
    invitation_create(inviter=world.host, community=world.community, emails=[world.dave.email])
    return world.dave


def invite_an_address_without_account(world):
    invitation_create(inviter=world.host, community=world.community, emails=["new@acme.example"])
    return None


def flag_a_comment(world):
    flag_create(reporter=world.carol, reason=Flag.Reason.SPAM, comment=bob_comment(world))
    return None


def vote_in_an_election(world):
    election = election_open(
        actor=world.host,
        community=world.community,
        title="Chair",
        role=Membership.Role.MODERATOR,
        candidates=[world.alice],
        closes_at=timezone.now() + timedelta(days=7),
    )
    election_vote(voter=world.bob, election=election, candidate=world.alice)
    return None  # ballots are secret: never the candidate


def join(world):
    world["dave"] = UserFactory()
    membership_join(user=world.dave, community=world.community)
    return None


def leave(world):
    membership_leave(user=world.carol, community=world.community)
    return None


def banned(world):
    membership_ban(actor=world.host, membership=world.community.memberships.get(user=world.carol))
    return None


def publish_a_post(world):
    make_post(world.community, author=world.carol)
    return None


def create_a_community(world):
    make_community(owner=world.alice)
    return None


def badge_given(world):
    badge = Badge.objects.create(code="mentor", name="Mentor", is_manual=True)
    staff = UserFactory(is_staff=True)
    badge_award_manual(actor=staff, badge=badge, user=world.carol, reason="Onboarded us")
    return None


def visit(world):
    visit_record(user=world.carol)
    return None


IN_THE_COMMUNITY, NOWHERE, NEW_COMMUNITY = "community", "nowhere", "new"

# scenario (returns the expected subject), verb, actor, community
SUBJECT_TABLE = [
    (comment_on_a_post, Activity.Verb.COMMENT_CREATED, "bob", IN_THE_COMMUNITY),
    (reply_to_a_comment, Activity.Verb.COMMENT_CREATED, "carol", IN_THE_COMMUNITY),
    (reply_to_a_reply, Activity.Verb.COMMENT_CREATED, "host", IN_THE_COMMUNITY),
    (self_reply, Activity.Verb.COMMENT_CREATED, "bob", IN_THE_COMMUNITY),
    (comment_on_ones_own_post, Activity.Verb.COMMENT_CREATED, "alice", IN_THE_COMMUNITY),
    (reaction_to_a_post, Activity.Verb.REACTION_CREATED, "bob", IN_THE_COMMUNITY),
    (reaction_to_a_comment, Activity.Verb.REACTION_CREATED, "carol", IN_THE_COMMUNITY),
    (reaction_to_ones_own_post, Activity.Verb.REACTION_CREATED, "alice", IN_THE_COMMUNITY),
    # The answer's author "had an answer accepted"; the asker received it.
    (answer_accepted_by_the_asker, Activity.Verb.ANSWER_ACCEPTED, "bob", IN_THE_COMMUNITY),
    (answer_accepted_by_a_moderator, Activity.Verb.ANSWER_ACCEPTED, "bob", IN_THE_COMMUNITY),
    (own_answer_accepted, Activity.Verb.ANSWER_ACCEPTED, "alice", IN_THE_COMMUNITY),
    (poll_vote_, Activity.Verb.POLL_VOTED, "bob", IN_THE_COMMUNITY),
    (rsvp_, Activity.Verb.RSVP, "bob", IN_THE_COMMUNITY),
    (read_a_post, Activity.Verb.POST_READ, "bob", IN_THE_COMMUNITY),
    (read_ones_own_post, Activity.Verb.POST_READ, "alice", IN_THE_COMMUNITY),
    (invite_a_colleague, Activity.Verb.MEMBER_INVITED, "host", IN_THE_COMMUNITY),
    (invite_an_address_without_account, Activity.Verb.MEMBER_INVITED, "host", IN_THE_COMMUNITY),
    (flag_a_comment, Activity.Verb.CONTENT_FLAGGED, "carol", IN_THE_COMMUNITY),
    (vote_in_an_election, Activity.Verb.ELECTION_VOTED, "bob", IN_THE_COMMUNITY),
    (join, Activity.Verb.MEMBER_JOINED, "dave", IN_THE_COMMUNITY),
    (leave, Activity.Verb.MEMBER_LEFT, "carol", IN_THE_COMMUNITY),
    (banned, Activity.Verb.MEMBER_LEFT, "carol", IN_THE_COMMUNITY),
    (create_a_community, Activity.Verb.COMMUNITY_CREATED, "alice", NEW_COMMUNITY),
    (publish_a_post, Activity.Verb.POST_CREATED, "carol", IN_THE_COMMUNITY),
    (badge_given, Activity.Verb.BADGE_EARNED, "carol", NOWHERE),
    (visit, Activity.Verb.VISITED, "carol", NOWHERE),
]


def _new_rows(before: int, verb: str):
    return list(Activity.objects.filter(pk__gt=before, verb=verb).order_by("pk"))


@pytest.mark.parametrize(
    ("scenario", "verb", "actor", "where"),
    SUBJECT_TABLE,
    ids=[f"{row[0].__name__}-{row[1]}" for row in SUBJECT_TABLE],
)
def test_each_verb_records_its_subject_and_community(world, scenario, verb, actor, where):
    before = Activity.objects.order_by("pk").last().pk
    subject = scenario(world)
    rows = _new_rows(before, verb)
    community = {
        IN_THE_COMMUNITY: world.community,
        NOWHERE: None,
        NEW_COMMUNITY: rows[-1].community if rows else None,
    }[where]
    assert [(row.actor, row.subject, row.community) for row in rows][-1:] == [
        (world[actor], subject, community)
    ]
    if where == NEW_COMMUNITY:
        assert community is not None and community != world.community
    assert all(row.subject_id != row.actor_id for row in rows)


def test_kudos_record_one_row_per_recipient_in_the_community_shared_in(world):
    kudos = kudos_give(
        giver=world.bob,
        recipients=[world.alice, world.carol],
        value="helpful",
        message="Thanks",
        community=world.community,
    )
    rows = Activity.objects.filter(verb=Activity.Verb.KUDOS_GIVEN)
    assert sorted((r.actor, r.subject.pk, r.community, r.object_id) for r in rows) == sorted(
        [
            (world.bob, world.alice.pk, world.community, kudos.pk),
            (world.bob, world.carol.pk, world.community, kudos.pk),
        ]
    )


def test_kudos_not_shared_anywhere_have_no_community(world):
    kudos_give(giver=world.bob, recipients=[world.alice], value="helpful", message="Thanks")
    [row] = Activity.objects.filter(verb=Activity.Verb.KUDOS_GIVEN)
    assert (row.actor, row.subject, row.community) == (world.bob, world.alice, None)


def test_given_and_received_are_counted_from_the_log_alone(world):
    """The rollups' questions, answered by actor / subject without the content tables."""
    answer_accepted_by_the_asker(world)
    reaction_to_a_post(world)
    kudos_give(giver=world.bob, recipients=[world.alice], value="helpful", message="Thanks")

    def count(verb, **who):
        return Activity.objects.filter(verb=verb, community=world.community, **who).count()

    assert count(Activity.Verb.ANSWER_ACCEPTED, actor=world.bob) == 1  # given
    assert count(Activity.Verb.ANSWER_ACCEPTED, subject=world.alice) == 1  # received
    assert count(Activity.Verb.REACTION_CREATED, actor=world.bob, subject=world.alice) == 1
    # Replies alice received: bob's comment on her post and his answer to her question.
    assert count(Activity.Verb.COMMENT_CREATED, subject=world.alice) == 2
    assert count(Activity.Verb.COMMENT_CREATED, subject=world.bob) == 0
    kudos = Activity.objects.filter(verb=Activity.Verb.KUDOS_GIVEN, subject=world.alice)
    assert list(kudos.values_list("actor", flat=True)) == [world.bob.pk]


def test_a_deleted_subject_leaves_the_activity_without_one(world):
    dave = UserFactory()
    kudos_give(giver=world.bob, recipients=[dave], value="helpful", message="Thanks")
    dave.delete()
    row = Activity.objects.get(verb=Activity.Verb.KUDOS_GIVEN)
    assert (row.actor, row.subject) == (world.bob, None)
