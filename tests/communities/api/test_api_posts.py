"""/api/v1/posts/: publishing (polls, events, attachments), the filtered stream, a post."""

import io
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from communities.models import Attachment, Community, Event, Poll, Post
from metrics.models import Activity
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import UserFactory, make_post

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def png_upload(name: str = "photo.png", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def publish(client, target, **fields):
    payload = {"community": target.slug, "title": "Hello", "body": "Some words."}
    payload.update(fields)
    return client.post(POSTS, payload, format="json")


# Publishing ------------------------------------------------------------------------------


def test_member_publishes_a_discussion_with_topics(cast):
    response = publish(
        client_for(cast.member), cast.community, title="Remote", body="Tips for #remote-work"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "discussion"
    assert body["title"] == "Remote"
    assert body["author"]["id"] == cast.member.pk
    assert body["community"]["slug"] == cast.community.slug
    assert body["topics"] == ["remote-work"]
    assert "<p>" in body["body_html"]
    assert body["reactions"]["like"] == 0
    assert body["my_reactions"] == []
    post = Post.objects.get(pk=body["id"])
    assert Activity.objects.filter(
        actor=cast.member, verb=Activity.Verb.POST_CREATED, object_id=post.pk
    ).exists()


def test_outsider_cannot_post_in_a_public_community(cast):
    response = publish(client_for(cast.outsider), cast.community)
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_posting_in_a_secret_community_looks_like_an_unknown_one(db):
    cast = make_cast(Community.Visibility.SECRET)
    client = client_for(cast.outsider)

    secret = publish(client, cast.community)
    unknown = client.post(POSTS, {"community": "nowhere", "title": "t", "body": "b"})

    assert secret.status_code == unknown.status_code == 400
    assert secret.json()["community"] == [f"No community has the address “{cast.community.slug}”."]
    assert not Post.objects.exists()


def test_announcements_are_for_managers(cast):
    member = publish(client_for(cast.member), cast.community, kind="announcement")
    manager = publish(client_for(cast.manager), cast.community, kind="announcement")

    assert member.status_code == 403
    assert manager.status_code == 201
    assert manager.json()["kind"] == "announcement"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "rant"}, "kind"),
        ({"community": ""}, "community"),
    ],
)
def test_malformed_post_is_400_with_a_field_message(cast, fields, field):
    response = publish(client_for(cast.member), cast.community, **fields)
    assert response.status_code == 400
    assert response.json()[field]
    assert not Post.objects.exists()


def test_empty_request_body_is_400_listing_required_fields(cast):
    response = client_for(cast.member).post(POSTS, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"community", "title", "body"}


def test_oversized_body_is_400_and_nothing_is_written(cast, settings):
    settings.CERCLE_POST_BODY_MAX_LENGTH = 100
    response = publish(client_for(cast.member), cast.community, body="x" * 101)

    assert response.status_code == 400
    assert response.json()["body"]
    assert response.json()["detail"]
    assert not Post.objects.exists()


def test_member_publishes_a_poll(cast):
    response = publish(
        client_for(cast.member),
        cast.community,
        kind="poll",
        poll={"options": ["Tuesday", "Thursday"], "allows_multiple": False},
    )

    assert response.status_code == 201
    poll = response.json()["poll"]
    assert [o["label"] for o in poll["options"]] == ["Tuesday", "Thursday"]
    assert poll["allows_multiple"] is False
    assert response.json()["event"] is None


def test_poll_with_one_option_is_400_and_nothing_is_written(cast):
    response = publish(
        client_for(cast.member), cast.community, kind="poll", poll={"options": ["Only one"]}
    )

    assert response.status_code == 400
    assert response.json()["poll"]
    assert not Post.objects.exists()
    assert not Poll.objects.exists()


def test_poll_without_its_payload_is_400(cast):
    response = publish(client_for(cast.member), cast.community, kind="poll")
    assert response.status_code == 400
    assert response.json()["poll"]


def test_poll_in_a_multipart_form_with_an_image(cast):
    response = client_for(cast.member).post(
        POSTS,
        {
            "community": cast.community.slug,
            "kind": "poll",
            "title": "Where?",
            "body": "Pick one",
            "poll.options[0]": "Lyon",
            "poll.options[1]": "Nantes",
            "attachments": [png_upload()],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [o["label"] for o in body["poll"]["options"]] == ["Lyon", "Nantes"]
    assert len(body["attachments"]) == 1
    attachment = body["attachments"][0]
    assert attachment["content_type"] == "image/png"
    assert attachment["original_name"] == "photo.png"
    assert attachment["thumbnail"]


def test_member_publishes_an_event_in_its_time_zone(cast):
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0, tzinfo=None)
    response = publish(
        client_for(cast.member),
        cast.community,
        kind="event",
        event={
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "timezone": "Europe/Paris",
            "location": "Room 4",
            "capacity": 10,
        },
    )

    assert response.status_code == 201, response.json()
    event = response.json()["event"]
    assert event["timezone"] == "Europe/Paris"
    assert event["capacity"] == 10
    stored = Event.objects.get()
    # The wall-clock time without an offset was read in Paris, not in UTC.
    assert stored.starts_at.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None) == starts


@pytest.mark.parametrize(
    "event",
    [
        {"starts_at": "tomorrow", "ends_at": "later"},
        {"ends_at": "2030-01-01T10:00:00Z"},
        {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z", "capacity": 0},
    ],
)
def test_malformed_event_is_400(cast, event):
    response = publish(client_for(cast.member), cast.community, kind="event", event=event)
    assert response.status_code == 400
    assert response.json()["event"]
    assert not Post.objects.exists()


def test_event_that_ends_before_it_starts_is_400(cast):
    response = publish(
        client_for(cast.member),
        cast.community,
        kind="event",
        event={"starts_at": "2030-01-01T12:00:00Z", "ends_at": "2030-01-01T10:00:00Z"},
    )
    assert response.status_code == 400
    assert response.json()["event"]


# Attachments -------------------------------------------------------------------------------


def _publish_with(cast, upload):
    return client_for(cast.member).post(
        POSTS,
        {"community": cast.community.slug, "title": "File", "body": "See", "attachments": [upload]},
        format="multipart",
    )


def test_disallowed_file_type_is_400_and_nothing_is_written(cast):
    executable = SimpleUploadedFile(
        "report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4
    )

    response = _publish_with(cast, executable)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Post.objects.exists()
    assert not Attachment.objects.exists()


def test_svg_with_a_script_is_refused_even_named_as_a_png(cast):
    svg = SimpleUploadedFile(
        "innocent.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("x")</script></svg>',
        content_type="image/png",
    )

    response = _publish_with(cast, svg)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Post.objects.exists()
    assert not Attachment.objects.exists()


def test_oversized_upload_is_400_and_nothing_is_written(cast, settings):
    settings.CERCLE_ATTACHMENT_MAX_BYTES = 1024
    response = _publish_with(cast, png_upload(size=(400, 400)))

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Post.objects.exists()
    assert not Attachment.objects.exists()


def test_an_attachment_entry_that_is_not_a_file_is_400(cast):
    response = publish(client_for(cast.member), cast.community, attachments=["not a file"])
    assert response.status_code == 400
    assert response.json()["attachments"]


# The stream --------------------------------------------------------------------------------


def test_stream_lists_readable_posts_newest_first_without_secret_ones(member_api_client, user):
    public = make_cast()
    secret = make_cast(Community.Visibility.SECRET)
    private = make_cast(Community.Visibility.PRIVATE)
    first = make_post(public.community, title="First")
    second = make_post(public.community, title="Second")
    make_post(secret.community, title="Secret")
    make_post(private.community, title="Private")

    response = member_api_client.get(POSTS)

    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["results"]] == [second.pk, first.pk]
    assert body["next"] is None


def test_stream_filters(db):
    cast = make_cast()
    other = make_cast()
    question = make_post(cast.community, author=cast.member, kind="question", body="#help me")
    discussion = make_post(cast.community, author=cast.owner, body="chat about #lunch")
    elsewhere = make_post(other.community, author=other.member)
    client = client_for(cast.member)

    def ids(query):
        response = client.get(POSTS, query)
        assert response.status_code == 200, response.json()
        return {p["id"] for p in response.json()["results"]}

    assert ids({"community": cast.community.slug}) == {question.pk, discussion.pk}
    assert ids({"author": cast.member.pk}) == {question.pk}
    assert ids({"kind": "question"}) == {question.pk}
    assert ids({"topic": "lunch"}) == {discussion.pk}
    assert ids({"topic": "#help"}) == {question.pk}
    Post.objects.filter(pk=elsewhere.pk).update(created_at=timezone.now() - timedelta(days=10))
    cutoff = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids({"created_after": cutoff}) == {question.pk, discussion.pk}
    assert ids({"created_before": cutoff}) == {elsewhere.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"created_after": "yesterday"},
        {"kind": "rant"},
        {"author": "someone"},
        {"community": "no-such-community"},
    ],
)
def test_malformed_stream_filters_are_400(member_api_client, query):
    response = member_api_client.get(POSTS, query)
    assert response.status_code == 400
    assert response.json()[next(iter(query))]


def test_stream_filtered_by_a_secret_community_is_like_an_unknown_one(db):
    cast = make_cast(Community.Visibility.SECRET)
    make_post(cast.community)

    secret = client_for(cast.outsider).get(POSTS, {"community": cast.community.slug})
    member = client_for(cast.member).get(POSTS, {"community": cast.community.slug})

    assert secret.status_code == 400
    assert member.status_code == 200
    assert len(member.json()["results"]) == 1


def test_stream_uses_cursor_pagination(cast):
    posts = [make_post(cast.community, title=f"Post {n}") for n in range(5)]
    client = client_for(cast.member)

    first = client.get(POSTS, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [p["id"] for p in first["results"]] == [posts[4].pk, posts[3].pk]
    assert "cursor=" in first["next"]
    assert [p["id"] for p in second["results"]] == [posts[2].pk, posts[1].pk]
    assert client.get(POSTS, {"cursor": "garbage"}).status_code == 404


# One post ----------------------------------------------------------------------------------


def test_reading_a_post_records_one_read_a_day(cast):
    post = make_post(cast.community)
    client = client_for(cast.member)

    first = client.get(f"{POSTS}{post.pk}/")
    client.get(f"{POSTS}{post.pk}/")

    assert first.status_code == 200
    assert first.json()["id"] == post.pk
    assert (
        Activity.objects.filter(
            actor=cast.member, verb=Activity.Verb.POST_READ, object_id=post.pk
        ).count()
        == 1
    )


def test_a_post_in_a_secret_community_is_404_to_outsiders_and_unrecorded(db):
    cast = make_cast(Community.Visibility.SECRET)
    post = make_post(cast.community)

    outsider = client_for(cast.outsider).get(f"{POSTS}{post.pk}/")
    missing = client_for(cast.outsider).get(f"{POSTS}999999/")

    assert outsider.status_code == 404
    assert outsider.json() == missing.json()
    assert not Activity.objects.filter(verb=Activity.Verb.POST_READ).exists()


def test_author_edits_a_post(cast):
    post = make_post(cast.community, author=cast.member)

    response = client_for(cast.member).patch(
        f"{POSTS}{post.pk}/", {"body": "Now about #remote-work"}
    )

    assert response.status_code == 200
    assert response.json()["edited_at"]
    assert response.json()["topics"] == ["remote-work"]
    assert response.json()["title"] == post.title


def test_others_cannot_edit_a_post_and_blank_edits_are_400(cast):
    post = make_post(cast.community, author=cast.member)

    other = client_for(cast.manager).patch(f"{POSTS}{post.pk}/", {"title": "Mine"})
    blank = client_for(cast.member).patch(f"{POSTS}{post.pk}/", {"body": ""})

    assert other.status_code == 403
    assert blank.status_code == 400
    assert blank.json()["body"]
    post.refresh_from_db()
    assert post.title == "A post"


def test_author_and_moderators_delete_posts_members_cannot(cast):
    mine = make_post(cast.community, author=cast.member)
    theirs = make_post(cast.community, author=cast.manager)

    refused = client_for(cast.member).delete(f"{POSTS}{theirs.pk}/")
    deleted = client_for(cast.member).delete(f"{POSTS}{mine.pk}/")
    moderated = client_for(cast.moderator).delete(f"{POSTS}{theirs.pk}/")

    assert refused.status_code == 403
    assert deleted.status_code == 204
    assert moderated.status_code == 204
    assert not Post.objects.exists()


def test_unauthenticated_stream_is_401(api_client):
    UserFactory()
    assert api_client.get(POSTS).status_code == 401


def test_request_over_the_upload_limit_is_a_json_413(cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(cast.member).post(
        POSTS,
        json.dumps({"community": cast.community.slug, "title": "Big", "body": "x" * 2000}),
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json()["detail"]
    assert not Post.objects.exists()
