"""The notification centre and notification controls in the API (/api/v1/)."""

import json
from datetime import time

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from communities.models import Community, Membership
from notifications.events import user_group
from notifications.models import (
    DEFAULT_DELIVERY,
    Kind,
    Notification,
    NotificationPreference,
    NotificationSettings,
    ThreadSubscription,
)
from notifications.services.centre import notifications_mark_read
from notifications.services.fanout import Notice, notify
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.live import Listener

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
READ = "/api/v1/notifications/read/"
UNREAD = "/api/v1/notifications/unread-count/"
PREFERENCES = "/api/v1/notification-preferences/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def notify_one(recipient, *, post, actor=None, kind=Kind.MENTION, **notice) -> Notification:
    actor = actor or post.author
    notify(
        notice=Notice(
            kind=kind, actor_id=actor.pk, community_id=post.community_id, post_id=post.pk, **notice
        ),
        candidates=[recipient.pk],
    )
    return Notification.objects.filter(recipient=recipient).latest("id")


@pytest.fixture
def author(db):
    return UserFactory(display_name="Alice Author")


@pytest.fixture
def community(author):
    return make_community(owner=author, name="Platform Guild")


@pytest.fixture
def post(community, author):
    return make_post(community, author=author, title="Roadmap")


@pytest.fixture
def reader(db):
    return UserFactory(display_name="Rita Reader", time_zone="Europe/Paris")


@pytest.fixture
def colleague(db):
    return UserFactory(display_name="Colin Colleague")


# GET notifications/ ---------------------------------------------------------------------


def test_the_list_shows_my_notifications_with_their_wording_and_links(
    post, author, community, reader, colleague
):
    mention = notify_one(reader, post=post)
    notify_one(colleague, post=post)

    response = client_for(reader).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    [item] = body["results"]
    assert item == {
        "id": mention.pk,
        "kind": "mention",
        "text": "Alice Author mentioned you in “Roadmap”",
        "url": f"/posts/{post.pk}/",
        "actor": {"id": author.pk, "display_name": "Alice Author"},
        "actor_count": 1,
        "community": {"slug": community.slug, "name": "Platform Guild"},
        "post_id": post.pk,
        "comment_id": None,
        "conversation_id": None,
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
        "read_at": None,
        "is_read": False,
    }


def test_grouped_notifications_read_as_one(post, reader):
    colleagues = [UserFactory(display_name=f"Person {n}") for n in range(3)]
    for person in colleagues:
        notify_one(reader, post=post, actor=person, kind=Kind.REACTION, group_key="reaction:1")

    [item] = client_for(reader).get(LIST).json()["results"]

    assert item["actor_count"] == 3
    assert item["text"] == "Person 2 and 2 others reacted to your post “Roadmap”"


def test_event_reminders_are_worded_in_my_time_zone(post, reader):
    notify_one(
        reader,
        post=post,
        kind=Kind.EVENT_REMINDER,
        data={"starts_at": "2025-06-02T07:30:00+00:00"},
    )

    [item] = client_for(reader).get(LIST).json()["results"]

    assert "9:30" in item["text"]  # Paris is UTC+2 in June


def test_the_list_filters_by_unread_and_kind(post, reader):
    mention = notify_one(reader, post=post)
    reply = notify_one(reader, post=post, kind=Kind.REPLY)
    notifications_mark_read(user=reader, ids=[mention.pk])
    client = client_for(reader)

    def ids(**params):
        return [item["id"] for item in client.get(LIST, params).json()["results"]]

    assert ids() == [reply.pk, mention.pk]
    assert ids(unread="true") == [reply.pk]
    assert ids(unread="false") == [mention.pk]
    assert ids(kind="mention") == [mention.pk]
    assert ids(kind="mention", unread="true") == []


@pytest.mark.parametrize(
    ("params", "field"), [({"kind": "gossip"}, "kind"), ({"unread": "perhaps"}, "unread")]
)
def test_an_invalid_filter_answers_400_with_a_field_message(reader, params, field):
    response = client_for(reader).get(LIST, params)

    assert response.status_code == 400
    assert field in response.json()


def test_the_list_pages_with_a_cursor_latest_activity_first(post, reader):
    created = [notify_one(reader, post=post) for _ in range(5)]
    client = client_for(reader)

    first = client.get(LIST, {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert [item["id"] for item in first["results"]] == [n.pk for n in created[:1:-1]]
    assert [item["id"] for item in second["results"]] == [created[1].pk, created[0].pk]
    assert second["next"] is None


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_query_count_does_not_grow_with_rows(
    rows, post, reader, django_assert_num_queries
):
    for _ in range(rows):
        notify_one(reader, post=post)
    client = client_for(reader)

    with django_assert_num_queries(1):
        response = client.get(LIST, {"page_size": 50})

    assert len(response.json()["results"]) == rows


def test_logged_out_callers_get_401(db):
    assert APIClient().get(LIST).status_code == 401
    assert APIClient().post(READ, {"all": True}, format="json").status_code == 401
    assert APIClient().get(PREFERENCES).status_code == 401


# POST notifications/read/ -----------------------------------------------------------------


def test_marking_ids_read_answers_the_counts_and_tells_my_devices(
    post, reader, django_capture_on_commit_callbacks
):
    first = notify_one(reader, post=post)
    second = notify_one(reader, post=post)
    notify_one(reader, post=post)
    listener = Listener(user_group(reader.pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reader).post(READ, {"ids": [first.pk, second.pk]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread_count": 1}
    events = listener.events()
    assert events[0]["type"] == "notification.read"
    assert sorted(events[0]["data"]["ids"]) == sorted([first.pk, second.pk])
    assert events[1]["type"] == "unread_count"
    assert events[1]["data"] == {"count": 1}


def test_marking_all_read(post, reader, colleague):
    notify_one(reader, post=post)
    notify_one(reader, post=post)
    theirs = notify_one(colleague, post=post)

    response = client_for(reader).post(READ, {"all": True}, format="json")

    assert response.json() == {"marked": 2, "unread_count": 0}
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_other_members_ids_are_ignored(post, reader, colleague):
    theirs = notify_one(colleague, post=post)

    response = client_for(reader).post(READ, {"ids": [theirs.pk]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"marked": 0, "unread_count": 0}
    theirs.refresh_from_db()
    assert not theirs.is_read


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "ids"),
        ({"all": False}, "ids"),
        ({"ids": [1], "all": True}, "all"),
        ({"ids": ["one"]}, "ids"),
        ({"ids": [0]}, "ids"),
        ({"ids": [2**64]}, "ids"),
        ({"ids": "1,2"}, "ids"),
        ({"ids": list(range(1, 502))}, "ids"),
        ({"all": "sure"}, "all"),
    ],
)
def test_bad_mark_read_requests_answer_400_with_field_messages(post, reader, payload, field):
    mine = notify_one(reader, post=post)

    response = client_for(reader).post(READ, payload, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    mine.refresh_from_db()
    assert not mine.is_read


def test_five_hundred_ids_are_accepted(post, reader):
    mine = notify_one(reader, post=post)

    response = client_for(reader).post(
        READ, {"ids": [mine.pk, *range(10**6, 10**6 + 499)]}, format="json"
    )

    assert response.json() == {"marked": 1, "unread_count": 0}


# GET notifications/unread-count/ ---------------------------------------------------------------


def test_the_unread_count_is_mine_only(post, reader, colleague):
    notify_one(reader, post=post)
    notify_one(reader, post=post)
    notify_one(colleague, post=post)

    assert client_for(reader).get(UNREAD).json() == {"count": 2}
    assert client_for(colleague).get(UNREAD).json() == {"count": 1}


# notification-preferences/ -----------------------------------------------------------------------


@time_machine.travel("2025-03-08 10:00:00+00:00", tick=False)  # a Saturday
def test_preferences_show_every_kind_and_the_defaults(reader):
    response = client_for(reader).get(PREFERENCES)

    assert response.status_code == 200
    body = response.json()
    assert [entry["kind"] for entry in body["kinds"]] == list(Kind.values)
    assert body["kinds"][0] == {
        "kind": "mention",
        "label": "Mentions of me",
        "delivery": DEFAULT_DELIVERY[Kind.MENTION],
        "default": DEFAULT_DELIVERY[Kind.MENTION],
    }
    assert {key: value for key, value in body.items() if key != "kinds"} == {
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "quiet_weekends": False,
        "digest_frequency": "weekly",
        "email_enabled": True,
        "time_zone": "Europe/Paris",
        "quiet_now": False,
    }
    assert not NotificationSettings.objects.exists()


def test_patching_preferences_changes_only_what_is_given(reader):
    client = client_for(reader)

    response = client.patch(
        PREFERENCES,
        {
            "kinds": {"mention": "off", "reaction": "email_digest"},
            "quiet_hours_start": "20:00",
            "quiet_hours_end": "07:00",
            "digest_frequency": "daily",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    deliveries = {entry["kind"]: entry["delivery"] for entry in body["kinds"]}
    assert deliveries["mention"] == "off"
    assert deliveries["reaction"] == "email_digest"
    assert deliveries["kudos"] == DEFAULT_DELIVERY[Kind.KUDOS]
    assert body["quiet_hours_start"] == "20:00:00"
    assert body["quiet_hours_end"] == "07:00:00"
    assert body["digest_frequency"] == "daily"
    assert body["email_enabled"] is True

    client.patch(PREFERENCES, {"email_enabled": False}, format="json")
    settings = NotificationSettings.objects.get(user=reader)
    assert settings.email_enabled is False
    assert settings.quiet_hours_start == time(20)
    assert settings.digest_frequency == "daily"


def test_quiet_now_follows_my_quiet_hours_in_my_time_zone(reader):
    client = client_for(reader)
    client.patch(
        PREFERENCES, {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"}, format="json"
    )

    # 21:30 UTC on a Wednesday is 22:30 in Paris (winter time)
    with time_machine.travel("2025-03-05 21:30:00+00:00", tick=False):
        assert client.get(PREFERENCES).json()["quiet_now"] is True
    with time_machine.travel("2025-03-05 12:00:00+00:00", tick=False):
        assert client.get(PREFERENCES).json()["quiet_now"] is False


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"kinds": {"gossip": "off"}}, "kinds", ["Unknown notification kind: gossip"]),
        ({"kinds": {"mention": "pigeon"}}, "kinds", None),
        ({"kinds": ["mention"]}, "kinds", None),
        ({"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"}, "quiet_hours_start", None),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end", None),
        ({"digest_frequency": "hourly"}, "digest_frequency", None),
        ({"email_enabled": "perhaps"}, "email_enabled", None),
    ],
)
def test_bad_preferences_answer_400_and_write_nothing(reader, payload, field, message):
    response = client_for(reader).patch(
        PREFERENCES,
        {"kinds": {"reaction": "off"}, "quiet_weekends": True, **payload},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body[field]
    if message is not None:
        assert body[field] == message
    assert not NotificationPreference.objects.exists()
    assert not NotificationSettings.objects.exists()


def test_time_zone_and_quiet_now_are_read_only(reader):
    response = client_for(reader).patch(
        PREFERENCES, {"time_zone": "Asia/Tokyo", "quiet_now": True}, format="json"
    )

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.time_zone == "Europe/Paris"


# communities/{slug}/notification-level/ --------------------------------------------------------


def level_url(community) -> str:
    return f"/api/v1/communities/{community.slug}/notification-level/"


def test_a_member_reads_and_sets_their_level(community, reader):
    make_member(community, reader)
    client = client_for(reader)

    assert client.get(level_url(community)).json() == {
        "level": "",
        "effective_level": "mentions",
        "default_level": "mentions",
    }
    response = client.put(level_url(community), {"level": "all"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "level": "all",
        "effective_level": "all",
        "default_level": "mentions",
    }
    assert client.put(level_url(community), {"level": ""}, format="json").json()["level"] == ""
    assert Membership.objects.get(user=reader, community=community).notification_level == ""


@pytest.mark.parametrize(
    ("who", "visibility", "status"),
    [
        ("member", Community.Visibility.PUBLIC, 200),
        ("member", Community.Visibility.SECRET, 200),
        ("outsider", Community.Visibility.PUBLIC, 403),
        ("outsider", Community.Visibility.PRIVATE, 403),
        ("outsider", Community.Visibility.SECRET, 404),
        ("banned", Community.Visibility.PUBLIC, 403),
    ],
)
def test_level_permissions(author, who, visibility, status):
    community = make_community(owner=author, visibility=visibility)
    person = UserFactory()
    if who in ("member", "banned"):
        make_member(community, person)
    if who == "banned":
        Membership.objects.filter(user=person).update(status=Membership.Status.BANNED)
    client = client_for(person)

    read = client.get(level_url(community))
    write = client.put(level_url(community), {"level": "muted"}, format="json")

    assert (read.status_code, write.status_code) == (status, status)
    level = Membership.objects.filter(user=person).values_list("notification_level", flat=True)
    assert list(level) == (["muted"] if status == 200 else [""] if who == "banned" else [])


def test_an_unknown_level_or_community_is_refused(community, reader):
    make_member(community, reader)
    client = client_for(reader)

    bad = client.put(level_url(community), {"level": "loud"}, format="json")
    missing = client.get("/api/v1/communities/no-such-place/notification-level/")

    assert bad.status_code == 400
    assert "level" in bad.json()
    assert missing.status_code == 404


# posts/{id}/follow/ and mute/ ---------------------------------------------------------------------


def test_following_and_muting_a_thread(post, reader):
    client = client_for(reader)
    follow, mute = f"/api/v1/posts/{post.pk}/follow/", f"/api/v1/posts/{post.pk}/mute/"

    assert client.post(follow).json() == {"state": "following"}
    assert client.delete(mute).json() == {"state": "following"}  # unmuting keeps following
    assert client.post(mute).json() == {"state": "muted"}
    assert client.delete(follow).json() == {"state": "muted"}  # unfollowing keeps the mute
    assert client.delete(mute).json() == {"state": None}
    assert client.delete(follow).json() == {"state": None}
    assert not ThreadSubscription.objects.filter(user=reader).exists()


@pytest.mark.parametrize("action", ["follow", "mute"])
@pytest.mark.parametrize("method", ["post", "delete"])
def test_thread_choices_on_unreadable_posts_are_not_found(author, reader, action, method):
    secret = make_community(owner=author, visibility=Community.Visibility.SECRET)
    private = make_community(owner=author, visibility=Community.Visibility.PRIVATE)
    client = client_for(reader)

    for community in (secret, private):
        post = make_post(community, author=author)
        response = getattr(client, method)(f"/api/v1/posts/{post.pk}/{action}/")
        assert response.status_code == 404
    assert getattr(client, method)(f"/api/v1/posts/{2**70}/{action}/").status_code == 404
    assert not ThreadSubscription.objects.filter(user=reader).exists()


def test_a_member_of_a_private_community_may_follow_its_threads(author, reader):
    private = make_community(owner=author, visibility=Community.Visibility.PRIVATE)
    make_member(private, reader)
    post = make_post(private, author=author)

    response = client_for(reader).post(f"/api/v1/posts/{post.pk}/follow/")

    assert response.json() == {"state": "following"}


# Schema ---------------------------------------------------------------------------------


def test_the_schema_documents_the_endpoints_without_warnings(tmp_path):
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
    assert set(paths["/api/v1/notifications/"]) >= {"get"}
    assert "post" in paths["/api/v1/notifications/read/"]
    assert "get" in paths["/api/v1/notifications/unread-count/"]
    assert {"get", "patch"} <= set(paths["/api/v1/notification-preferences/"])
    assert {"get", "put"} <= set(paths["/api/v1/communities/{slug}/notification-level/"])
    assert {"post", "delete"} <= set(paths["/api/v1/posts/{post_id}/follow/"])
    assert {"post", "delete"} <= set(paths["/api/v1/posts/{post_id}/mute/"])
