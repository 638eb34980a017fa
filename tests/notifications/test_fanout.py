"""The set-based fan-out: who is notified, grouping, and a query count that does not grow."""

import pytest
from django.db import connection, transaction

from communities.models import Community, Membership, NotificationLevel
from notifications.events import user_group
from notifications.models import (
    Delivery,
    Kind,
    Notification,
    NotificationActor,
    NotificationPreference,
    ThreadSubscription,
)
from notifications.services.fanout import Notice, notify
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.live import Listener

pytestmark = pytest.mark.django_db


def _members(community, count):
    return [make_member(community) for _ in range(count)]


def _post_notice(post, **kwargs):
    return Notice(
        kind=Kind.COMMUNITY_POST,
        actor_id=post.author_id,
        community_id=post.community_id,
        post_id=post.pk,
        **kwargs,
    )


def test_every_member_but_the_actor_is_notified_with_their_delivery():
    community = make_community()
    author = community.memberships.get().user
    members = _members(community, 3)
    NotificationPreference.objects.create(
        user=members[0], kind=Kind.COMMUNITY_POST, delivery=Delivery.IN_APP
    )
    post = make_post(community, author=author)

    notified = notify(notice=_post_notice(post), candidates=community.memberships.values("user_id"))

    assert sorted(notified) == sorted(member.pk for member in members)
    rows = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(rows) == {member.pk for member in members}
    assert rows[members[0].pk].delivery == Delivery.IN_APP
    assert rows[members[1].pk].delivery == Delivery.EMAIL_DIGEST  # the kind's default
    assert rows[members[1].pk].actor_id == author.pk
    assert rows[members[1].pk].post_id == post.pk


def test_members_who_turned_the_kind_off_muted_the_community_or_the_thread_hear_nothing():
    community = make_community()
    post = make_post(community)
    off, community_muted, thread_muted, listening = _members(community, 4)
    NotificationPreference.objects.create(user=off, kind=Kind.COMMUNITY_POST, delivery="off")
    Membership.objects.filter(user=community_muted).update(
        notification_level=NotificationLevel.MUTED
    )
    ThreadSubscription.objects.create(user=thread_muted, post=post, state="muted")

    notified = notify(notice=_post_notice(post), candidates=community.memberships.values("user_id"))

    assert notified == [listening.pk]


def test_a_mention_reaches_a_member_who_muted_the_community():
    community = make_community()
    post = make_post(community)
    muted = make_member(community)
    Membership.objects.filter(user=muted).update(notification_level=NotificationLevel.MUTED)
    notice = Notice(
        kind=Kind.MENTION, actor_id=post.author_id, community_id=community.pk, post_id=post.pk
    )

    assert notify(notice=notice, candidates=[muted.pk]) == [muted.pk]


@pytest.mark.parametrize("visibility", [Community.Visibility.PRIVATE, Community.Visibility.SECRET])
def test_nobody_hears_of_content_they_cannot_read(visibility):
    community = make_community(visibility=visibility)
    post = make_post(community)
    member = make_member(community)
    outsider, banned, pending = UserFactory(), UserFactory(), UserFactory()
    make_member(community, banned)
    Membership.objects.filter(user=banned).update(status="banned")
    make_member(community, pending)
    Membership.objects.filter(user=pending).update(status="pending")
    notice = Notice(
        kind=Kind.MENTION, actor_id=post.author_id, community_id=community.pk, post_id=post.pk
    )

    notified = notify(notice=notice, candidates=[member.pk, outsider.pk, banned.pk, pending.pk])

    assert notified == [member.pk]


def test_a_public_community_notifies_readers_but_not_its_banned_members():
    community = make_community()
    post = make_post(community)
    colleague, banned = UserFactory(), UserFactory()
    make_member(community, banned)
    Membership.objects.filter(user=banned).update(status=Membership.Status.BANNED)
    notice = Notice(
        kind=Kind.MENTION, actor_id=post.author_id, community_id=community.pk, post_id=post.pk
    )

    assert notify(notice=notice, candidates=[colleague.pk, banned.pk]) == [colleague.pk]


def test_inactive_accounts_and_the_actor_are_never_notified():
    community = make_community()
    post = make_post(community)
    gone = make_member(community)
    gone.is_active = False
    gone.save()

    notified = notify(notice=_post_notice(post), candidates=[gone.pk, post.author_id])

    assert notified == []
    assert not Notification.objects.exists()


def test_unread_notifications_of_one_group_merge_and_count_distinct_people():
    community = make_community()
    author = community.memberships.get().user
    post = make_post(community, author=author)
    alice, bob = _members(community, 2)

    def react(actor):
        notify(
            notice=Notice(
                kind=Kind.REACTION,
                actor_id=actor.pk,
                community_id=community.pk,
                post_id=post.pk,
                group_key=f"reaction:post:{post.pk}",
            ),
            candidates=[author.pk],
        )

    react(alice)
    react(bob)
    react(alice)  # a second reaction from Alice is still two people

    row = Notification.objects.get()
    assert row.actor_count == 2
    assert row.actor_id == alice.pk
    assert set(NotificationActor.objects.values_list("user_id", flat=True)) == {alice.pk, bob.pk}

    row.read_at = row.updated_at
    row.save()
    react(bob)  # once read, a new row starts
    assert Notification.objects.count() == 2
    assert Notification.objects.get(read_at__isnull=True).actor_count == 1


def test_an_emailed_notification_takes_no_new_people():
    community = make_community()
    author = community.memberships.get().user
    post = make_post(community, author=author)
    alice, bob = _members(community, 2)
    notice = Notice(
        kind=Kind.REACTION,
        actor_id=alice.pk,
        community_id=community.pk,
        post_id=post.pk,
        group_key="reaction:post",
    )
    notify(notice=notice, candidates=[author.pk])
    Notification.objects.update(emailed_at=Notification.objects.get().created_at)

    notify(notice=Notice(**{**notice.__dict__, "actor_id": bob.pk}), candidates=[author.pk])

    assert list(Notification.objects.order_by("id").values_list("actor_id", flat=True)) == [
        alice.pk,
        bob.pk,
    ]


def test_recipients_receive_the_notification_and_their_unread_count_after_commit(
    django_capture_on_commit_callbacks,
):
    community = make_community()
    post = make_post(community)
    member = make_member(community)
    listener = Listener(user_group(member.pk))

    with django_capture_on_commit_callbacks(execute=True):
        notify(notice=_post_notice(post), candidates=[member.pk])

    [event] = listener.events()
    assert event["type"] == "notification.created"
    assert event["data"]["kind"] == "community_post"
    assert event["data"]["new"] is True
    assert event["data"]["notification_id"] == Notification.objects.get().pk


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_notifies_and_sends_nothing():
    community = make_community()
    post = make_post(community)
    member = make_member(community)
    listener = Listener(user_group(member.pk))

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(notice=_post_notice(post), candidates=[member.pk])
        raise RuntimeError

    assert not Notification.objects.filter(recipient=member).exists()
    assert listener.events() == []


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("grouped", [False, True])
def test_fan_out_query_count_does_not_grow_with_the_community(
    size, grouped, django_assert_num_queries, django_capture_on_commit_callbacks
):
    community = make_community()
    author = community.memberships.get().user
    users = UserFactory.create_batch(size)
    Membership.objects.bulk_create(Membership(community=community, user=u) for u in users)
    post = make_post(community, author=author)
    notice = _post_notice(post, group_key=f"community_post:{community.pk}" if grouped else None)

    # The insert with its stored live events (one statement on PostgreSQL, two on
    # SQLite), + the people behind each row when grouped; the push is not a query.
    expected = (1 if connection.vendor == "postgresql" else 2) + (1 if grouped else 0)
    with (
        django_capture_on_commit_callbacks(execute=True),
        django_assert_num_queries(expected),
    ):
        notified = notify(notice=notice, candidates=community.memberships.values("user_id"))

    assert len(notified) == size
    assert Notification.objects.count() == size


def test_a_merge_into_an_unread_row_does_not_grow_the_unread_count(
    django_capture_on_commit_callbacks,
):
    community = make_community()
    author = community.memberships.get().user
    post = make_post(community, author=author)
    alice, bob = _members(community, 2)
    listener = Listener(user_group(author.pk))

    for actor in (alice, bob):
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                notice=Notice(
                    kind=Kind.REACTION,
                    actor_id=actor.pk,
                    community_id=community.pk,
                    post_id=post.pk,
                    group_key=f"reaction:post:{post.pk}",
                ),
                candidates=[author.pk],
            )

    first, second = listener.events()
    assert first["data"]["new"] is True
    assert second["data"]["new"] is False
    assert first["data"]["notification_id"] == second["data"]["notification_id"]
