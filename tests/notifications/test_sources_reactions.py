"""Who hears of a reaction and of an accepted answer: the content's author only."""

import pytest
from django.db import transaction

from communities.models import Community, Membership, NotificationLevel, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.reactions import reaction_toggle
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from notifications.rendering import notification_text
from notifications.services.subscriptions import thread_mute
from tests.factories import make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def rows(kind) -> list[tuple]:
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("id")
        .values_list("recipient_id", "actor_id", "post_id", "comment_id", "group_key", "data")
    )


@pytest.fixture
def content():
    """A post by ``author`` with a comment by ``commenter`` in a public community."""
    community = make_community()
    author, commenter = make_member(community), make_member(community)
    post = make_post(community, author=author, kind=Post.Kind.QUESTION, title="Roadmap?")
    comment = comment_create(author=commenter, post=post, body="Next quarter.")
    Notification.objects.all().delete()  # what the post and the comment said
    return community, author, commenter, post, comment


def test_a_reaction_to_a_post_notifies_its_author(content):
    community, author, _commenter, post, _comment = content
    fan = make_member(community)

    assert reaction_toggle(user=fan, kind="like", post=post) is True

    assert rows(Kind.REACTION) == [
        (author.pk, fan.pk, post.pk, None, f"reaction:post:{post.pk}", {"target": "post"})
    ]
    assert Notification.objects.get().community_id == community.pk
    assert Notification.objects.get().delivery == Delivery.IN_APP


def test_a_reaction_to_a_comment_notifies_the_comment_author(content):
    community, _author, commenter, post, comment = content
    fan = make_member(community)

    reaction_toggle(user=fan, kind="insightful", comment=comment)

    assert rows(Kind.REACTION) == [
        (
            commenter.pk,
            fan.pk,
            post.pk,
            comment.pk,
            f"reaction:comment:{comment.pk}",
            {"target": "comment"},
        )
    ]


def test_removing_a_reaction_or_reacting_to_ones_own_content_notifies_nobody(content):
    community, author, _commenter, post, _comment = content
    fan = make_member(community)
    reaction_toggle(user=fan, kind="like", post=post)

    assert reaction_toggle(user=fan, kind="like", post=post) is False  # removed
    reaction_toggle(user=author, kind="like", post=post)  # own post

    assert Notification.objects.count() == 1
    assert Notification.objects.get().actor_count == 1


def test_two_people_reacting_make_one_notification_of_two_people(content):
    community, author, _commenter, post, _comment = content
    alice, bob = make_member(community), make_member(community)

    reaction_toggle(user=alice, kind="like", post=post)
    reaction_toggle(user=bob, kind="celebrate", post=post)
    reaction_toggle(user=alice, kind="celebrate", post=post)  # still two people

    row = Notification.objects.select_related("actor", "post", "community").get()
    assert (row.recipient_id, row.actor_id, row.actor_count) == (author.pk, alice.pk, 2)
    assert notification_text(row) == f"{alice} and 1 other reacted to your post “Roadmap?”"


def test_a_muted_community_or_thread_and_a_preference_off_silence_reactions(content):
    community, author, commenter, post, comment = content
    fan = make_member(community)
    Membership.objects.filter(community=community, user=author).update(
        notification_level=NotificationLevel.MUTED
    )
    thread_mute(user=commenter, post=post)
    other = make_member(community)
    other_post = make_post(community, author=other)
    NotificationPreference.objects.create(user=other, kind=Kind.REACTION, delivery=Delivery.OFF)

    reaction_toggle(user=fan, kind="like", post=post)
    reaction_toggle(user=fan, kind="like", comment=comment)
    reaction_toggle(user=fan, kind="like", post=other_post)

    assert not Notification.objects.filter(kind=Kind.REACTION).exists()


def test_a_banned_author_hears_nothing_of_reactions(content):
    community, author, _commenter, post, _comment = content
    Membership.objects.filter(community=community, user=author).update(
        status=Membership.Status.BANNED
    )

    reaction_toggle(user=make_member(community), kind="like", post=post)

    assert not Notification.objects.exists()


def test_a_rolled_back_reaction_notifies_nobody(content):
    community, _author, _commenter, post, _comment = content

    with pytest.raises(RuntimeError), transaction.atomic():
        reaction_toggle(user=make_member(community), kind="like", post=post)
        raise RuntimeError

    assert not Notification.objects.exists()


def test_an_accepted_answer_notifies_its_author_from_whoever_accepted(content):
    community, author, commenter, post, comment = content

    answer_accept(actor=author, post=post, comment=comment)

    assert rows(Kind.ANSWER_ACCEPTED) == [(commenter.pk, author.pk, post.pk, comment.pk, None, {})]
    assert Notification.objects.get().community_id == community.pk


def test_an_answer_accepted_by_a_moderator_names_the_moderator(content):
    community, _author, commenter, post, comment = content
    moderator = make_member(community, role=Membership.Role.MODERATOR)

    answer_accept(actor=moderator, post=post, comment=comment)

    assert rows(Kind.ANSWER_ACCEPTED) == [
        (commenter.pk, moderator.pk, post.pk, comment.pk, None, {})
    ]


def test_accepting_ones_own_answer_or_the_same_answer_twice_notifies_nobody_more(content):
    _community, author, _commenter, post, comment = content
    own = comment_create(author=author, post=post, body="Found it myself.")

    answer_accept(actor=author, post=post, comment=own)
    assert not Notification.objects.filter(kind=Kind.ANSWER_ACCEPTED).exists()

    answer_accept(actor=author, post=post, comment=comment)
    answer_accept(actor=author, post=post, comment=comment)  # already accepted
    assert Notification.objects.filter(kind=Kind.ANSWER_ACCEPTED).count() == 1


def test_an_answer_in_a_secret_community_is_not_told_to_a_former_member():
    community = make_community(visibility=Community.Visibility.SECRET)
    asker, answerer = make_member(community), make_member(community)
    post = make_post(community, author=asker, kind=Post.Kind.QUESTION)
    comment = comment_create(author=answerer, post=post, body="Here.")
    Membership.objects.filter(community=community, user=answerer).update(
        status=Membership.Status.LEFT
    )

    answer_accept(actor=asker, post=post, comment=comment)

    assert not Notification.objects.filter(kind=Kind.ANSWER_ACCEPTED).exists()
