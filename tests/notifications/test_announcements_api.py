"""The announcements API: my pending announcements, acknowledging, the managers' report
and reminders; and acknowledgement on the posts API (create and output)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from communities.models import Community, Membership, Post
from notifications.models import Acknowledgement, AnnouncementReminder, Notification
from notifications.services.announcements import announcement_acknowledge, announcement_remind
from tests.communities.api.conftest import client_for
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.notifications.test_announcements import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def _ack_url(post) -> str:
    return f"/api/v1/announcements/{post.pk}/acknowledge/"


def _report_url(post) -> str:
    return f"/api/v1/announcements/{post.pk}/acknowledgements/"


def _remind_url(post) -> str:
    return f"/api/v1/announcements/{post.pk}/remind/"


# My pending announcements ----------------------------------------------------------------


def test_my_pending_announcements(world):
    response = client_for(world.member).get("/api/v1/announcements/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == world.announcement.pk
    assert row["title"] == "New expense policy"
    assert row["community"] == {
        "id": world.community.pk,
        "slug": world.community.slug,
        "name": "Staff",
    }
    assert row["author"]["display_name"] == "Olga Owner"

    announcement_acknowledge(user=world.member, post=world.announcement)
    assert client_for(world.member).get("/api/v1/announcements/").json()["results"] == []


def test_pending_announcements_need_a_login(world, api_client):
    assert api_client.get("/api/v1/announcements/").status_code in (401, 403)


@pytest.mark.parametrize("rows", [1, 20])
def test_pending_list_query_count_does_not_grow(rows, django_assert_num_queries):
    owner = UserFactory()
    community = make_community(owner=owner)
    member = make_member(community)
    for index in range(rows):
        make_post(
            community,
            author=owner,
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            title=f"Announcement {index}",
        )
    client = client_for(member)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/announcements/", {"page_size": 50})
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


# Acknowledging ---------------------------------------------------------------------------


def test_acknowledge_answers_201_then_409(world):
    client = client_for(world.member)
    response = client.post(_ack_url(world.announcement))
    assert response.status_code == 201
    body = response.json()
    assert body["post_id"] == world.announcement.pk
    stored = Acknowledgement.objects.get(user=world.member)
    assert body["acknowledged_at"] == stored.created_at.isoformat().replace("+00:00", "Z")

    again = client.post(_ack_url(world.announcement))
    assert again.status_code == 409
    assert again.json() == {
        "detail": "You already acknowledged this announcement.",
        "code": "conflict",
    }
    assert Acknowledgement.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status_code", "code"),
    [
        ("manager", 201, None),
        ("reader", 403, "permission_denied"),
        ("banned", 404, "not_found"),
        ("owner", 400, "invalid"),
    ],
)
def test_acknowledge_statuses_by_role(world, role, status_code, code):
    response = client_for(world.person(role)).post(_ack_url(world.announcement))
    assert response.status_code == status_code
    if code:
        assert response.json()["code"] == code
        assert response.json()["detail"]
        assert not Acknowledgement.objects.exists()


def test_acknowledging_a_post_that_does_not_ask_is_400(db):
    world = make_world(kind=Post.Kind.DISCUSSION, requires_acknowledgement=False)
    response = client_for(world.member).post(_ack_url(world.announcement))
    assert response.status_code == 400
    assert response.json()["detail"] == "This post does not ask members to acknowledge it."


def test_acknowledging_in_a_private_community_is_404_for_outsiders(db):
    world = make_world(Community.Visibility.PRIVATE)
    for path in (_ack_url(world.announcement), _remind_url(world.announcement)):
        assert client_for(world.reader).post(path).status_code == 404
    assert client_for(world.reader).get(_report_url(world.announcement)).status_code == 404
    assert (
        client_for(world.member).post(f"/api/v1/announcements/{'9' * 30}/acknowledge/").status_code
        == 404
    )


# The report ------------------------------------------------------------------------------


def test_the_report_for_managers(world):
    announcement_acknowledge(user=world.member, post=world.announcement)
    announcement_remind(actor=world.owner, post=world.announcement)

    response = client_for(world.manager).get(_report_url(world.announcement), {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["post_id"] == world.announcement.pk
    assert body["member_count"] == 4
    assert body["acknowledged_count"] == 1
    assert body["pending_count"] == 3
    assert body["rate"] == 25
    assert body["next_reminder_at"] is not None
    (reminder,) = body["reminders"]
    assert reminder["sent_by"]["display_name"] == "Olga Owner"
    assert reminder["recipient_count"] == 3
    # Pending people, by name, two per page.
    assert [p["display_name"] for p in body["pending"]] == ["Carl Colleague", "Manu Manager"]
    assert body["previous"] is None
    second = client_for(world.manager).get(body["next"]).json()
    assert [p["display_name"] for p in second["pending"]] == ["Mo Moderator"]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 200),
        ("manager", 200),
        ("moderator", 403),
        ("member", 403),
        ("reader", 403),
        ("banned", 404),
    ],
)
def test_only_managers_get_the_report(world, role, status_code):
    response = client_for(world.person(role)).get(_report_url(world.announcement))
    assert response.status_code == status_code
    if status_code != 200:
        assert "member_count" not in response.json()


def test_the_report_of_a_post_that_does_not_ask_is_400(db):
    world = make_world(requires_acknowledgement=False)
    response = client_for(world.owner).get(_report_url(world.announcement))
    assert response.status_code == 400


@pytest.mark.parametrize("extra", [1, 20])
def test_report_query_count_does_not_grow(world, extra, django_assert_num_queries):
    for _ in range(extra):
        announcement_acknowledge(user=make_member(world.community), post=world.announcement)
        make_member(world.community)
    announcement_remind(actor=world.owner, post=world.announcement)
    client = client_for(world.owner)
    with django_assert_num_queries(9):
        response = client.get(_report_url(world.announcement), {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["pending"]) == 4 + extra


# Reminding -------------------------------------------------------------------------------


def test_remind_answers_201_then_429_until_the_period_is_over(world, settings):
    settings.CERCLE_ANNOUNCEMENT_REMINDER_HOURS = 24
    announcement_acknowledge(user=world.member, post=world.announcement)
    start = timezone.now().replace(microsecond=0)
    client = client_for(world.manager)
    with time_machine.travel(start, tick=False):
        response = client.post(_remind_url(world.announcement))
    assert response.status_code == 201
    body = response.json()
    assert body["reminded"] == 2  # moderator and colleague (not the manager, the actor)
    assert body["next_reminder_at"] == (start + timedelta(hours=24)).isoformat().replace(
        "+00:00", "Z"
    )
    recipients = set(
        Notification.objects.filter(data__reminder=True).values_list("recipient_id", flat=True)
    )
    assert recipients == {world.moderator.pk, world.colleague.pk}

    with time_machine.travel(start + timedelta(hours=2), tick=False):
        too_soon = client.post(_remind_url(world.announcement))
    assert too_soon.status_code == 429
    assert "next one is possible from" in too_soon.json()["detail"]
    assert AnnouncementReminder.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status_code"), [("member", 403), ("moderator", 403), ("reader", 403), ("banned", 404)]
)
def test_only_managers_remind(world, role, status_code):
    response = client_for(world.person(role)).post(_remind_url(world.announcement))
    assert response.status_code == status_code
    assert not AnnouncementReminder.objects.exists()


def test_remind_when_everyone_acknowledged_is_400(world):
    for person in (world.manager, world.moderator, world.member, world.colleague):
        announcement_acknowledge(user=person, post=world.announcement)
    response = client_for(world.owner).post(_remind_url(world.announcement))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Everyone has acknowledged")


# The posts API -------------------------------------------------------------------------


def test_managers_create_an_announcement_that_asks_for_acknowledgement(world):
    response = client_for(world.manager).post(
        "/api/v1/posts/",
        {
            "community": world.community.slug,
            "kind": "announcement",
            "title": "Office closed Friday",
            "body": "See you Monday.",
            "requires_acknowledgement": True,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["requires_acknowledgement"] is True
    assert body["acknowledged"] is False
    assert Post.objects.get(pk=body["id"]).requires_acknowledgement


def test_only_announcements_ask_for_acknowledgement_through_the_api(world):
    response = client_for(world.manager).post(
        "/api/v1/posts/",
        {
            "community": world.community.slug,
            "kind": "discussion",
            "title": "Chat",
            "body": "Hello",
            "requires_acknowledgement": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["requires_acknowledgement"] == [
        "Only announcements ask for acknowledgement."
    ]
    assert not Post.objects.filter(title="Chat").exists()


def test_posts_tell_the_asking_member_whether_they_acknowledged(world):
    plain = make_post(world.community, author=world.owner, title="Plain")
    announcement_acknowledge(user=world.member, post=world.announcement)

    rows = {
        row["id"]: row for row in client_for(world.member).get("/api/v1/posts/").json()["results"]
    }
    assert rows[world.announcement.pk]["requires_acknowledgement"] is True
    assert rows[world.announcement.pk]["acknowledged"] is True
    assert rows[plain.pk]["requires_acknowledgement"] is False
    assert rows[plain.pk]["acknowledged"] is False
    colleague_rows = client_for(world.colleague).get("/api/v1/posts/").json()["results"]
    assert {r["id"]: r["acknowledged"] for r in colleague_rows}[world.announcement.pk] is False

    detail = client_for(world.member).get(f"/api/v1/posts/{world.announcement.pk}/").json()
    assert detail["acknowledged"] is True
    other = client_for(world.colleague).get(f"/api/v1/posts/{world.announcement.pk}/").json()
    assert other["acknowledged"] is False


@pytest.mark.parametrize("rows", [1, 20])
def test_posts_list_query_count_is_unchanged_with_announcements(rows, django_assert_num_queries):
    owner = UserFactory()
    community = make_community(owner=owner)
    reader = make_member(community, role=Membership.Role.MEMBER)
    for index in range(rows):
        post = make_post(
            community,
            author=owner,
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            title=f"A {index}",
        )
        if index % 2:
            announcement_acknowledge(user=reader, post=post)
    client = client_for(reader)
    with django_assert_num_queries(4):
        response = client.get("/api/v1/posts/", {"page_size": 50})
    assert len(response.json()["results"]) == rows


def test_the_schema_documents_the_announcements_api(tmp_path):
    import json

    from django.core.management import call_command

    target = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(target),
    )
    paths = json.loads(target.read_text())["paths"]
    for path in [
        "/api/v1/announcements/",
        "/api/v1/announcements/{post_id}/acknowledge/",
        "/api/v1/announcements/{post_id}/acknowledgements/",
        "/api/v1/announcements/{post_id}/remind/",
    ]:
        assert path in paths
