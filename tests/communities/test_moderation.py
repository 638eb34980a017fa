"""Reports and the moderation queue: flag, hide, restore, dismiss, ban suggestion."""

import pytest
from django.db import transaction
from django.test import override_settings

from communities.models import Flag, Post
from communities.selectors.posts import moderation_queue
from communities.services.comments import comment_create
from communities.services.moderation import flag_create, flag_resolve
from communities.services.posts import post_create, post_hide
from config.errors import Conflict, NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    activities,
    make_cast,
)
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db
OK = None

FLAG_TABLE = [
    ("member", PUBLIC, OK),
    ("member", SECRET, OK),
    ("moderator", PRIVATE, OK),
    ("outsider", PUBLIC, OK),
    ("outsider", PRIVATE, NotFound),
    ("outsider", SECRET, NotFound),
    ("banned", PRIVATE, NotFound),
    ("author", PUBLIC, ValidationError),
]


@pytest.mark.parametrize("role, visibility, expected", FLAG_TABLE)
def test_who_may_report_a_post(role, visibility, expected):
    cast = make_cast(visibility)
    if expected is OK:
        flag = flag_create(reporter=cast[role], reason="spam", post=cast.post, details="Ad")
        assert (flag.status, flag.community, flag.post) == ("open", cast.community, cast.post)
        log = activities(Activity.Verb.CONTENT_FLAGGED, actor=cast[role])
        assert [(a.object_type, a.object_id) for a in log] == [("post", cast.post.pk)]
    else:
        with pytest.raises(expected):
            flag_create(reporter=cast[role], reason="spam", post=cast.post)
        assert not Flag.objects.exists()


def test_one_open_report_per_member_and_content():
    cast = make_cast(PUBLIC)
    flag_create(reporter=cast["member"], reason="abuse", post=cast.post)
    with pytest.raises(Conflict):
        flag_create(reporter=cast["member"], reason="spam", post=cast.post)
    flag_create(reporter=cast["outsider"], reason="spam", post=cast.post)
    assert Flag.objects.count() == 2


@pytest.mark.parametrize(
    "kwargs, field", [({"reason": "boring"}, "reason"), ({"details": "x" * 501}, "details")]
)
def test_bad_report_is_refused(kwargs, field):
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError) as error:
        flag_create(reporter=cast["member"], post=cast.post, **{"reason": "spam", **kwargs})
    assert field in error.value.field_errors
    assert not Flag.objects.exists()


RESOLVE_TABLE = [
    ("moderator", PUBLIC, OK),
    ("manager", PRIVATE, OK),
    ("owner", SECRET, OK),
    ("author", PUBLIC, PermissionDenied),
    ("member", PRIVATE, PermissionDenied),
    ("outsider", PUBLIC, PermissionDenied),
    ("outsider", PRIVATE, PermissionDenied),
    ("outsider", SECRET, NotFound),
    ("banned", SECRET, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", RESOLVE_TABLE)
def test_who_may_resolve(role, visibility, expected):
    cast = make_cast(visibility)
    flag = flag_create(reporter=cast["member"], reason="abuse", post=cast.post)
    if expected is OK:
        flag_resolve(actor=cast[role], flag=flag, action="hide")
        assert Post.objects.get(pk=cast.post.pk).is_hidden
        flag.refresh_from_db()
        assert (flag.status, flag.resolved_by) == ("hidden", cast[role])
    else:
        with pytest.raises(expected):
            flag_resolve(actor=cast[role], flag=flag, action="hide")
        assert not Post.objects.get(pk=cast.post.pk).is_hidden
        assert Flag.objects.get(pk=flag.pk).status == "open"


def test_hide_resolves_every_open_report_then_restore_and_dismiss():
    cast = make_cast(PUBLIC)
    first = flag_create(reporter=cast["member"], reason="abuse", post=cast.post)
    second = flag_create(reporter=cast["outsider"], reason="spam", post=cast.post)
    flag_resolve(actor=cast["moderator"], flag=first, action="hide")
    assert set(Flag.objects.values_list("status", flat=True)) == {"hidden"}
    assert not moderation_queue(user=cast["moderator"]).exists()
    flag_resolve(actor=cast["moderator"], flag=second, action="restore")
    assert not Post.objects.get(pk=cast.post.pk).is_hidden
    assert Flag.objects.get(pk=second.pk).status == "restored"

    comment = comment_create(author=cast["author"], post=cast.post, body="Edgy joke")
    third = flag_create(reporter=cast["member"], reason="off_topic", comment=comment)
    flag_resolve(actor=cast["moderator"], flag=third, action="dismiss")
    comment.refresh_from_db()
    assert not comment.is_hidden and Flag.objects.get(pk=third.pk).status == "dismissed"
    with pytest.raises(ValidationError):
        flag_resolve(actor=cast["moderator"], flag=third, action="delete")


def test_hiding_a_comment_from_the_queue():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["author"], post=cast.post, body="Insult")
    flag = flag_create(reporter=cast["member"], reason="abuse", comment=comment)
    flag_resolve(actor=cast["manager"], flag=flag, action="hide")
    comment.refresh_from_db()
    assert comment.is_hidden
    assert Post.objects.get(pk=cast.post.pk).comment_count == 0


def test_queue_lists_only_communities_the_user_moderates():
    cast = make_cast(PUBLIC)
    other = make_cast(SECRET)
    mine = flag_create(reporter=cast["member"], reason="spam", post=cast.post)
    theirs = flag_create(reporter=other["member"], reason="spam", post=other.post)
    assert list(moderation_queue(user=cast["moderator"])) == [mine]
    assert list(moderation_queue(user=other["owner"])) == [theirs]
    assert not moderation_queue(user=cast["member"]).exists()
    assert not moderation_queue(user=cast["outsider"]).exists()
    superuser = UserFactory(is_superuser=True)
    assert set(moderation_queue(user=superuser)) == {mine, theirs}
    assert list(moderation_queue(user=superuser, community=other.community)) == [theirs]


@override_settings(CERCLE_BAN_SUGGESTION_THRESHOLD=2)
def test_queue_suggests_a_ban_after_repeated_hidden_content():
    cast = make_cast(PUBLIC)
    troll = make_member(cast.community)
    posts = [
        post_create(author=troll, community=cast.community, title=f"Spam {n}", body="Buy")
        for n in range(3)
    ]
    flag_create(reporter=cast["member"], reason="spam", post=posts[0])
    [row] = moderation_queue(user=cast["moderator"])
    assert (row.content_author_id, row.author_hidden_count, row.suggest_ban) == (troll.pk, 0, False)

    post_hide(actor=cast["moderator"], post=posts[1])
    comment = comment_create(author=troll, post=cast.post, body="More spam")
    flag = flag_create(reporter=cast["member"], reason="spam", comment=comment)
    flag_resolve(actor=cast["moderator"], flag=flag, action="hide")
    [row] = moderation_queue(user=cast["moderator"])
    assert (row.author_hidden_count, row.suggest_ban) == (2, True)
    # Hidden items elsewhere do not count here.
    assert row.community == cast.community


def test_rolled_back_report_leaves_no_activity():
    cast = make_cast(PUBLIC)
    with pytest.raises(RuntimeError), transaction.atomic():
        flag_create(reporter=cast["member"], reason="spam", post=cast.post)
        raise RuntimeError
    assert not Flag.objects.exists()
    assert not activities(Activity.Verb.CONTENT_FLAGGED)
