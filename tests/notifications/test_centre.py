"""The notification centre: reading one's own notifications, marking them read, the bell.

Notifications are created the one way they are in production, through ``notify()``.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.services.comments import comment_create
from config.errors import NotFound
from notifications.events import user_group
from notifications.models import Kind, Notification
from notifications.selectors.notifications import (
    notification_get_for,
    notification_list_for,
    unread_count,
)
from notifications.services.centre import notifications_mark_read
from notifications.services.fanout import Notice, notify
from tests.factories import UserFactory, make_community, make_post
from tests.live import Listener

pytestmark = pytest.mark.django_db

CENTRE = "/notifications/"
MARK_READ = "/notifications/read/"


def notify_one(recipient, *, post, actor=None, kind=Kind.MENTION, **notice) -> Notification:
    """One new notification of ``recipient`` about ``post`` (through the fan-out)."""
    actor = actor or post.author
    notify(
        notice=Notice(
            kind=kind,
            actor_id=actor.pk,
            community_id=post.community_id,
            post_id=post.pk,
            **notice,
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
    return UserFactory(display_name="Rita Reader")


@pytest.fixture
def colleague(db):
    return UserFactory(display_name="Colin Colleague")


# Selectors ------------------------------------------------------------------------------


def test_the_list_holds_only_my_notifications_latest_activity_first(post, reader, colleague):
    first = notify_one(reader, post=post)
    mine_too = notify_one(reader, post=post, kind=Kind.REPLY)
    notify_one(colleague, post=post)

    listed = list(notification_list_for(user=reader))

    assert listed == [mine_too, first]


def test_the_list_filters_by_read_state_and_kind(post, reader):
    mention = notify_one(reader, post=post)
    reply = notify_one(reader, post=post, kind=Kind.REPLY)
    notifications_mark_read(user=reader, ids=[mention.pk])

    assert list(notification_list_for(user=reader, unread=True)) == [reply]
    assert list(notification_list_for(user=reader, unread=False)) == [mention]
    assert list(notification_list_for(user=reader, kind=Kind.MENTION)) == [mention]
    assert list(notification_list_for(user=reader, unread=True, kind=Kind.MENTION)) == []
    assert unread_count(user=reader) == 1


def test_another_members_notification_is_not_found(post, reader, colleague):
    theirs = notify_one(colleague, post=post)

    with pytest.raises(NotFound):
        notification_get_for(user=reader, notification_id=theirs.pk)
    with pytest.raises(NotFound):
        notification_get_for(user=reader, notification_id=2**70)
    assert notification_get_for(user=colleague, notification_id=theirs.pk) == theirs


@pytest.mark.parametrize("rows", [1, 20])
def test_listing_costs_one_query_whatever_the_number_of_rows(
    rows, post, reader, django_assert_num_queries
):
    for _ in range(rows):
        notify_one(reader, post=post)

    with django_assert_num_queries(1):
        listed = list(notification_list_for(user=reader))
        # what the wording and the link need is joined
        assert all(n.actor.display_name and n.post.title and n.community.slug for n in listed)

    assert len(listed) == rows


# Marking read ---------------------------------------------------------------------------


def test_marking_one_read_tells_my_devices_after_the_commit(
    post, reader, django_capture_on_commit_callbacks
):
    first = notify_one(reader, post=post)
    second = notify_one(reader, post=post, kind=Kind.REPLY)
    listener = Listener(user_group(reader.pk))

    with django_capture_on_commit_callbacks(execute=True):
        marked = notifications_mark_read(user=reader, ids=[first.pk])

    assert marked == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read and not second.is_read
    events = listener.events()
    assert [event["type"] for event in events] == ["notification.read", "unread_count"]
    assert events[0]["data"] == {"ids": [first.pk], "all": False, "unread_count": 1}
    assert events[1]["data"] == {"count": 1}


def test_marking_all_read_leaves_other_members_notifications_alone(
    post, reader, colleague, django_capture_on_commit_callbacks
):
    notify_one(reader, post=post)
    notify_one(reader, post=post, kind=Kind.REPLY)
    theirs = notify_one(colleague, post=post)
    listener = Listener(user_group(reader.pk))

    with django_capture_on_commit_callbacks(execute=True):
        marked = notifications_mark_read(user=reader, all_unread=True)

    assert marked == 2
    assert unread_count(user=reader) == 0
    theirs.refresh_from_db()
    assert not theirs.is_read
    events = listener.events()
    assert events[0]["type"] == "notification.read"
    assert events[0]["data"]["all"] is True
    assert events[0]["data"]["unread_count"] == 0
    assert events[1] == {**events[1], "type": "unread_count", "data": {"count": 0}}


def test_other_members_ids_are_ignored_and_nothing_is_sent(
    post, reader, colleague, django_capture_on_commit_callbacks
):
    theirs = notify_one(colleague, post=post)
    reader_listener = Listener(user_group(reader.pk))
    colleague_listener = Listener(user_group(colleague.pk))

    with django_capture_on_commit_callbacks(execute=True):
        marked = notifications_mark_read(user=reader, ids=[theirs.pk])

    assert marked == 0
    theirs.refresh_from_db()
    assert not theirs.is_read
    assert reader_listener.events() == []
    assert colleague_listener.events() == []


# The centre page ----------------------------------------------------------------------------


def test_the_centre_lists_my_notifications_with_their_wording_and_unread_style(
    client, post, reader, colleague
):
    mine = notify_one(reader, post=post)
    theirs = notify_one(colleague, post=post, kind=Kind.REPLY)
    client.force_login(reader)

    response = client.get(CENTRE)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Author mentioned you in “Roadmap”" in body
    assert f'id="notification-{mine.pk}" class="notification notification--unread"' in body
    assert reverse("notifications:open", args=[mine.pk]) in body
    assert f"notification-{theirs.pk}" not in body
    assert "Mark all as read" in body


def test_the_centre_filters_by_read_state_and_kind(client, post, reader):
    mention = notify_one(reader, post=post)
    reply = notify_one(reader, post=post, kind=Kind.REPLY)
    notifications_mark_read(user=reader, ids=[mention.pk])
    client.force_login(reader)

    unread = client.get(CENTRE, {"show": "unread"}).content.decode()
    read = client.get(CENTRE, {"show": "read"}).content.decode()
    replies = client.get(CENTRE, {"kind": "reply"}).content.decode()

    assert f"notification-{reply.pk}" in unread and f"notification-{mention.pk}" not in unread
    assert f"notification-{mention.pk}" in read and f"notification-{reply.pk}" not in read
    assert f"notification-{reply.pk}" in replies and f"notification-{mention.pk}" not in replies


def test_an_unknown_filter_shows_everything_with_a_message(client, post, reader):
    mention = notify_one(reader, post=post)
    client.force_login(reader)

    response = client.get(CENTRE, {"kind": "gossip"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "This filter does not exist" in body
    assert f"notification-{mention.pk}" in body


def test_the_centre_pages_twenty_at_a_time_keeping_the_filters(client, post, reader):
    created = [notify_one(reader, post=post) for _ in range(21)]
    client.force_login(reader)

    first = client.get(CENTRE, {"kind": "mention"}).content.decode()
    second = client.get(CENTRE, {"kind": "mention", "page": 2}).content.decode()

    assert first.count('class="notification ') == 20
    assert "?kind=mention&amp;page=2" in first
    assert second.count('class="notification ') == 1
    assert f"notification-{created[0].pk}" in second


def test_an_empty_centre_says_so(client, reader):
    client.force_login(reader)

    body = client.get(CENTRE).content.decode()

    assert "No notifications yet" in body
    assert "Mark all as read" not in body


def test_the_centre_requires_logging_in(client):
    response = client.get(CENTRE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _page_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_the_centre_query_count_does_not_grow_with_the_rows(client, post, reader):
    client.force_login(reader)
    notify_one(reader, post=post)
    one = _page_queries(client, CENTRE)
    for _ in range(19):
        notify_one(reader, post=post)

    assert _page_queries(client, CENTRE) == one


# Opening a notification ---------------------------------------------------------------------


def test_opening_marks_read_and_leads_to_the_object(client, post, reader):
    mention = notify_one(reader, post=post)
    client.force_login(reader)

    response = client.get(reverse("notifications:open", args=[mention.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("communities:post", args=[post.pk])
    mention.refresh_from_db()
    assert mention.is_read


def test_opening_a_comment_notification_leads_to_the_comment(client, post, reader, colleague):
    comment = comment_create(author=colleague, post=post, body="Agreed.")
    notification = notify_one(
        reader, post=post, actor=colleague, kind=Kind.REPLY, comment_id=comment.pk
    )
    client.force_login(reader)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response["Location"] == (
        reverse("communities:post", args=[post.pk]) + f"#comment-{comment.pk}"
    )


def test_opening_another_members_notification_is_not_found(client, post, reader, colleague):
    theirs = notify_one(colleague, post=post)
    client.force_login(reader)

    response = client.get(reverse("notifications:open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read
    assert client.get("/notifications/99999999999999999999999/open/").status_code == 404


# Marking read in the browser ------------------------------------------------------------------


def test_marking_one_read_with_htmx_swaps_the_row_and_updates_the_bell(client, post, reader):
    first = notify_one(reader, post=post)
    notify_one(reader, post=post, kind=Kind.REPLY)
    client.force_login(reader)

    response = client.post(MARK_READ, {"id": first.pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="notification-{first.pk}" class="notification"' in body
    assert 'id="nav-bell" class="nav-bell" hx-swap-oob="true"' in body
    assert 'aria-label="Notifications, 1 unread"' in body
    assert (
        '<p id="centre-unread-summary" class="meta" hx-swap-oob="true">1 unread notification</p>'
        in body
    )
    assert "Marked read." in body
    first.refresh_from_db()
    assert first.is_read


def test_marking_all_read_with_htmx_swaps_the_list(client, post, reader):
    notify_one(reader, post=post)
    notify_one(reader, post=post, kind=Kind.REPLY)
    client.force_login(reader)

    response = client.post(MARK_READ, {"all": "on"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert "2 notifications marked read." in body
    assert "notification--unread" not in body
    assert "Mark all as read" not in body
    assert 'aria-label="Notifications, none unread"' in body
    assert unread_count(user=reader) == 0


def test_marking_read_without_javascript_redirects_back_with_a_message(client, post, reader):
    first = notify_one(reader, post=post)
    client.force_login(reader)

    response = client.post(MARK_READ, {"id": first.pk}, follow=True)

    assert response.redirect_chain[-1][0] == CENTRE
    assert "Marked read." in response.content.decode()
    first.refresh_from_db()
    assert first.is_read

    response = client.post(MARK_READ, {"all": "on"})
    assert response.status_code == 302


def test_marking_another_members_notification_read_is_not_found(client, post, reader, colleague):
    theirs = notify_one(colleague, post=post)
    client.force_login(reader)

    response = client.post(MARK_READ, {"id": theirs.pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


@pytest.mark.parametrize("data", [{}, {"id": "abc"}, {"id": "0"}])
def test_marking_read_without_a_valid_choice_is_refused(client, reader, data):
    client.force_login(reader)

    htmx = client.post(MARK_READ, data, HTTP_HX_REQUEST="true")
    plain = client.post(MARK_READ, data, follow=True)

    assert htmx.status_code == 400
    assert 'role="alert"' in htmx.content.decode()
    assert plain.status_code == 200
    assert "message--error" in plain.content.decode()


def test_marking_read_only_accepts_posts(client, reader):
    client.force_login(reader)

    assert client.get(MARK_READ).status_code == 405


# The bell -------------------------------------------------------------------------------------


def test_the_bell_shows_my_unread_count_on_every_page(client, post, reader, colleague):
    for _ in range(3):
        notify_one(reader, post=post)
    notify_one(colleague, post=post)
    client.force_login(reader)

    body = client.get("/").content.decode()

    assert 'aria-label="Notifications, 3 unread"' in body
    assert re.search(r'<span class="bell-badge" aria-hidden="true">3</span>', body)
    assert f'href="{CENTRE}"' in body
    assert "Notification settings" in body


def test_the_bell_caps_its_badge_and_has_no_badge_when_all_is_read(client, post, reader):
    client.force_login(reader)
    assert "bell-badge" not in client.get("/communities/").content.decode()

    for _ in range(100):
        notify_one(reader, post=post)
    body = client.get("/communities/").content.decode()

    assert ">99+</span>" in body
    assert 'aria-label="Notifications, 100 unread"' in body


def test_visitors_see_no_bell(client):
    body = client.get("/accounts/login/").content.decode()

    assert "nav-bell" not in body


def test_the_bell_costs_one_count_query(client, post, reader):
    notify_one(reader, post=post)
    client.force_login(reader)
    client.get("/communities/")

    with CaptureQueriesContext(connection) as context:
        client.get("/communities/")

    bell_queries = [
        query["sql"]
        for query in context.captured_queries
        if "notifications_notification" in query["sql"]
    ]
    assert len(bell_queries) == 1
    assert "COUNT(" in bell_queries[0].upper()


def test_notifications_of_a_private_community_one_left_drop_out_of_the_centre():
    from communities.models import Community
    from communities.services.memberships import membership_leave
    from tests.factories import make_member

    community = make_community(visibility=Community.Visibility.PRIVATE)
    member = make_member(community)
    post = make_post(community)
    notify_one(member, post=post)
    assert unread_count(user=member) == 1

    membership_leave(user=member, community=community)

    assert list(notification_list_for(user=member)) == []
    assert unread_count(user=member) == 0
