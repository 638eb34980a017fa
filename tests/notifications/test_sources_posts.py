"""Who hears of a new post: mentions, announcements, members at level "all"."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communities.models import Community, Membership, NotificationLevel, Post
from communities.services.posts import post_create, post_update
from notifications.events import community_group, user_group
from notifications.models import (
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
    ThreadSubscription,
)
from notifications.services.sources import post_created_fan_out
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.live import Listener

pytestmark = pytest.mark.django_db


def handle(user) -> str:
    return "@" + user.email.split("@", 1)[0]


def community_at_all(**kwargs) -> Community:
    """A community whose members hear of every new post unless they chose otherwise."""
    community = make_community(**kwargs)
    community.default_notification_level = NotificationLevel.ALL
    community.save(update_fields=["default_notification_level"])
    return community


def member_at(community, level, role=Membership.Role.MEMBER):
    member = make_member(community, role=role)
    Membership.objects.filter(community=community, user=member).update(notification_level=level)
    return member


def received(kind) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def publish(capture, community, author=None, **kwargs) -> Post:
    with capture(execute=True):
        return make_post(community, author=author, **kwargs)


def test_a_post_reaches_the_members_at_level_all_and_nobody_else(
    django_capture_on_commit_callbacks,
):
    community = make_community()  # default level: mentions
    author = community.memberships.get().user
    at_all = member_at(community, NotificationLevel.ALL)
    member_at(community, "")  # keeps the community's default
    member_at(community, NotificationLevel.MENTIONS)
    member_at(community, NotificationLevel.MUTED)
    pending, banned, left = (member_at(community, NotificationLevel.ALL) for _ in range(3))
    Membership.objects.filter(user=pending).update(status=Membership.Status.PENDING)
    Membership.objects.filter(user=banned).update(status=Membership.Status.BANNED)
    Membership.objects.filter(user=left).update(status=Membership.Status.LEFT)
    UserFactory()  # a colleague who never joined

    post = publish(django_capture_on_commit_callbacks, community, author=author)

    row = Notification.objects.get(kind=Kind.COMMUNITY_POST)
    assert (row.recipient_id, row.actor_id, row.community_id, row.post_id) == (
        at_all.pk,
        author.pk,
        community.pk,
        post.pk,
    )
    assert row.group_key is None  # each new post is its own notification
    assert row.delivery == Delivery.EMAIL_DIGEST
    assert not Notification.objects.exclude(kind__in=[Kind.COMMUNITY_POST, Kind.BADGE]).exists()


def test_the_community_default_level_is_honoured(django_capture_on_commit_callbacks):
    community = community_at_all()
    author = community.memberships.get().user
    kept_default = member_at(community, "")
    chose_all = member_at(community, NotificationLevel.ALL)
    member_at(community, NotificationLevel.MENTIONS)
    member_at(community, NotificationLevel.MUTED)

    publish(django_capture_on_commit_callbacks, community, author=author)

    assert received(Kind.COMMUNITY_POST) == {kept_default.pk, chose_all.pk}


def test_the_author_is_never_notified_and_follows_the_thread(django_capture_on_commit_callbacks):
    community = community_at_all()
    author = member_at(community, NotificationLevel.ALL)

    post = publish(
        django_capture_on_commit_callbacks, community, author=author, body=handle(author)
    )

    assert not Notification.objects.filter(recipient=author).exclude(kind=Kind.BADGE).exists()
    assert ThreadSubscription.objects.get(post=post).user_id == author.pk
    assert ThreadSubscription.objects.get(post=post).state == ThreadSubscription.State.FOLLOWING


def test_a_preference_off_stops_new_post_notifications(django_capture_on_commit_callbacks):
    community = community_at_all()
    off, listening = make_member(community), make_member(community)
    NotificationPreference.objects.create(user=off, kind=Kind.COMMUNITY_POST, delivery=Delivery.OFF)

    publish(django_capture_on_commit_callbacks, community)

    assert received(Kind.COMMUNITY_POST) == {listening.pk}


def test_mentioned_members_hear_once_even_when_they_muted_the_community(
    django_capture_on_commit_callbacks,
):
    community = make_community()
    author = community.memberships.get().user
    at_all = member_at(community, NotificationLevel.ALL)
    muted = member_at(community, NotificationLevel.MUTED)
    colleague = UserFactory()  # public community: any colleague may read it
    other_at_all = member_at(community, NotificationLevel.ALL)

    post = publish(
        django_capture_on_commit_callbacks,
        community,
        author=author,
        body=f"Thoughts, {handle(at_all)} {handle(muted)} {handle(colleague)}?",
    )

    mentions = Notification.objects.filter(kind=Kind.MENTION)
    assert {n.recipient_id for n in mentions} == {at_all.pk, muted.pk, colleague.pk}
    assert {(n.actor_id, n.post_id, n.community_id, n.group_key) for n in mentions} == {
        (author.pk, post.pk, community.pk, None)
    }
    # Mentioned: one notification only, the mention.
    assert received(Kind.COMMUNITY_POST) == {other_at_all.pk}


@pytest.mark.parametrize("visibility", [Community.Visibility.PRIVATE, Community.Visibility.SECRET])
def test_a_non_member_mentioned_in_a_closed_community_hears_nothing(
    visibility, django_capture_on_commit_callbacks
):
    community = make_community(visibility=visibility)
    member, outsider = make_member(community), UserFactory()

    publish(
        django_capture_on_commit_callbacks, community, body=f"{handle(member)} {handle(outsider)}"
    )

    assert received(Kind.MENTION) == {member.pk}
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_a_banned_member_hears_nothing(django_capture_on_commit_callbacks):
    community = community_at_all()
    banned = make_member(community)
    Membership.objects.filter(user=banned).update(status=Membership.Status.BANNED)

    publish(django_capture_on_commit_callbacks, community, body=f"Hello {handle(banned)}")

    assert not Notification.objects.filter(recipient=banned).exists()


def test_each_new_post_is_its_own_notification_leading_to_it(
    django_capture_on_commit_callbacks,
):
    community = community_at_all()
    reader = make_member(community)
    alice, bob = make_member(community), make_member(community)

    first = publish(django_capture_on_commit_callbacks, community, author=alice)
    second = publish(django_capture_on_commit_callbacks, community, author=bob)

    rows = Notification.objects.filter(recipient=reader, kind=Kind.COMMUNITY_POST)
    assert sorted((row.post_id, row.actor_id, row.actor_count) for row in rows) == [
        (first.pk, alice.pk, 1),
        (second.pk, bob.pk, 1),
    ]


def test_an_announcement_reaches_every_member_and_is_pushed_to_the_community(
    django_capture_on_commit_callbacks,
):
    community = make_community()
    owner = community.memberships.get().user
    kept_default = member_at(community, "")
    mentions_only = member_at(community, NotificationLevel.MENTIONS)
    at_all = member_at(community, NotificationLevel.ALL)
    member_at(community, NotificationLevel.MUTED)
    mentioned = make_member(community)
    listener = Listener(community_group(community.pk))

    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(
            author=owner,
            community=community,
            title="Office move",
            body=f"We move on Monday. {handle(mentioned)}, you hold the keys.",
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
        )

    announced = Notification.objects.filter(kind=Kind.ANNOUNCEMENT)
    assert {n.recipient_id for n in announced} == {kept_default.pk, mentions_only.pk, at_all.pk}
    assert {(n.actor_id, n.post_id, n.group_key) for n in announced} == {(owner.pk, post.pk, None)}
    assert received(Kind.MENTION) == {mentioned.pk}
    assert not Notification.objects.filter(kind=Kind.COMMUNITY_POST).exists()
    events = [e for e in listener.events() if e["type"] == "announcement.created"]
    assert [e["data"] for e in events] == [
        {"post_id": post.pk, "community_id": community.pk, "requires_acknowledgement": True}
    ]


def test_notifications_wait_for_the_commit(django_capture_on_commit_callbacks):
    community = community_at_all()
    member = make_member(community)

    with django_capture_on_commit_callbacks() as callbacks:
        post = make_post(community)
    assert not Notification.objects.exists()  # nothing before the commit

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert Notification.objects.get(kind=Kind.COMMUNITY_POST).recipient_id == member.pk
    assert Notification.objects.get(kind=Kind.COMMUNITY_POST).post_id == post.pk


def test_a_post_hidden_before_the_fan_out_notifies_nobody(django_capture_on_commit_callbacks):
    community = community_at_all()
    make_member(community)
    with django_capture_on_commit_callbacks() as callbacks:
        post = make_post(community)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)

    assert post_created_fan_out(post_id=post.pk) == []
    assert callbacks  # the fan-out was queued, and found nothing to say


@pytest.mark.django_db(transaction=True)
def test_a_committed_post_notifies_and_a_rolled_back_one_sends_nothing():
    community = community_at_all()
    author = community.memberships.get().user
    member = make_member(community)
    listener = Listener(user_group(member.pk))

    with pytest.raises(RuntimeError), transaction.atomic():
        post_create(author=author, community=community, title="Draft", body=handle(member))
        raise RuntimeError

    assert not Notification.objects.filter(recipient=member).exists()
    assert not ThreadSubscription.objects.exists()

    post = post_create(author=author, community=community, title="Sent", body=handle(member))

    assert received(Kind.MENTION) == {member.pk}
    assert Notification.objects.get(recipient=member).post_id == post.pk
    # One event in all: the committed post's (the rolled-back one sent nothing).
    events = listener.events()
    assert [(e["type"], e["data"]["post_id"]) for e in events] == [
        ("notification.created", post.pk)
    ]


def test_an_edit_notifies_the_newly_mentioned_only(django_capture_on_commit_callbacks):
    community = make_community()
    author = community.memberships.get().user
    alice, bob = make_member(community), make_member(community)
    post = publish(django_capture_on_commit_callbacks, community, author=author, body=handle(alice))

    with django_capture_on_commit_callbacks(execute=True):
        post_update(actor=author, post=post, body=f"{handle(alice)} and {handle(bob)}")
    with django_capture_on_commit_callbacks(execute=True):
        post_update(actor=author, post=post, title="Same mentions, new title")

    mentions = Notification.objects.filter(kind=Kind.MENTION).order_by("id")
    assert [(n.recipient_id, n.actor_id, n.post_id) for n in mentions] == [
        (alice.pk, author.pk, post.pk),
        (bob.pk, author.pk, post.pk),
    ]


def fan_out_of_a_post(capture, *, kind, size) -> tuple[int, int]:
    """A post mentioning two of the ``size`` members of a community at level "all":
    the queries of its fan-out and how many people it notified."""
    community = community_at_all()
    owner = community.memberships.get().user
    users = UserFactory.create_batch(size)
    Membership.objects.bulk_create(Membership(community=community, user=u) for u in users)
    with capture():  # the fan-out is run below, counted
        post = post_create(
            author=owner,
            community=community,
            title="Hello",
            body=f"{handle(users[0])} {handle(users[1])}",
            kind=kind,
        )
    with capture(execute=True), CaptureQueriesContext(connection) as queries:
        notified = post_created_fan_out(post_id=post.pk)
    assert Notification.objects.filter(kind=Kind.MENTION, post=post).count() == 2
    # Savepoints are the test's own transaction; a worker runs the task in a transaction.
    statements = [q["sql"] for q in queries.captured_queries]
    return len([sql for sql in statements if "SAVEPOINT" not in sql]), len(notified)


@pytest.mark.parametrize("kind", [Post.Kind.DISCUSSION, Post.Kind.ANNOUNCEMENT])
def test_the_fan_out_query_count_does_not_grow_with_the_community(
    kind, django_capture_on_commit_callbacks
):
    small_queries, small = fan_out_of_a_post(django_capture_on_commit_callbacks, kind=kind, size=10)
    large_queries, large = fan_out_of_a_post(
        django_capture_on_commit_callbacks, kind=kind, size=300
    )

    assert (small, large) == (10, 300)
    # The post, then a fixed number per notice (mentions; announcement or new post),
    # within the bound.
    assert large_queries == small_queries
    assert large_queries <= 6


def test_managers_set_the_default_level_in_the_admin_and_bad_values_are_refused(client):
    from communities.services.communities import community_update
    from config.errors import ValidationError

    community = make_community()
    owner = community.memberships.get().user

    community_update(actor=owner, community=community, default_notification_level="all")
    community.refresh_from_db()
    assert community.default_notification_level == NotificationLevel.ALL

    with pytest.raises(ValidationError) as refused:
        community_update(actor=owner, community=community, default_notification_level="loud")
    assert "default_notification_level" in refused.value.field_errors

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/communities/community/{community.pk}/change/")
    assert page.status_code == 200
    assert b'name="default_notification_level"' in page.content
