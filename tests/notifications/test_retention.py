"""Notification retention: read ones go after CERCLE_NOTIFICATION_READ_RETENTION_DAYS, any
one after CERCLE_NOTIFICATION_RETENTION_DAYS without activity, with their actors, in
bounded batches, daily; the email log keeps opening."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery import app as celery_app
from notifications.models import EmailLog, Kind, Notification, NotificationActor
from notifications.services.centre import notifications_mark_read
from notifications.services.emails import away_emails_send
from notifications.services.fanout import Notice, notify
from notifications.services.retention import notifications_delete_expired
from notifications.tasks import notifications_purge
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def retention(settings):
    settings.CERCLE_NOTIFICATION_READ_RETENTION_DAYS = 180
    settings.CERCLE_NOTIFICATION_RETENTION_DAYS = 365


def notify_at(when, recipient, *, actor=None, kind=Kind.REACTION, **about) -> Notification:
    """``recipient``'s notification written by the fan-out at ``when``."""
    with time_machine.travel(when, tick=False):
        notify(
            notice=Notice(kind=kind, actor_id=actor.pk if actor else None, **about),
            candidates=[recipient.pk],
        )
    return Notification.objects.filter(recipient=recipient).latest("updated_at", "id")


def read_at(when, notification) -> None:
    with time_machine.travel(when, tick=False):
        notifications_mark_read(user=notification.recipient, ids=[notification.pk])


def purge_at(when, **kwargs) -> int:
    with time_machine.travel(when, tick=False):
        return notifications_delete_expired(**kwargs)


def kept_ids() -> set[int]:
    return set(Notification.objects.values_list("pk", flat=True))


def test_notifications_read_over_the_read_retention_go_daily_and_others_stay():
    member = UserFactory()
    read_long_ago = notify_at(START, member)
    read_at(START + timedelta(days=1), read_long_ago)
    read_recently = notify_at(START, member)
    read_at(START + timedelta(days=100), read_recently)
    unread = notify_at(START, member)

    # Read exactly 180 days ago: not yet more than that.
    assert purge_at(START + timedelta(days=181)) == 0
    with time_machine.travel(START + timedelta(days=181, minutes=1), tick=False):
        assert notifications_purge.delay().get() == 1
        assert notifications_purge() == 0  # twice is harmless

    assert kept_ids() == {read_recently.pk, unread.pk}


def test_unread_notifications_stay_until_the_hard_limit_after_which_any_goes():
    member = UserFactory()
    unread = notify_at(START, member)
    read_last_month = notify_at(START, member)
    read_at(START + timedelta(days=335), read_last_month)
    recent = notify_at(START + timedelta(days=300), member)

    assert purge_at(START + timedelta(days=365)) == 0
    assert kept_ids() == {unread.pk, read_last_month.pk, recent.pk}

    # The task also takes the time as JSON (an ISO string).
    later = START + timedelta(days=365, minutes=1)
    assert notifications_purge.delay(later.isoformat()).get() == 2
    assert kept_ids() == {recent.pk}


def test_a_grouped_notification_with_new_activity_is_kept_past_the_hard_limit():
    member, alice, bob = UserFactory(), UserFactory(), UserFactory()
    grouped = notify_at(START, member, actor=alice, group_key="reactions:post:1")
    merged = notify_at(START + timedelta(days=360), member, actor=bob, group_key="reactions:post:1")
    assert (merged.pk, merged.actor_count, merged.created_at) == (grouped.pk, 2, START)

    assert purge_at(START + timedelta(days=366)) == 0
    assert purge_at(START + timedelta(days=360 + 366)) == 1
    assert not Notification.objects.exists()


def test_actors_go_with_their_notifications():
    member, alice, bob = UserFactory(), UserFactory(), UserFactory()
    old = notify_at(START, member, actor=alice, group_key="reactions:post:1")
    notify_at(START, member, actor=bob, group_key="reactions:post:1")
    read_at(START + timedelta(hours=1), old)
    kept = notify_at(START, member, actor=alice, group_key="reactions:post:2")
    notify_at(START, member, actor=bob, group_key="reactions:post:2")
    assert NotificationActor.objects.filter(notification=old).count() == 2

    assert purge_at(START + timedelta(days=200)) == 1

    assert kept_ids() == {kept.pk}
    actors = NotificationActor.objects.values_list("notification_id", "user_id")
    assert sorted(actors) == sorted([(kept.pk, alice.pk), (kept.pk, bob.pk)])


def test_the_purge_deletes_in_batches_of_at_most_the_batch_size():
    member = UserFactory()
    rows = [notify_at(START, member) for _ in range(9)]
    # Expired and kept rows interleave, so each batch's id range also holds kept ones.
    expired, kept = rows[::2], rows[1::2]
    for notification in expired:
        read_at(START + timedelta(days=1), notification)

    with CaptureQueriesContext(connection) as queries:
        deleted = purge_at(START + timedelta(days=200), batch_size=2)

    table = connection.ops.quote_name(Notification._meta.db_table)
    deletes = [q["sql"] for q in queries if q["sql"].startswith(f"DELETE FROM {table}")]
    assert (deleted, len(deletes)) == (5, 3)
    assert kept_ids() == {notification.pk for notification in kept}


@pytest.mark.parametrize("rows", [1, 150])
def test_the_queries_of_a_batch_do_not_grow_with_its_rows(rows, django_assert_num_queries):
    # 150: past Django's cascade, which deletes 100 rows per statement.
    actor = UserFactory()
    members = [UserFactory() for _ in range(rows)]
    with time_machine.travel(START, tick=False):
        notify(
            notice=Notice(kind=Kind.REACTION, actor_id=actor.pk, group_key="reactions:post:1"),
            candidates=[member.pk for member in members],
        )
    assert NotificationActor.objects.count() == rows

    # Read the ids; then, in a transaction (savepoint here), the notifications and
    # their actors; a batch smaller than the batch size is the last one.
    with django_assert_num_queries(5):
        assert purge_at(START + timedelta(days=366)) == rows

    assert not Notification.objects.exists()
    assert not NotificationActor.objects.exists()


def test_the_email_log_still_opens_when_its_notifications_are_purged(client):
    community = make_community()
    author = community.memberships.get().user
    member = make_member(community)
    with time_machine.travel(START, tick=False):
        posts = [make_post(community, author=author, title=title) for title in ("Q1", "Q2")]
    for post in posts:
        notify_at(
            START,
            member,
            kind=Kind.MENTION,
            actor=author,
            community_id=community.pk,
            post_id=post.pk,
        )
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        assert away_emails_send() == 1
    log = EmailLog.objects.get()
    read, unread = Notification.objects.filter(email=log).order_by("pk")
    read_at(START + timedelta(hours=1), read)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = f"/admin/notifications/emaillog/{log.pk}/change/"

    def carried_links(body: str) -> set[int]:
        return {
            pk
            for pk in (read.pk, unread.pk)
            if f"/admin/notifications/notification/{pk}/change/" in body
        }

    assert carried_links(client.get(page).content.decode()) == {read.pk, unread.pk}

    assert purge_at(START + timedelta(days=200)) == 1
    response = client.get(page)
    assert response.status_code == 200
    assert carried_links(response.content.decode()) == {unread.pk}

    assert purge_at(START + timedelta(days=366)) == 1
    response = client.get(page)
    assert response.status_code == 200
    body = response.content.decode()
    assert log.subject in body and carried_links(body) == set()
    log.refresh_from_db()
    assert log.notification_count == 2  # what the email carried, still told


def test_the_purge_is_scheduled_daily():
    entries = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "notifications.tasks.notifications_purge"
    ]

    assert entries == [{"task": "notifications.tasks.notifications_purge", "schedule": 86400.0}]
    assert celery_app.tasks[entries[0]["task"]].name == notifications_purge.name
