"""Accepted answers on questions: the asker or a moderator picks one comment."""

import pytest

from communities.models import Post
from communities.services.comments import (
    answer_accept,
    answer_unaccept,
    comment_create,
    comment_delete,
    comment_hide,
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

pytestmark = pytest.mark.django_db
OK = None

ACCEPT_TABLE = [
    ("author", PUBLIC, OK),
    ("author", SECRET, OK),
    ("moderator", PUBLIC, OK),
    ("manager", PRIVATE, OK),
    ("owner", SECRET, OK),
    ("member", PUBLIC, PermissionDenied),
    ("member", SECRET, PermissionDenied),
    ("outsider", PUBLIC, PermissionDenied),
    ("outsider", PRIVATE, NotFound),
    ("outsider", SECRET, NotFound),
    ("banned", PRIVATE, NotFound),
]


@pytest.fixture
def question():
    def build(visibility):
        cast = make_cast(visibility, kind=Post.Kind.QUESTION, title="How do I expense?")
        answer = comment_create(author=cast["member"], post=cast.post, body="Use the portal")
        return cast, answer

    return build


@pytest.mark.parametrize("role, visibility, expected", ACCEPT_TABLE)
def test_who_may_accept_an_answer(question, role, visibility, expected):
    cast, answer = question(visibility)
    if expected is OK:
        post = answer_accept(actor=cast[role], post=cast.post, comment=answer)
        assert Post.objects.get(pk=post.pk).accepted_answer == answer
        log = activities(Activity.Verb.ANSWER_ACCEPTED)
        assert [(a.actor, a.object_id) for a in log] == [(cast["member"], answer.pk)]
    else:
        with pytest.raises(expected):
            answer_accept(actor=cast[role], post=cast.post, comment=answer)
        assert Post.objects.get(pk=cast.post.pk).accepted_answer is None
        assert not activities(Activity.Verb.ANSWER_ACCEPTED)


def test_accepting_again_logs_once_and_another_answer_replaces_it(question):
    cast, answer = question(PUBLIC)
    better = comment_create(author=cast["moderator"], post=cast.post, body="Ask finance")
    answer_accept(actor=cast["author"], post=cast.post, comment=answer)
    answer_accept(actor=cast["author"], post=cast.post, comment=answer)
    answer_accept(actor=cast["author"], post=cast.post, comment=better)
    assert Post.objects.get(pk=cast.post.pk).accepted_answer == better
    assert [a.actor for a in activities(Activity.Verb.ANSWER_ACCEPTED)] == [
        cast["moderator"],
        cast["member"],
    ]
    answer_unaccept(actor=cast["author"], post=cast.post)
    assert Post.objects.get(pk=cast.post.pk).accepted_answer is None


def test_only_questions_have_answers():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["member"], post=cast.post, body="Hi")
    with pytest.raises(ValidationError):
        answer_accept(actor=cast["author"], post=cast.post, comment=comment)


def test_comment_of_another_post_or_deleted_cannot_be_the_answer(question):
    cast, answer = question(PUBLIC)
    _other, foreign = question(PUBLIC)
    with pytest.raises(ValidationError) as error:
        answer_accept(actor=cast["author"], post=cast.post, comment=foreign)
    assert "comment" in error.value.field_errors
    comment_delete(actor=cast["member"], comment=answer)
    with pytest.raises(ValidationError):
        answer_accept(actor=cast["author"], post=cast.post, comment=answer)


def test_deleting_or_hiding_the_answer_unaccepts_it(question):
    cast, answer = question(PUBLIC)
    answer_accept(actor=cast["author"], post=cast.post, comment=answer)
    comment_hide(actor=cast["moderator"], comment=answer)
    assert Post.objects.get(pk=cast.post.pk).accepted_answer is None
    second = comment_create(author=cast["member"], post=cast.post, body="Second try")
    answer_accept(actor=cast["author"], post=cast.post, comment=second)
    comment_delete(actor=cast["member"], comment=second)
    assert Post.objects.get(pk=cast.post.pk).accepted_answer is None
