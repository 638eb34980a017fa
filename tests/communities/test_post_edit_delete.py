"""Editing, deleting, reading, hiding and restoring posts: who may, and what changes."""

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from communities.models import Attachment, Comment, Post
from communities.selectors.posts import post_get_for
from communities.services.comments import comment_create
from communities.services.posts import (
    post_delete,
    post_hide,
    post_read,
    post_restore,
    post_update,
)
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    activities,
    make_cast,
    png_upload,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
OK = None

EDIT_TABLE = [
    ("author", PUBLIC, OK),
    ("author", SECRET, OK),
    ("moderator", PUBLIC, PermissionDenied),
    ("manager", PRIVATE, PermissionDenied),
    ("owner", SECRET, PermissionDenied),
    ("member", PUBLIC, PermissionDenied),
    ("outsider", PUBLIC, PermissionDenied),
    ("outsider", PRIVATE, NotFound),
    ("outsider", SECRET, NotFound),
    ("banned", PRIVATE, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", EDIT_TABLE)
def test_who_may_edit(role, visibility, expected):
    cast = make_cast(visibility)
    if expected is OK:
        post = post_update(actor=cast[role], post=cast.post, body="Updated #okr")
        post.refresh_from_db()
        assert post.body == "Updated #okr" and post.edited_at is not None
        assert [t.name for t in post.topics.all()] == ["okr"]
    else:
        with pytest.raises(expected):
            post_update(actor=cast[role], post=cast.post, body="Vandalised")
        cast.post.refresh_from_db()
        assert cast.post.body != "Vandalised" and cast.post.edited_at is None


def test_edit_rerenders_and_keeps_title_when_not_given():
    cast = make_cast(PUBLIC, body="Old #alpha")
    post = post_update(actor=cast["author"], post=cast.post, body="New **bold**")
    post.refresh_from_db()
    assert post.title == "Quarterly goals"
    assert "<strong>bold</strong>" in post.body_html
    assert not post.topics.exists()


def test_unchanged_edit_sets_no_edited_marker():
    cast = make_cast(PUBLIC)
    post_update(actor=cast["author"], post=cast.post, title=cast.post.title, body=cast.post.body)
    cast.post.refresh_from_db()
    assert cast.post.edited_at is None


@pytest.mark.parametrize("change, field", [({"body": " "}, "body"), ({"title": ""}, "title")])
def test_edit_with_empty_text_is_refused(change, field):
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError) as error:
        post_update(actor=cast["author"], post=cast.post, **change)
    assert field in error.value.field_errors
    cast.post.refresh_from_db()
    assert cast.post.body == "What are our goals for the quarter?"


DELETE_TABLE = [
    ("author", PUBLIC, OK),
    ("moderator", PRIVATE, OK),
    ("manager", SECRET, OK),
    ("owner", PUBLIC, OK),
    ("member", PUBLIC, PermissionDenied),
    ("member", SECRET, PermissionDenied),
    ("outsider", PUBLIC, PermissionDenied),
    ("outsider", PRIVATE, NotFound),
    ("outsider", SECRET, NotFound),
    ("banned", SECRET, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", DELETE_TABLE)
def test_who_may_delete(role, visibility, expected):
    cast = make_cast(visibility)
    if expected is OK:
        post_delete(actor=cast[role], post=cast.post)
        assert not Post.objects.filter(pk=cast.post.pk).exists()
    else:
        with pytest.raises(expected):
            post_delete(actor=cast[role], post=cast.post)
        assert Post.objects.filter(pk=cast.post.pk).exists()


def test_delete_removes_comments_and_attachment_files(django_capture_on_commit_callbacks):
    cast = make_cast(PUBLIC)
    comment_create(author=cast["member"], post=cast.post, body="Nice", attachments=[png_upload()])
    attachment = Attachment.objects.get()
    names = [attachment.file.name, attachment.thumbnail.name]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        post_delete(actor=cast["author"], post=cast.post)
    assert not Comment.objects.exists() and not Attachment.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


READ_TABLE = [
    ("member", PUBLIC, OK),
    ("member", PRIVATE, OK),
    ("member", SECRET, OK),
    ("outsider", PUBLIC, OK),
    ("outsider", PRIVATE, NotFound),
    ("outsider", SECRET, NotFound),
    ("banned", PRIVATE, NotFound),
    ("banned", SECRET, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", READ_TABLE)
def test_reading_is_logged_for_readers_only(role, visibility, expected):
    cast = make_cast(visibility)
    if expected is OK:
        post_read(user=cast[role], post=cast.post)
        assert len(activities(Activity.Verb.POST_READ, actor=cast[role])) == 1
    else:
        with pytest.raises(expected):
            post_read(user=cast[role], post=cast.post)
        assert not activities(Activity.Verb.POST_READ)


def test_read_is_logged_once_per_member_post_and_day():
    cast = make_cast(PUBLIC)
    for _ in range(3):
        post_read(user=cast["member"], post=cast.post)
    post_read(user=cast["outsider"], post=cast.post)
    assert len(activities(Activity.Verb.POST_READ, actor=cast["member"])) == 1
    assert len(activities(Activity.Verb.POST_READ)) == 2
    # The next UTC day counts again.
    Activity.objects.filter(verb=Activity.Verb.POST_READ).update(created_at="2020-01-01T12:00:00Z")
    post_read(user=cast["member"], post=cast.post)
    assert len(activities(Activity.Verb.POST_READ, actor=cast["member"])) == 2


HIDE_TABLE = [
    ("moderator", PUBLIC, OK),
    ("manager", PRIVATE, OK),
    ("owner", SECRET, OK),
    ("author", PUBLIC, PermissionDenied),
    ("member", PRIVATE, PermissionDenied),
    ("outsider", PUBLIC, PermissionDenied),
    ("outsider", SECRET, NotFound),
    ("banned", PRIVATE, NotFound),
]


@pytest.mark.parametrize("role, visibility, expected", HIDE_TABLE)
def test_who_may_hide_and_restore(role, visibility, expected):
    cast = make_cast(visibility)
    if expected is OK:
        post_hide(actor=cast[role], post=cast.post)
        cast.post.refresh_from_db()
        assert cast.post.is_hidden
        post_restore(actor=cast[role], post=cast.post)
        cast.post.refresh_from_db()
        assert not cast.post.is_hidden
    else:
        with pytest.raises(expected):
            post_hide(actor=cast[role], post=cast.post)
        cast.post.refresh_from_db()
        assert not cast.post.is_hidden


def test_hidden_post_is_gone_for_members_but_not_for_author_and_moderators():
    cast = make_cast(PUBLIC)
    post_hide(actor=cast["moderator"], post=cast.post)
    with pytest.raises(NotFound):
        post_get_for(user=cast["member"], post_id=cast.post.pk)
    assert post_get_for(user=cast["author"], post_id=cast.post.pk).is_hidden
    assert post_get_for(user=cast["moderator"], post_id=cast.post.pk).is_hidden
    assert post_get_for(user=UserFactory(is_superuser=True), post_id=cast.post.pk)


def test_rolled_back_delete_keeps_the_post_and_its_files(django_capture_on_commit_callbacks):
    cast = make_cast(PUBLIC)
    comment_create(author=cast["member"], post=cast.post, body="Nice", attachments=[png_upload()])
    name, post_id = Attachment.objects.get().file.name, cast.post.pk
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        post_delete(actor=cast["author"], post=cast.post)
        raise RuntimeError
    assert callbacks == []
    assert Post.objects.filter(pk=post_id).exists()
    assert default_storage.exists(name)
