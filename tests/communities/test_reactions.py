"""Reactions: one per kind per member, toggled, on posts and comments."""

import pytest
from django.db import transaction

from communities.models import Reaction
from communities.services.comments import comment_create, comment_delete, comment_hide
from communities.services.reactions import reaction_toggle
from config.errors import NotFound, ValidationError
from metrics.models import Activity
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    activities,
    make_cast,
)
from tests.live import Listener

pytestmark = pytest.mark.django_db
OK = None

REACT_TABLE = [
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


@pytest.mark.parametrize("role, visibility, expected", REACT_TABLE)
def test_who_may_react(role, visibility, expected):
    cast = make_cast(visibility)
    if expected is OK:
        assert reaction_toggle(user=cast[role], kind="like", post=cast.post) is True
        assert Reaction.objects.filter(post=cast.post, user=cast[role], kind="like").exists()
    else:
        with pytest.raises(expected):
            reaction_toggle(user=cast[role], kind="like", post=cast.post)
        assert not Reaction.objects.exists()


def test_toggle_adds_then_removes_and_logs_only_the_addition():
    cast = make_cast(PUBLIC)
    user = cast["member"]
    assert reaction_toggle(user=user, kind="celebrate", post=cast.post) is True
    assert reaction_toggle(user=user, kind="insightful", post=cast.post) is True
    assert reaction_toggle(user=user, kind="celebrate", post=cast.post) is False
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["insightful"]
    assert len(activities(Activity.Verb.REACTION_CREATED, actor=user)) == 2


def test_reactions_on_comments_and_not_on_deleted_ones():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["author"], post=cast.post, body="Idea")
    assert reaction_toggle(user=cast["member"], kind="helpful", comment=comment) is True
    assert Reaction.objects.get().comment == comment
    comment_delete(actor=cast["author"], comment=comment)
    with pytest.raises(ValidationError):
        reaction_toggle(user=cast["outsider"], kind="helpful", comment=comment)


def test_hidden_comment_takes_no_reaction_from_members():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["author"], post=cast.post, body="Rude")
    comment_hide(actor=cast["moderator"], comment=comment)
    with pytest.raises(NotFound):
        reaction_toggle(user=cast["member"], kind="like", comment=comment)


@pytest.mark.parametrize(
    "kwargs",
    [{"kind": "angry"}, {"kind": "like", "post": None}, {"kind": "like", "both": True}],
)
def test_bad_reaction_is_refused(kwargs):
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["author"], post=cast.post, body="Idea")
    target = {"post": cast.post}
    if kwargs.pop("both", False):
        target["comment"] = comment
    target.update({key: value for key, value in kwargs.items() if key == "post"})
    with pytest.raises(ValidationError):
        reaction_toggle(user=cast["member"], kind=kwargs["kind"], **target)
    assert not Reaction.objects.exists()


def test_change_is_sent_to_the_community_and_to_the_posts_readers(
    django_capture_on_commit_callbacks,
):
    """The community's members, and a visitor following the post page of a public
    community they have not joined, get the same event (one id: a socket in both groups
    shows it once)."""
    cast = make_cast(PUBLIC)
    listener = Listener(f"community.{cast.community.pk}")
    post_page = Listener(f"post.{cast.post.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        reaction_toggle(user=cast["member"], kind="like", post=cast.post)
    [event] = listener.events()
    assert post_page.events() == [event]
    assert event["type"] == "reaction.changed"
    data = event["data"]
    assert (data["post_id"], data["kind"], data["reacted"], data["count"]) == (
        cast.post.pk,
        "like",
        True,
        1,
    )


def test_rolled_back_reaction_leaves_nothing(django_capture_on_commit_callbacks):
    cast = make_cast(PUBLIC)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        reaction_toggle(user=cast["member"], kind="like", post=cast.post)
        raise RuntimeError
    assert callbacks == []
    assert not Reaction.objects.exists()
    assert not activities(Activity.Verb.REACTION_CREATED)
