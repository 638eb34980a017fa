"""Who hears of a moderator hiding or restoring content: its author, once per change."""

import pytest
from django.db import transaction

from communities.models import Community, Flag, Membership, NotificationLevel
from communities.services.comments import comment_create, comment_hide, comment_restore
from communities.services.moderation import flag_create, flag_resolve
from communities.services.posts import post_hide, post_restore
from notifications.models import Kind, Notification
from notifications.services.subscriptions import thread_mute
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def rows() -> list[tuple]:
    return list(
        Notification.objects.filter(kind=Kind.MODERATION)
        .order_by("id")
        .values_list("recipient_id", "actor_id", "community_id", "post_id", "comment_id", "data")
    )


@pytest.fixture
def cast():
    owner = UserFactory()
    community = make_community(owner=owner)
    moderator = make_member(community, role=Membership.Role.MODERATOR)
    author, commenter, reader = (make_member(community) for _ in range(3))
    post = make_post(community, author=author)
    comment = comment_create(author=commenter, post=post, body="Off topic")
    return community, moderator, author, commenter, reader, post, comment


def test_hiding_and_restoring_a_post_tells_its_author_each_time(cast):
    community, moderator, author, _commenter, reader, post, _comment = cast

    post_hide(actor=moderator, post=post)
    post_hide(actor=moderator, post=post)  # already hidden: nothing new
    post_restore(actor=moderator, post=post)

    assert rows() == [
        (
            author.pk,
            moderator.pk,
            community.pk,
            post.pk,
            None,
            {"action": "hidden", "target": "post"},
        ),
        (
            author.pk,
            moderator.pk,
            community.pk,
            post.pk,
            None,
            {"action": "restored", "target": "post"},
        ),
    ]
    assert not Notification.objects.filter(recipient__in=[moderator, reader]).exists()


def test_hiding_and_restoring_a_comment_through_reports_tells_its_author(cast):
    community, moderator, author, commenter, reader, post, comment = cast
    flag = flag_create(reporter=reader, reason=Flag.Reason.OFF_TOPIC, comment=comment)

    flag_resolve(actor=moderator, flag=flag, action="hide")
    flag_resolve(actor=moderator, flag=flag, action="restore")
    flag_resolve(actor=moderator, flag=flag, action="dismiss")  # nothing changes

    assert rows() == [
        (
            commenter.pk,
            moderator.pk,
            community.pk,
            post.pk,
            comment.pk,
            {"action": "hidden", "target": "comment"},
        ),
        (
            commenter.pk,
            moderator.pk,
            community.pk,
            post.pk,
            comment.pk,
            {"action": "restored", "target": "comment"},
        ),
    ]
    assert not Notification.objects.filter(recipient__in=[author, reader]).exists()


def test_a_moderator_acting_on_their_own_content_is_not_notified(cast):
    _community, moderator, _author, _commenter, _reader, post, _comment = cast
    own = comment_create(author=moderator, post=post, body="Oops, wrong thread")

    comment_hide(actor=moderator, comment=own)
    comment_restore(actor=moderator, comment=own)

    assert rows() == []


def test_an_author_who_muted_the_community_and_the_thread_still_hears(cast):
    community, moderator, author, _commenter, _reader, post, _comment = cast
    Membership.objects.filter(community=community, user=author).update(
        notification_level=NotificationLevel.MUTED
    )
    thread_mute(user=author, post=post)

    post_hide(actor=moderator, post=post)

    assert [r[0] for r in rows()] == [author.pk]


def test_an_author_no_longer_in_a_secret_community_hears_nothing():
    owner = UserFactory()
    community = make_community(owner=owner, visibility=Community.Visibility.SECRET)
    author = make_member(community)
    post = make_post(community, author=author)
    Membership.objects.filter(community=community, user=author).update(
        status=Membership.Status.LEFT
    )

    post_hide(actor=owner, post=post)

    assert rows() == []


def test_a_rolled_back_hide_notifies_nobody(cast):
    _community, moderator, _author, _commenter, _reader, post, _comment = cast

    with pytest.raises(RuntimeError), transaction.atomic():
        post_hide(actor=moderator, post=post)
        raise RuntimeError

    assert rows() == []
