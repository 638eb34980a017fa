"""Publishing posts: who may, what is stored, and bad input that leaves nothing behind."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from communities.models import Event, Poll, PollOption, Post, Topic
from communities.services.posts import post_create
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    activities,
    event_data,
    make_cast,
    poll_data,
)
from tests.factories import UserFactory, make_member
from tests.live import Listener

pytestmark = pytest.mark.django_db

ALLOWED = None
# (role, visibility, kind, expected outcome)
POST_TABLE = [
    *[
        (role, v, "discussion", ALLOWED)
        for v in (PUBLIC, PRIVATE, SECRET)
        for role in ("author", "member", "moderator", "manager", "owner")
    ],
    ("outsider", PUBLIC, "discussion", PermissionDenied),
    ("outsider", PRIVATE, "discussion", PermissionDenied),
    ("outsider", SECRET, "discussion", NotFound),
    ("banned", PUBLIC, "discussion", PermissionDenied),
    ("banned", PRIVATE, "discussion", PermissionDenied),
    ("banned", SECRET, "discussion", NotFound),
    ("owner", PUBLIC, "announcement", ALLOWED),
    ("manager", PRIVATE, "announcement", ALLOWED),
    ("moderator", PUBLIC, "announcement", PermissionDenied),
    ("member", SECRET, "announcement", PermissionDenied),
    ("outsider", SECRET, "announcement", NotFound),
]


@pytest.mark.parametrize("role, visibility, kind, expected", POST_TABLE)
def test_who_may_publish(role, visibility, kind, expected):
    cast = make_cast(visibility)
    before = Post.objects.count()
    if expected is ALLOWED:
        post = post_create(
            author=cast[role], community=cast.community, title="Hello", body="Hi all", kind=kind
        )
        assert post.kind == kind and post.author == cast[role]
        assert Post.objects.count() == before + 1
    else:
        with pytest.raises(expected):
            post_create(
                author=cast[role], community=cast.community, title="Hello", body="Hi", kind=kind
            )
        assert Post.objects.count() == before


def test_post_is_rendered_parsed_logged_and_announced(django_capture_on_commit_callbacks):
    cast = make_cast(PUBLIC)
    camille = make_member(cast.community, UserFactory(email="camille.martin@acme.example"))
    listener = Listener(f"community.{cast.community.pk}")

    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(
            author=cast["author"],
            community=cast.community,
            title="  Remote days  ",
            body="Which days for **#remote-work**? @camille.martin <script>x</script>",
        )

    assert post.title == "Remote days"
    assert "<strong>#remote-work</strong>" in post.body_html
    assert "<script" not in post.body_html
    assert list(post.topics.values_list("name", flat=True)) == ["remote-work"]
    assert list(post.mentions.all()) == [camille]
    log = activities(Activity.Verb.POST_CREATED, object_id=post.pk)
    assert [(a.actor, a.community, a.object_type) for a in log] == [
        (cast["author"], cast.community, "post")
    ]
    [event] = listener.events()  # announced exactly once
    assert event["type"] == "post.created"
    assert event["data"]["post_id"] == post.pk
    assert event["data"]["community_id"] == cast.community.pk


def test_topics_are_shared_between_posts():
    cast = make_cast(PUBLIC)
    first = post_create(author=cast["member"], community=cast.community, title="a", body="#kpi")
    second = post_create(author=cast["author"], community=cast.community, title="b", body="#KPI")
    assert Topic.objects.filter(name="kpi").count() == 1
    assert set(Topic.objects.get(name="kpi").posts.all()) == {first, second}


def test_mentions_in_private_community_only_store_members():
    cast = make_cast(PRIVATE)
    make_member(cast.community, UserFactory(email="ines.roux@acme.example"))
    UserFactory(email="outside.person@acme.example")
    post = post_create(
        author=cast["author"],
        community=cast.community,
        title="Ping",
        body="@ines.roux and @outside.person and @nobody.here",
    )
    assert [u.email for u in post.mentions.all()] == ["ines.roux@acme.example"]


@pytest.mark.parametrize(
    "title, body, field",
    [
        ("Title", "   ", "body"),
        ("Title", "", "body"),
        ("", "A body", "title"),
        ("x" * 201, "A body", "title"),
        ("Title", "y" * 101, "body"),
    ],
)
@override_settings(CERCLE_POST_BODY_MAX_LENGTH=100)
def test_bad_title_or_body_is_refused_with_field_errors(title, body, field):
    cast = make_cast(PUBLIC)
    posts, log = Post.objects.count(), Activity.objects.count()
    with pytest.raises(ValidationError) as error:
        post_create(author=cast["author"], community=cast.community, title=title, body=body)
    assert field in error.value.field_errors
    assert error.value.field_errors[field][0]
    assert (Post.objects.count(), Activity.objects.count()) == (posts, log)


def test_unknown_kind_is_refused():
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError) as error:
        post_create(author=cast["author"], community=cast.community, title="t", body="b", kind="x")
    assert "kind" in error.value.field_errors


def test_archived_community_takes_no_posts():
    cast = make_cast(PUBLIC)
    cast.community.is_archived = True
    cast.community.save()
    with pytest.raises(ValidationError):
        post_create(author=cast["author"], community=cast.community, title="t", body="b")


def test_poll_post_creates_its_options_in_order():
    cast = make_cast(PUBLIC)
    closes_at = timezone.now() + timedelta(days=2)
    post = post_create(
        author=cast["author"],
        community=cast.community,
        title="Offsite date?",
        body="Vote please",
        kind="poll",
        poll=poll_data(" May ", "June", "July", allows_multiple=True, closes_at=closes_at),
    )
    assert post.poll.allows_multiple is True
    assert post.poll.closes_at == closes_at
    assert list(post.poll.options.values_list("label", flat=True)) == ["May", "June", "July"]


@pytest.mark.parametrize(
    "options",
    [("Only one",), tuple(f"Option {n}" for n in range(11)), ("Same", "same"), ("A", "  ")],
)
def test_poll_with_wrong_options_is_refused_and_nothing_is_written(options):
    cast = make_cast(PUBLIC)
    posts = Post.objects.count()
    with pytest.raises(ValidationError) as error:
        post_create(
            author=cast["author"],
            community=cast.community,
            title="Poll",
            body="Vote",
            kind="poll",
            poll={"options": list(options)},
        )
    assert "poll" in error.value.field_errors
    assert Post.objects.count() == posts
    assert not Poll.objects.exists() and not PollOption.objects.exists()


def test_poll_closing_in_the_past_is_refused():
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError) as error:
        post_create(
            author=cast["author"],
            community=cast.community,
            title="Poll",
            body="Vote",
            kind="poll",
            poll=poll_data("A", "B", closes_at=timezone.now() - timedelta(minutes=1)),
        )
    assert "poll" in error.value.field_errors


def test_event_post_stores_the_event():
    cast = make_cast(PUBLIC)
    data = event_data(capacity=30)
    post = post_create(
        author=cast["author"],
        community=cast.community,
        title="Summit",
        body="Join us",
        kind="event",
        event=data,
    )
    event = Event.objects.get(post=post)
    assert (event.capacity, event.timezone, event.location) == (
        30,
        "Europe/Paris",
        data["location"],
    )
    assert event.starts_at == data["starts_at"]


@pytest.mark.parametrize(
    "change",
    [
        {"ends_at": timezone.now() - timedelta(days=30)},
        {"timezone": "Mars/Olympus"},
        {"capacity": 0},
        {"online_url": "javascript:alert(1)"},
        {"starts_at": None},
    ],
)
def test_bad_event_is_refused_and_nothing_is_written(change):
    cast = make_cast(PUBLIC)
    posts = Post.objects.count()
    with pytest.raises(ValidationError) as error:
        post_create(
            author=cast["author"],
            community=cast.community,
            title="Summit",
            body="Join",
            kind="event",
            event={**event_data(), **change},
        )
    assert "event" in error.value.field_errors
    assert Post.objects.count() == posts and not Event.objects.exists()


def test_poll_data_on_a_discussion_is_refused():
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError) as error:
        post_create(
            author=cast["author"],
            community=cast.community,
            title="t",
            body="b",
            poll=poll_data("A", "B"),
        )
    assert "poll" in error.value.field_errors


def test_rolled_back_post_leaves_no_row_no_activity_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    cast = make_cast(PUBLIC)
    posts, log, topics = Post.objects.count(), Activity.objects.count(), Topic.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        post_create(author=cast["author"], community=cast.community, title="t", body="#new")
        raise RuntimeError("the caller failed after publishing")
    assert callbacks == []
    assert (Post.objects.count(), Activity.objects.count(), Topic.objects.count()) == (
        posts,
        log,
        topics,
    )
