"""Comments and replies: who may write, edit, delete, hide; counts and the activity log."""

import pytest
from django.db import transaction
from django.test import override_settings

from communities.models import Comment, Post
from communities.selectors.posts import comments_for
from communities.services.comments import (
    comment_create,
    comment_delete,
    comment_hide,
    comment_restore,
    comment_update,
)
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    activities,
    make_cast,
)
from tests.factories import UserFactory, make_member
from tests.live import Listener

pytestmark = pytest.mark.django_db
OK = None


def comment_count(post: Post) -> int:
    return Post.objects.get(pk=post.pk).comment_count


COMMENT_TABLE = [
    *[
        (role, v, OK)
        for v in (PUBLIC, PRIVATE, SECRET)
        for role in ("author", "member", "moderator", "manager", "owner")
    ],
    ("outsider", PUBLIC, OK),
    ("outsider", PRIVATE, NotFound),
    ("outsider", SECRET, NotFound),
    ("banned", PUBLIC, NotFound),
    ("banned", PRIVATE, NotFound),
    ("banned", SECRET, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", COMMENT_TABLE)
def test_who_may_comment(role, visibility, expected):
    cast = make_cast(visibility)
    if expected is OK:
        comment = comment_create(author=cast[role], post=cast.post, body="Agreed")
        assert comment.body_html == "<p>Agreed</p>\n"
        assert comment_count(cast.post) == 1
        assert len(activities(Activity.Verb.COMMENT_CREATED, actor=cast[role])) == 1
    else:
        with pytest.raises(expected):
            comment_create(author=cast[role], post=cast.post, body="Agreed")
        assert not Comment.objects.exists() and comment_count(cast.post) == 0
        assert not activities(Activity.Verb.COMMENT_CREATED)


def test_comment_mentions_and_live_event(django_capture_on_commit_callbacks):
    cast = make_cast(PUBLIC)
    ines = make_member(cast.community, UserFactory(email="ines@acme.example"))
    listener = Listener(f"community.{cast.community.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(author=cast["member"], post=cast.post, body="cc @ines")
    assert list(comment.mentions.all()) == [ines]
    [event] = listener.events()  # announced exactly once
    assert event["type"] == "comment.created"


def test_reply_to_a_reply_joins_the_top_level_thread():
    cast = make_cast(PUBLIC)
    top = comment_create(author=cast["member"], post=cast.post, body="Top")
    reply = comment_create(author=cast["author"], post=cast.post, body="Reply", parent=top)
    deeper = comment_create(author=cast["member"], post=cast.post, body="Deeper", parent=reply)
    assert reply.parent == top and deeper.parent == top
    assert comment_count(cast.post) == 3


def test_reply_to_a_comment_of_another_post_is_refused():
    cast = make_cast(PUBLIC)
    other = make_cast(PUBLIC)
    foreign = comment_create(author=other["member"], post=other.post, body="Elsewhere")
    with pytest.raises(ValidationError) as error:
        comment_create(author=cast["member"], post=cast.post, body="Hi", parent=foreign)
    assert "parent" in error.value.field_errors


@override_settings(CERCLE_COMMENT_BODY_MAX_LENGTH=50)
@pytest.mark.parametrize("body", ["", "   ", "z" * 51])
def test_empty_or_oversized_comment_is_refused(body):
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError) as error:
        comment_create(author=cast["member"], post=cast.post, body=body)
    assert error.value.field_errors["body"]
    assert not Comment.objects.exists() and comment_count(cast.post) == 0


def test_author_edits_with_marker_and_others_cannot():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["member"], post=cast.post, body="Typo")
    for role in ("author", "moderator", "owner", "outsider"):
        with pytest.raises(PermissionDenied):
            comment_update(actor=cast[role], comment=comment, body="Hijacked")
    comment_update(actor=cast["member"], comment=comment, body="Fixed *typo*")
    comment.refresh_from_db()
    assert comment.body == "Fixed *typo*" and "<em>typo</em>" in comment.body_html
    assert comment.edited_at is not None


def test_author_deletes_leaving_a_placeholder_and_others_cannot():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["member"], post=cast.post, body="Oops")
    for role in ("author", "moderator", "manager", "outsider"):
        with pytest.raises(PermissionDenied):
            comment_delete(actor=cast[role], comment=comment)
    comment_delete(actor=cast["member"], comment=comment)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == "" and comment.body_html == ""
    assert comment_count(cast.post) == 0
    comment_delete(actor=cast["member"], comment=comment)
    assert comment_count(cast.post) == 0
    with pytest.raises(ValidationError):
        comment_update(actor=cast["member"], comment=comment, body="Back")


HIDE_TABLE = [
    ("moderator", PUBLIC, OK),
    ("manager", PRIVATE, OK),
    ("owner", SECRET, OK),
    ("author", PUBLIC, PermissionDenied),
    ("member", SECRET, PermissionDenied),
    ("outsider", PUBLIC, PermissionDenied),
    ("outsider", SECRET, NotFound),
    ("banned", PRIVATE, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", HIDE_TABLE)
def test_who_may_hide_a_comment(role, visibility, expected):
    cast = make_cast(visibility)
    comment = comment_create(author=cast["author"], post=cast.post, body="Rude")
    if expected is OK:
        comment_hide(actor=cast[role], comment=comment)
        assert Comment.objects.get(pk=comment.pk).is_hidden
        assert comment_count(cast.post) == 0
        comment_restore(actor=cast[role], comment=comment)
        assert not Comment.objects.get(pk=comment.pk).is_hidden
        assert comment_count(cast.post) == 1
    else:
        with pytest.raises(expected):
            comment_hide(actor=cast[role], comment=comment)
        assert not Comment.objects.get(pk=comment.pk).is_hidden
        assert comment_count(cast.post) == 1


def test_hiding_twice_counts_once():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["member"], post=cast.post, body="Rude")
    comment_create(author=cast["member"], post=cast.post, body="Fine")
    comment_hide(actor=cast["moderator"], comment=comment)
    comment_hide(actor=cast["moderator"], comment=comment)
    assert comment_count(cast.post) == 1


def test_placeholders_for_others_full_text_for_moderators():
    cast = make_cast(PUBLIC)
    hidden = comment_create(author=cast["author"], post=cast.post, body="Rude words")
    comment_create(author=cast["member"], post=cast.post, body="Reply", parent=hidden)
    comment_hide(actor=cast["moderator"], comment=hidden)
    as_member = comments_for(user=cast["outsider"], post=cast.post)
    assert as_member[0].body == "" and as_member[0].placeholder
    assert as_member[0].replies.all()[0].body == "Reply"
    as_moderator = comments_for(user=cast["moderator"], post=cast.post)
    assert as_moderator[0].body == "Rude words" and as_moderator[0].placeholder is None
    as_author = comments_for(user=cast["author"], post=cast.post)
    assert as_author[0].body == "Rude words"


def test_deleted_comment_without_replies_disappears():
    cast = make_cast(PUBLIC)
    gone = comment_create(author=cast["member"], post=cast.post, body="Never mind")
    comment_create(author=cast["member"], post=cast.post, body="Still here")
    comment_delete(actor=cast["member"], comment=gone)
    assert [c.body for c in comments_for(user=cast["member"], post=cast.post)] == ["Still here"]


def test_rolled_back_comment_leaves_nothing_and_sends_nothing(django_capture_on_commit_callbacks):
    cast = make_cast(PUBLIC)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        comment_create(author=cast["member"], post=cast.post, body="Draft")
        raise RuntimeError
    assert callbacks == []
    assert not Comment.objects.exists() and comment_count(cast.post) == 0
    assert not activities(Activity.Verb.COMMENT_CREATED)


def test_archived_community_takes_no_comments():
    cast = make_cast(PUBLIC)
    cast.community.is_archived = True
    cast.community.save()
    with pytest.raises(ValidationError):
        comment_create(author=cast["member"], post=cast.post, body="Hello?")
