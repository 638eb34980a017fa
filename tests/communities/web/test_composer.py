"""The composer: every kind of post, clear errors for bad input, the markdown preview."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from communities.models import Attachment, Membership, Post
from tests.factories import make_member

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _compose(community):
    return reverse("communities:compose", args=[community.slug])


def _png(name="chart.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_member_publishes_a_discussion_and_sees_it_on_the_stream(login, member, community):
    response = login(member).post(
        _compose(community),
        {"kind": "discussion", "title": "Lunch & learn", "body": "Talk on **htmx** #frontend"},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your post is published." in body
    assert "Lunch &amp; learn" in body
    assert "<strong>htmx</strong>" in body
    assert "#frontend" in body
    assert Post.objects.get().author == member


def test_composer_page_renders_for_members_with_a_live_preview(login, member, community):
    body = login(member).get(_compose(community)).content.decode()
    assert 'hx-post="/communities/preview/"' in body
    assert 'id="composer-preview"' in body
    assert 'aria-live="polite"' in body
    assert '<option value="announcement"' not in body


def test_managers_may_choose_announcement(login, owner, community):
    body = login(owner).get(_compose(community)).content.decode()
    assert '<option value="announcement"' in body


def test_member_cannot_post_an_announcement(login, member, community):
    response = login(member).post(
        _compose(community), {"kind": "announcement", "title": "All hands", "body": "Hi"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.exists()


def test_outsider_cannot_post_and_gets_a_message(login, outsider, community):
    response = login(outsider).post(
        _compose(community), {"kind": "discussion", "title": "Hi", "body": "Hello"}
    )
    assert response.status_code == 400
    assert "Only members can post in this community." in response.content.decode()
    assert not Post.objects.exists()


def test_empty_body_is_a_form_error(login, member, community):
    response = login(member).post(
        _compose(community), {"kind": "discussion", "title": "Empty", "body": "   "}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Post.objects.exists()


def test_oversized_body_is_explained(login, member, community, settings):
    settings.CERCLE_POST_BODY_MAX_LENGTH = 50
    response = login(member).post(
        _compose(community), {"kind": "discussion", "title": "Long", "body": "x" * 51}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert "50" in response.content.decode()
    assert not Post.objects.exists()


def test_poll_with_one_option_is_refused(login, member, community):
    response = login(member).post(
        _compose(community),
        {"kind": "poll", "title": "Where?", "body": "Vote", "poll_options": "Paris"},
    )
    assert response.status_code == 400
    assert "A poll needs at least 2 options." in response.content.decode()
    assert not Post.objects.exists()


def test_poll_is_created_with_its_options(login, member, community):
    response = login(member).post(
        _compose(community),
        {
            "kind": "poll",
            "title": "Where?",
            "body": "Vote",
            "poll_options": "Paris\nLyon\n\nNantes",
            "poll_allows_multiple": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    poll = Post.objects.get().poll
    assert [option.label for option in poll.options.all()] == ["Paris", "Lyon", "Nantes"]
    assert poll.allows_multiple


def test_event_is_created_in_its_time_zone(login, member, community):
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = login(member).post(
        _compose(community),
        {
            "kind": "event",
            "title": "Meetup",
            "body": "Monthly",
            "event_starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "event_ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "event_timezone": "Europe/Paris",
            "event_location": "Room 4",
            "event_capacity": "12",
        },
        follow=True,
    )
    assert response.status_code == 200
    event = Post.objects.get().event
    assert event.timezone == "Europe/Paris"
    assert event.capacity == 12


def test_event_without_dates_is_a_form_error(login, member, community):
    response = login(member).post(
        _compose(community), {"kind": "event", "title": "Meetup", "body": "Monthly"}
    )
    assert response.status_code == 400
    assert "An event needs a start and an end." in response.content.decode()


def test_event_with_an_unknown_time_zone_is_explained(login, member, community):
    starts = timezone.now() + timedelta(days=3)
    response = login(member).post(
        _compose(community),
        {
            "kind": "event",
            "title": "Meetup",
            "body": "Monthly",
            "event_starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "event_ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "event_timezone": "Mars/Olympus",
        },
    )
    assert response.status_code == 400
    assert "is not a time zone" in response.content.decode()


def test_image_attachment_is_stored_with_the_post(login, member, community):
    response = login(member).post(
        _compose(community),
        {"kind": "discussion", "title": "Chart", "body": "See", "attachments": [_png()]},
        follow=True,
    )
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.post == Post.objects.get()
    assert attachment.content_type == "image/png"


def test_disallowed_file_type_is_refused_and_nothing_is_written(login, member, community):
    bad = SimpleUploadedFile("notes.png", b"MZ\x90\x00 this is an executable", "image/png")
    response = login(member).post(
        _compose(community),
        {"kind": "discussion", "title": "Files", "body": "See", "attachments": [bad]},
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Post.objects.exists()
    assert not Attachment.objects.exists()


def test_svg_with_script_is_refused(login, member, community):
    svg = SimpleUploadedFile(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    )
    response = login(member).post(
        _compose(community),
        {"kind": "discussion", "title": "Logo", "body": "See", "attachments": [svg]},
    )
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_archived_community_has_no_composer(login, owner, member, community):
    community.is_archived = True
    community.save()
    body = login(member).get(reverse("communities:detail", args=[community.slug])).content
    assert b"This community is archived" in body
    assert b"Write a post" not in body


def test_markdown_preview_renders_sanitised_html(login, member):
    response = login(member).post(
        reverse("communities:preview"),
        {"body": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>bold</strong>" in body
    assert "<script>" not in body
    assert 'href="javascript' not in body
    assert "<html" not in body


def test_markdown_preview_requires_login_and_post(client, outsider):
    assert client.post(reverse("communities:preview"), {"body": "x"}).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("communities:preview")).status_code == 405


def test_banned_member_cannot_post(login, owner, community):
    banned = make_member(community)
    Membership.objects.filter(user=banned).update(status=Membership.Status.BANNED)
    response = login(banned).post(
        _compose(community), {"kind": "discussion", "title": "Hi", "body": "Hello"}
    )
    assert response.status_code == 400
    assert "Only members can post in this community." in response.content.decode()
    assert not Post.objects.exists()
