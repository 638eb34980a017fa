"""The away email: a notification still unread after the delay, while its member was not
active and outside their quiet hours, is emailed, batched per member and window."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
import time_machine
from celery import current_app
from django.contrib.sites.models import Site
from django.core import mail

from communities.models import Community, Membership
from communities.services.memberships import membership_leave
from metrics.services import member_seen
from notifications.models import (
    Delivery,
    EmailLog,
    Kind,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from notifications.services.centre import notifications_mark_read
from notifications.services.emails import away_emails_send, away_notifications_due
from notifications.services.fanout import Notice, notify
from notifications.tasks import notification_emails_send_due
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

# A Wednesday, 10:00 UTC.
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
DELAY = timedelta(minutes=10)


@pytest.fixture
def community():
    return make_community(name="Platform", owner=UserFactory(display_name="Alice Author"))


@pytest.fixture
def author(community):
    return community.memberships.get().user


@pytest.fixture
def member(community):
    return make_member(community, UserFactory(email="bob@acme.example", display_name="Bob"))


def mention(member, community, author, title="Roadmap"):
    """Alice mentions ``member`` in a new post (created through the fan-out)."""
    post = make_post(community, author=author, title=title)
    notify(
        notice=Notice(
            kind=Kind.MENTION, actor_id=author.pk, community_id=community.pk, post_id=post.pk
        ),
        candidates=[member.pk],
    )
    return Notification.objects.filter(recipient=member).latest("id")


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return away_emails_send()


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_nothing_is_emailed_before_the_delay(community, author, member):
    with at(WEDNESDAY):
        notification = mention(member, community, author)

    assert run_at(WEDNESDAY + DELAY - timedelta(seconds=1)) == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None and EmailLog.objects.count() == 0


def test_an_unread_notification_is_emailed_once_after_the_delay(community, author, member):
    with at(WEDNESDAY):
        notification = mention(member, community, author)

    assert run_at(WEDNESDAY + DELAY) == 1
    assert run_at(WEDNESDAY + DELAY * 3) == 0

    [message] = mail.outbox
    assert message.to == ["bob@acme.example"]
    assert message.subject == "Alice Author mentioned you in “Roadmap”"
    link = f"https://example.com/notifications/{notification.pk}/open/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    notification.refresh_from_db()
    log = EmailLog.objects.get()
    assert notification.emailed_at == WEDNESDAY + DELAY
    assert notification.email == log
    assert (log.recipient, log.category, log.notification_count) == (
        member,
        EmailLog.Category.NOTIFICATIONS,
        1,
    )
    assert log.subject == message.subject and log.sent_at == WEDNESDAY + DELAY


def test_every_email_has_text_and_html_parts_and_one_click_unsubscribe_headers(
    client, community, author, member
):
    with at(WEDNESDAY):
        mention(member, community, author)
    run_at(WEDNESDAY + DELAY)

    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://example.com/notifications/unsubscribe/")
    assert header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = header[1:-1]
    html = message.alternatives[0][0]
    assert unsubscribe_url in message.body and unsubscribe_url in html
    assert "https://example.com/notifications/preferences/" in message.body
    assert 'href="https://example.com/notifications/preferences/"' in html
    rendered = message.message()
    assert rendered["List-Unsubscribe"] == header
    assert rendered.is_multipart()

    # The header's address is the one-click unsubscribe of this member's email.
    response = client.post(
        unsubscribe_url.removeprefix("https://example.com"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert NotificationSettings.objects.get(user=member).email_enabled is False


def test_a_member_active_since_the_notification_is_not_emailed(community, author, member):
    with at(WEDNESDAY):
        notification = mention(member, community, author)
    member_seen(user_id=member.pk, at=WEDNESDAY + timedelta(minutes=3))

    assert run_at(WEDNESDAY + DELAY) == 0
    assert run_at(WEDNESDAY + DELAY * 6) == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_a_member_last_seen_before_the_notification_is_away(community, author, member):
    member_seen(user_id=member.pk, at=WEDNESDAY - timedelta(minutes=1))
    with at(WEDNESDAY):
        mention(member, community, author)

    assert run_at(WEDNESDAY + DELAY) == 1


def test_a_notification_read_meanwhile_is_not_emailed(community, author, member):
    with at(WEDNESDAY):
        notification = mention(member, community, author)
    with at(WEDNESDAY + timedelta(minutes=4)):
        notifications_mark_read(user=member, ids=[notification.pk])

    assert run_at(WEDNESDAY + DELAY) == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None  # an email avoided


def test_new_activity_on_a_grouped_notification_restarts_its_delay(community, author, member):
    post = make_post(community, author=author)
    other = make_member(community, UserFactory(display_name="Carol"))

    def reply(actor, moment):
        with at(moment):
            notify(
                notice=Notice(
                    kind=Kind.REPLY,
                    actor_id=actor.pk,
                    community_id=community.pk,
                    post_id=post.pk,
                    group_key=f"reply:{post.pk}",
                ),
                candidates=[member.pk],
            )

    reply(author, WEDNESDAY)
    reply(other, WEDNESDAY + timedelta(minutes=8))

    assert run_at(WEDNESDAY + DELAY) == 0
    assert run_at(WEDNESDAY + timedelta(minutes=18)) == 1

    [message] = mail.outbox
    assert message.subject == f"Carol and 1 other replied to you in “{post.title}”"


def test_quiet_hours_hold_emails_and_one_email_sums_them_up_after(community, author, member):
    member.time_zone = "Europe/Paris"  # UTC+1 in March
    member.save()
    NotificationSettings.objects.create(
        user=member, quiet_hours_start=time(22, 0), quiet_hours_end=time(7, 0)
    )
    night = datetime(2026, 3, 4, 21, 30, tzinfo=UTC)  # 22:30 in Paris
    with at(night):
        first = mention(member, community, author, title="First")
    with at(night + timedelta(hours=3)):
        second = mention(member, community, author, title="Second")

    assert run_at(night + DELAY) == 0
    assert run_at(datetime(2026, 3, 5, 5, 59, tzinfo=UTC)) == 0  # 06:59 in Paris
    assert mail.outbox == []

    assert run_at(datetime(2026, 3, 5, 6, 0, tzinfo=UTC)) == 1  # 07:00 in Paris

    [message] = mail.outbox
    assert message.subject == "2 unread notifications on Cercle"
    assert "“First”" in message.body and "“Second”" in message.body
    assert set(Notification.objects.filter(emailed_at__isnull=False)) == {first, second}
    assert EmailLog.objects.get().notification_count == 2


def test_quiet_weekends_hold_emails_until_monday(community, author, member):
    NotificationSettings.objects.create(user=member, quiet_weekends=True)
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
    with at(saturday):
        mention(member, community, author, title="Saturday")
    with at(saturday + timedelta(days=1)):
        mention(member, community, author, title="Sunday")

    assert run_at(saturday + DELAY) == 0
    assert run_at(datetime(2026, 3, 8, 23, 59, tzinfo=UTC)) == 0

    assert run_at(datetime(2026, 3, 9, 0, 0, tzinfo=UTC)) == 1
    [message] = mail.outbox
    assert "“Saturday”" in message.body and "“Sunday”" in message.body


def test_quiet_hours_are_read_in_each_members_time_zone(community, author):
    quiet = {"quiet_hours_start": time(22, 0), "quiet_hours_end": time(7, 0)}
    tokyo = make_member(community, UserFactory(time_zone="Asia/Tokyo"))
    new_york = make_member(community, UserFactory(time_zone="America/New_York"))
    NotificationSettings.objects.create(user=tokyo, **quiet)
    NotificationSettings.objects.create(user=new_york, **quiet)
    moment = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo, 09:00 in New York
    with at(moment):
        post = make_post(community, author=author)
        notify(
            notice=Notice(
                kind=Kind.MENTION, actor_id=author.pk, community_id=community.pk, post_id=post.pk
            ),
            candidates=[tokyo.pk, new_york.pk],
        )

    assert run_at(moment + DELAY) == 1

    assert [message.to for message in mail.outbox] == [[new_york.email]]


def test_a_member_who_turned_email_off_is_not_emailed(community, author, member):
    NotificationSettings.objects.create(user=member, email_enabled=False)
    with at(WEDNESDAY):
        mention(member, community, author)

    assert run_at(WEDNESDAY + DELAY * 2) == 0
    assert mail.outbox == []


def test_an_inactive_account_is_not_emailed(community, author, member):
    with at(WEDNESDAY):
        mention(member, community, author)
    member.is_active = False
    member.save()

    assert run_at(WEDNESDAY + DELAY) == 0


def test_in_app_and_digest_deliveries_never_go_in_the_away_email(community, author, member):
    post = make_post(community, author=author)
    NotificationPreference.objects.create(user=member, kind=Kind.KUDOS, delivery=Delivery.IN_APP)
    with at(WEDNESDAY):
        for kind in (Kind.REACTION, Kind.THREAD_COMMENT, Kind.KUDOS):  # in_app, digest, chosen
            notify(
                notice=Notice(
                    kind=kind, actor_id=author.pk, community_id=community.pk, post_id=post.pk
                ),
                candidates=[member.pk],
            )
    deliveries = set(Notification.objects.values_list("delivery", flat=True))
    assert deliveries == {Delivery.IN_APP, Delivery.EMAIL_DIGEST}

    assert run_at(WEDNESDAY + DELAY * 2) == 0
    assert mail.outbox == []


def test_three_notifications_make_one_email(community, author, member):
    with at(WEDNESDAY):
        notifications = [
            mention(member, community, author, title=title) for title in ("One", "Two", "Three")
        ]

    assert run_at(WEDNESDAY + DELAY) == 1

    [message] = mail.outbox
    assert message.subject == "3 unread notifications on Cercle"
    for notification in notifications:
        assert f"/notifications/{notification.pk}/open/" in message.body
    log = EmailLog.objects.get()
    assert log.notification_count == 3
    assert set(log.notifications.all()) == set(notifications)


def test_each_member_gets_their_own_email(community, author, member):
    colleague = make_member(community)
    with at(WEDNESDAY):
        post = make_post(community, author=author)
        notify(
            notice=Notice(
                kind=Kind.MENTION, actor_id=author.pk, community_id=community.pk, post_id=post.pk
            ),
            candidates=[member.pk, colleague.pk],
        )

    assert run_at(WEDNESDAY + DELAY) == 2

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [member.email, colleague.email]
    )
    assert EmailLog.objects.count() == 2


def test_no_second_email_within_the_delay_window(community, author, member):
    with at(WEDNESDAY):
        first = mention(member, community, author, title="First")
    with at(WEDNESDAY + timedelta(minutes=5)):
        second = mention(member, community, author, title="Second")

    assert run_at(WEDNESDAY + DELAY) == 1  # the first only: the second is not due yet
    assert run_at(WEDNESDAY + timedelta(minutes=15)) == 0  # due, but inside the window
    second.refresh_from_db()
    assert second.emailed_at is None

    assert run_at(WEDNESDAY + timedelta(minutes=20)) == 1
    assert [m.subject for m in mail.outbox] == [
        "Alice Author mentioned you in “First”",
        "Alice Author mentioned you in “Second”",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.email_id != second.email_id


def test_a_member_who_left_a_private_community_is_not_emailed_about_it(author):
    community = make_community(owner=author, visibility=Community.Visibility.PRIVATE)
    member = make_member(community)
    with at(WEDNESDAY):
        mention(member, community, author)
    membership_leave(user=member, community=community)
    assert Membership.objects.get(user=member, community=community).status != "active"

    assert run_at(WEDNESDAY + DELAY) == 0
    assert mail.outbox == []


def test_a_failing_email_is_rolled_back_and_does_not_stop_the_others(
    community, author, member, caplog
):
    colleague = make_member(community)
    with at(WEDNESDAY):
        post = make_post(community, author=author)
        notify(
            notice=Notice(
                kind=Kind.MENTION, actor_id=author.pk, community_id=community.pk, post_id=post.pk
            ),
            candidates=[member.pk, colleague.pk],
        )
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_bob(self, messages):
        if messages[0].to == [member.email]:
            raise OSError("mail server refused")
        return original(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", refuse_bob):
        assert run_at(WEDNESDAY + DELAY) == 1

    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert Notification.objects.get(recipient=member).emailed_at is None
    assert not EmailLog.objects.filter(recipient=member).exists()
    assert "Could not send the away email" in caplog.text
    # The next run tries again.
    assert run_at(WEDNESDAY + DELAY * 2) == 1
    assert Notification.objects.get(recipient=member).emailed_at is not None


def test_a_notification_read_while_the_run_works_is_left_out(community, author, member):
    with at(WEDNESDAY):
        first = mention(member, community, author, title="First")
        second = mention(member, community, author, title="Second")
    with at(WEDNESDAY + DELAY):
        stale = list(away_notifications_due(now=WEDNESDAY + DELAY))
    notifications_mark_read(user=member, ids=[first.pk])

    with mock.patch("notifications.services.emails.away_notifications_due", return_value=stale):
        assert run_at(WEDNESDAY + DELAY) == 1

    [message] = mail.outbox
    assert message.subject == "Alice Author mentioned you in “Second”"
    assert "“First”" not in message.body
    assert EmailLog.objects.get().notification_count == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.emailed_at is None and second.emailed_at is not None


def test_queries_do_not_grow_with_the_notifications(community, author, django_assert_num_queries):
    Site.objects.get_current()  # cached per process, as in a running worker

    def send_for(count):
        recipient = make_member(community)
        with at(WEDNESDAY):
            for _ in range(count):
                mention(recipient, community, author)
        # Find the work (due notifications, settings), then per member emailed: the
        # savepoint, the log row, the claim, the savepoint's release.
        with at(WEDNESDAY + DELAY), django_assert_num_queries(6):
            assert away_emails_send() == 1
        Notification.objects.filter(recipient=recipient).update(read_at=WEDNESDAY)

    send_for(1)
    send_for(6)


def test_the_beat_task_is_registered_under_its_name_and_sends(community, author, member):
    assert "notifications.tasks.notification_emails_send_due" in current_app.tasks
    with at(WEDNESDAY):
        mention(member, community, author)

    with at(WEDNESDAY + DELAY):
        assert notification_emails_send_due.delay().get() == 1
    assert notification_emails_send_due((WEDNESDAY + DELAY * 3).isoformat()) == 0
    assert len(mail.outbox) == 1
