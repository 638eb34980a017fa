"""Who hears of a new comment: mentions, replies, thread followers, each person once."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communities.models import Community, Membership, NotificationLevel
from communities.services.comments import comment_create
from notifications.events import user_group
from notifications.models import (
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
    ThreadSubscription,
)
from notifications.services.sources import comment_created_fan_out
from notifications.services.subscriptions import thread_follow, thread_mute
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.live import Listener

pytestmark = pytest.mark.django_db


def handle(user) -> str:
    return "@" + user.email.split("@", 1)[0]


def comment(capture, author, post, body="I agree.", parent=None):
    with capture(execute=True):
        return comment_create(author=author, post=post, body=body, parent=parent)


def about(comment_) -> set[tuple]:
    """(recipient, kind, actor) of the notifications whose latest comment is ``comment_``."""
    return set(
        Notification.objects.filter(comment=comment_).values_list(
            "recipient_id", "kind", "actor_id"
        )
    )


@pytest.fixture
def thread(django_capture_on_commit_callbacks):
    """A public community with a post by ``asker`` (who follows it as its author)."""
    community = make_community()
    asker = make_member(community)
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(community, author=asker, title="Which laptop?")
    return community, asker, post


def test_a_comment_replies_to_the_post_author_and_the_commenter_follows(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    bystander = make_member(community)
    commenter = make_member(community)

    first = comment(django_capture_on_commit_callbacks, commenter, post)

    row = Notification.objects.get(comment=first)
    assert (row.recipient_id, row.kind, row.actor_id) == (asker.pk, Kind.REPLY, commenter.pk)
    assert (row.community_id, row.post_id, row.group_key) == (
        community.pk,
        post.pk,
        f"reply:{post.pk}",
    )
    assert ThreadSubscription.objects.get(user=commenter, post=post).state == "following"
    assert not Notification.objects.filter(recipient__in=[bystander, commenter]).exists()


def test_each_person_hears_once_of_a_reply_the_most_direct_way(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    first_author, follower, mentioned, replier = (make_member(community) for _ in range(4))
    top = comment(django_capture_on_commit_callbacks, first_author, post)
    thread_follow(user=follower, post=post)
    Notification.objects.all().delete()

    reply = comment(
        django_capture_on_commit_callbacks,
        replier,
        post,
        body=f"{handle(mentioned)} and {handle(asker)}, look.",
        parent=top,
    )

    assert about(reply) == {
        (mentioned.pk, Kind.MENTION, replier.pk),
        (asker.pk, Kind.MENTION, replier.pk),  # mentioned: not also "replied"
        (first_author.pk, Kind.REPLY, replier.pk),  # the comment replied to
        (follower.pk, Kind.THREAD_COMMENT, replier.pk),
    }
    assert Notification.objects.count() == 4
    thread_row = Notification.objects.get(kind=Kind.THREAD_COMMENT)
    assert thread_row.group_key == f"thread:{post.pk}"


def test_a_reply_to_a_reply_notifies_the_top_level_comment_author(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    top_author, second, third = (make_member(community) for _ in range(3))
    top = comment(django_capture_on_commit_callbacks, top_author, post)
    nested = comment(django_capture_on_commit_callbacks, second, post, parent=top)
    Notification.objects.all().delete()

    last = comment(django_capture_on_commit_callbacks, third, post, parent=nested)

    assert about(last) == {
        (asker.pk, Kind.REPLY, third.pk),
        (top_author.pk, Kind.REPLY, third.pk),
        (second.pk, Kind.THREAD_COMMENT, third.pk),  # follows as a commenter
    }


def test_commenting_on_ones_own_post_notifies_the_others_only(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    follower = make_member(community)
    thread_follow(user=follower, post=post)

    own = comment(django_capture_on_commit_callbacks, asker, post, body=f"Me: {handle(asker)}")

    assert about(own) == {(follower.pk, Kind.THREAD_COMMENT, asker.pk)}


def test_replies_and_thread_comments_group_per_post(thread, django_capture_on_commit_callbacks):
    community, asker, post = thread
    alice, bob = make_member(community), make_member(community)

    comment(django_capture_on_commit_callbacks, alice, post)
    latest = comment(django_capture_on_commit_callbacks, bob, post)

    row = Notification.objects.exclude(kind=Kind.BADGE).get(recipient=asker)
    assert (row.kind, row.actor_id, row.actor_count, row.comment_id) == (
        Kind.REPLY,
        bob.pk,
        2,
        latest.pk,
    )
    alice_row = Notification.objects.get(recipient=alice)  # alice follows since her comment
    assert (alice_row.kind, alice_row.comment_id) == (Kind.THREAD_COMMENT, latest.pk)


def test_a_muted_thread_silences_everything_but_mentions(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    commenter = make_member(community)
    thread_mute(user=asker, post=post)

    quiet = comment(django_capture_on_commit_callbacks, commenter, post)
    addressed = comment(django_capture_on_commit_callbacks, commenter, post, body=handle(asker))

    assert about(quiet) == set()
    assert about(addressed) == {(asker.pk, Kind.MENTION, commenter.pk)}


def test_a_muted_community_silences_everything_but_mentions(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    commenter = make_member(community)
    Membership.objects.filter(community=community, user=asker).update(
        notification_level=NotificationLevel.MUTED
    )

    quiet = comment(django_capture_on_commit_callbacks, commenter, post)
    addressed = comment(django_capture_on_commit_callbacks, commenter, post, body=handle(asker))

    assert about(quiet) == set()
    assert about(addressed) == {(asker.pk, Kind.MENTION, commenter.pk)}


def test_a_level_mentions_still_hears_replies(thread, django_capture_on_commit_callbacks):
    community, asker, post = thread
    Membership.objects.filter(community=community, user=asker).update(
        notification_level=NotificationLevel.MENTIONS
    )
    commenter = make_member(community)

    reply = comment(django_capture_on_commit_callbacks, commenter, post)

    assert about(reply) == {(asker.pk, Kind.REPLY, commenter.pk)}


def test_preferences_off_stop_replies_and_thread_comments(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    follower, commenter = make_member(community), make_member(community)
    thread_follow(user=follower, post=post)
    NotificationPreference.objects.create(user=asker, kind=Kind.REPLY, delivery=Delivery.OFF)
    NotificationPreference.objects.create(
        user=follower, kind=Kind.THREAD_COMMENT, delivery=Delivery.OFF
    )

    quiet = comment(django_capture_on_commit_callbacks, commenter, post)

    assert about(quiet) == set()


@pytest.mark.parametrize("visibility", [Community.Visibility.PRIVATE, Community.Visibility.SECRET])
def test_outsiders_and_banned_members_hear_nothing_of_a_closed_community(
    visibility, django_capture_on_commit_callbacks
):
    community = make_community(visibility=visibility)
    asker, member, banned = (make_member(community) for _ in range(3))
    outsider = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(community, author=asker)
    thread_follow(user=banned, post=post)  # followed before the ban
    Membership.objects.filter(community=community, user=banned).update(
        status=Membership.Status.BANNED
    )

    new = comment(
        django_capture_on_commit_callbacks,
        member,
        post,
        body=f"{handle(outsider)} {handle(banned)} {handle(asker)}",
    )

    assert about(new) == {(asker.pk, Kind.MENTION, member.pk)}
    assert not Notification.objects.filter(recipient__in=[outsider, banned]).exists()


def test_a_banned_follower_of_a_public_thread_hears_nothing(
    thread, django_capture_on_commit_callbacks
):
    community, asker, post = thread
    banned, commenter = make_member(community), make_member(community)
    thread_follow(user=banned, post=post)
    Membership.objects.filter(community=community, user=banned).update(
        status=Membership.Status.BANNED
    )

    new = comment(django_capture_on_commit_callbacks, commenter, post, body=handle(banned))

    assert about(new) == {(asker.pk, Kind.REPLY, commenter.pk)}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_comment_notifies_nobody_and_follows_nothing():
    community = make_community()
    asker, commenter = make_member(community), make_member(community)
    post = make_post(community, author=asker)
    listener = Listener(user_group(asker.pk))

    with pytest.raises(RuntimeError), transaction.atomic():
        comment_create(author=commenter, post=post, body=f"Hi {handle(asker)}")
        raise RuntimeError

    assert not Notification.objects.filter(recipient=asker).exclude(kind=Kind.BADGE).exists()
    assert not ThreadSubscription.objects.filter(user=commenter).exists()
    assert listener.events() == []


def test_a_comment_hidden_before_the_fan_out_notifies_nobody(
    thread, django_capture_on_commit_callbacks
):
    community, _asker, post = thread
    with django_capture_on_commit_callbacks():
        hidden = comment_create(author=make_member(community), post=post, body="Spam")
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])

    assert comment_created_fan_out(comment_id=hidden.pk) == []
    assert about(hidden) == set()


def fan_out_of_a_comment(capture, *, followers) -> tuple[int, int]:
    """A comment mentioning one of the ``followers`` of a thread: the queries of its
    fan-out and how many people it notified."""
    community = make_community()
    asker = make_member(community)
    post = make_post(community, author=asker)
    users = UserFactory.create_batch(followers)
    Membership.objects.bulk_create(Membership(community=community, user=u) for u in users)
    ThreadSubscription.objects.bulk_create(
        ThreadSubscription(user=u, post=post, state="following") for u in users
    )
    with capture():  # the fan-out is run below, counted
        new = comment_create(
            author=make_member(community), post=post, body=f"{handle(users[0])}: see this"
        )
    with capture(execute=True), CaptureQueriesContext(connection) as queries:
        notified = comment_created_fan_out(comment_id=new.pk)
    assert set(Notification.objects.filter(comment=new).values_list("kind", flat=True)) == {
        Kind.MENTION,
        Kind.REPLY,
        Kind.THREAD_COMMENT,
    }
    return len(queries), len(notified)


def test_the_comment_fan_out_query_count_does_not_grow_with_followers(
    django_capture_on_commit_callbacks,
):
    small_queries, small = fan_out_of_a_comment(django_capture_on_commit_callbacks, followers=5)
    large_queries, large = fan_out_of_a_comment(django_capture_on_commit_callbacks, followers=200)

    assert (small, large) == (5 + 1, 200 + 1)  # the followers and the asker
    # The comment, then a fixed number per notice (mentions, replies, thread comments).
    assert large_queries == small_queries
