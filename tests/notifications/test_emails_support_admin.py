"""The support admin: notification and email logs, read-only, for staff with the view
permissions (superusers included); everyone else is refused."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission

from notifications.models import (
    EmailLog,
    Kind,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from notifications.services.emails import away_emails_send
from notifications.services.fanout import Notice, notify
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)

PAGES = [
    "/admin/notifications/notification/",
    "/admin/notifications/emaillog/",
    "/admin/notifications/notificationsettings/",
    "/admin/notifications/notificationpreference/",
]


@pytest.fixture
def emailed():
    """A member with two notifications: one emailed (with its EmailLog), one not."""
    community = make_community()
    author = community.memberships.get().user
    member = make_member(
        community, UserFactory(email="support.case@acme.example", display_name="Support Case")
    )
    NotificationSettings.objects.create(user=member, quiet_weekends=True)
    NotificationPreference.objects.create(user=member, kind=Kind.REACTION, delivery="off")
    with time_machine.travel(WEDNESDAY, tick=False):
        post = make_post(community, author=author, title="Quarterly plan")
        notify(
            notice=Notice(
                kind=Kind.MENTION, actor_id=author.pk, community_id=community.pk, post_id=post.pk
            ),
            candidates=[member.pk],
        )
    with time_machine.travel(WEDNESDAY + timedelta(minutes=10), tick=False):
        assert away_emails_send() == 1
        notify(
            notice=Notice(
                kind=Kind.THREAD_COMMENT,
                actor_id=author.pk,
                community_id=community.pk,
                post_id=post.pk,
            ),
            candidates=[member.pk],
        )
    return member


def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("page", PAGES)
def test_a_superuser_reads_every_support_page(client, emailed, page):
    response = superuser_client(client).get(page)

    assert response.status_code == 200
    assert "Support Case" in response.content.decode()


def test_notifications_filter_by_read_and_emailed_and_search_by_email(client, emailed):
    client = superuser_client(client)
    base = "/admin/notifications/notification/"
    sent = Notification.objects.get(emailed_at__isnull=False)
    waiting = Notification.objects.get(emailed_at__isnull=True)

    def listed(**query):
        body = client.get(base, query).content.decode()
        return {n.pk for n in (sent, waiting) if f"{base}{n.pk}/change/" in body}

    assert listed(emailed="yes") == {sent.pk}
    assert listed(emailed="no") == {waiting.pk}
    assert listed(read="no", q="support.case@acme.example") == {sent.pk, waiting.pk}
    assert listed(read="yes") == set()
    assert listed(q="nobody@acme.example") == set()
    assert listed(kind__exact=Kind.MENTION) == {sent.pk}


def test_an_email_log_shows_the_notifications_it_carried(client, emailed):
    log = EmailLog.objects.get()
    carried = Notification.objects.get(email=log)

    response = superuser_client(client).get(f"/admin/notifications/emaillog/{log.pk}/change/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Notifications carried" in body
    assert f"/admin/notifications/notification/{carried.pk}/change/" in body
    assert log.subject in body


def test_nothing_can_be_added_changed_or_deleted_even_by_a_superuser(client, emailed):
    client = superuser_client(client)
    notification = Notification.objects.filter(emailed_at__isnull=False).get()
    log = EmailLog.objects.get()
    settings = NotificationSettings.objects.get(user=emailed)

    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert client.get("/admin/notifications/emaillog/add/").status_code == 403
    change = client.post(
        f"/admin/notifications/notification/{notification.pk}/change/", {"kind": "badge"}
    )
    assert change.status_code == 403
    delete = client.post(f"/admin/notifications/emaillog/{log.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    settings_change = client.post(
        f"/admin/notifications/notificationsettings/{settings.pk}/change/",
        {"email_enabled": ""},
    )
    assert settings_change.status_code == 403
    # The detail page is a read-only view.
    view = client.get(f"/admin/notifications/notification/{notification.pk}/change/")
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()

    notification.refresh_from_db()
    settings.refresh_from_db()
    assert notification.kind == Kind.MENTION and settings.email_enabled is True
    assert EmailLog.objects.filter(pk=log.pk).exists()


def test_staff_with_the_view_permission_reads_the_logs(client, emailed):
    support = UserFactory(is_staff=True)
    support.user_permissions.add(
        Permission.objects.get(codename="view_notification"),
        Permission.objects.get(codename="view_emaillog"),
    )
    client.force_login(support)

    assert client.get("/admin/notifications/notification/").status_code == 200
    assert client.get("/admin/notifications/emaillog/").status_code == 200
    assert client.get("/admin/notifications/notificationsettings/").status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_staff_without_permission_are_refused(client, emailed, page):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(page).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_members_who_are_not_staff_are_sent_to_the_login(client, emailed, page):
    client.force_login(UserFactory())

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
