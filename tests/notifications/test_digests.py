"""Daily and weekly digests: unread notifications and the most engaging posts the member
may read, at the digest hour in their time zone, skipped when empty, never to people
inactive for months; also the ``send_digests`` command."""

from datetime import UTC, datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from celery import current_app
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command

from communities.models import Community, Membership, NotificationLevel
from communities.services.comments import comment_create
from communities.services.reactions import reaction_toggle
from metrics.services import member_seen
from notifications.models import (
    Delivery,
    EmailLog,
    Kind,
    Notification,
    NotificationSettings,
)
from notifications.services.centre import notifications_mark_read
from notifications.services.digests import digests_send
from notifications.services.fanout import Notice, notify
from notifications.tasks import digests_send_due
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

SATURDAY = datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
MONDAY_8 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
Frequency = NotificationSettings.DigestFrequency


def no_digest(user):
    """People around the member under test: they get no digest of their own."""
    NotificationSettings.objects.create(user=user, digest_frequency=Frequency.OFF)
    return user


def bystander(community):
    return no_digest(make_member(community))


@pytest.fixture
def clock():
    """Time stands still at SATURDAY (the week's activity) until a test moves it."""
    with time_machine.travel(SATURDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def community(clock):
    return make_community(
        name="Platform", owner=no_digest(UserFactory(display_name="Alice Author"))
    )


@pytest.fixture
def author(community):
    return community.memberships.get().user


@pytest.fixture
def member(community):
    bob = make_member(community, UserFactory(email="bob@acme.example", display_name="Bob"))
    member_seen(user_id=bob.pk)
    return bob


def thread_comment(member, post, actor):
    notify(
        notice=Notice(
            kind=Kind.THREAD_COMMENT,
            actor_id=actor.pk,
            community_id=post.community_id,
            post_id=post.pk,
        ),
        candidates=[member.pk],
    )
    return Notification.objects.filter(recipient=member).latest("id")


def engage(post, *, comments=0, reactions=0):
    """``reactions`` members react and ``comments`` comments are written on ``post``."""
    community = post.community
    for _ in range(reactions):
        reaction_toggle(user=bystander(community), kind="like", post=post)
    for index in range(comments):
        comment_create(author=bystander(community), post=post, body=f"Comment {index}")


def send_at(clock, moment, **kwargs):
    clock.move_to(moment)
    return digests_send(**kwargs)


def test_the_weekly_digest_lists_unread_notifications_and_the_most_engaging_posts(
    clock, community, author, member
):
    followed = make_post(community, author=author, title="Followed thread")
    notification = thread_comment(member, followed, author)
    read = thread_comment(member, make_post(community, author=author, title="Already read"), author)
    notifications_mark_read(user=member, ids=[read.pk])
    hot = make_post(community, author=author, title="Hot topic")
    engage(hot, comments=2, reactions=3)
    warm = make_post(community, author=author, title="Warm topic")
    engage(warm, reactions=1)
    make_post(community, author=member, title="My own post")

    run = send_at(clock, MONDAY_8)

    assert (run.sent, run.empty, run.quiet) == (1, 0, 0)
    [message] = mail.outbox
    assert message.to == ["bob@acme.example"]
    assert message.subject == "Your weekly Cercle digest"
    body = message.body
    assert "Alice Author commented on “Followed thread”" in body
    assert f"https://example.com/notifications/{notification.pk}/open/" in body
    assert "commented on “Already read”" not in body
    assert body.index("Hot topic") < body.index("Warm topic")
    assert f"https://example.com/posts/{hot.pk}/" in body
    assert "2 comments, 3 reactions" in body
    assert "My own post" not in body
    # The thread already in the notifications is not repeated among the posts.
    assert body.count("Followed thread") == 1
    html = message.alternatives[0][0]
    assert "Hot topic" in html and "Followed thread" in html

    log = EmailLog.objects.get()
    assert (log.category, log.notification_count, log.post_count, log.subject) == (
        EmailLog.Category.DIGEST,
        1,
        3,  # hot, warm and "Already read" (read notifications do not hide its post)
        "Your weekly Cercle digest",
    )
    notification.refresh_from_db()
    assert notification.emailed_at == MONDAY_8 and notification.email == log
    assert NotificationSettings.objects.get(user=member).last_digest_at == MONDAY_8


def test_digest_posts_respect_visibility_and_membership(clock, community, author, member):
    outsider = no_digest(UserFactory())
    private = make_community(owner=outsider, visibility=Community.Visibility.PRIVATE)
    secret = make_community(owner=outsider, visibility=Community.Visibility.SECRET)
    public_elsewhere = make_community(owner=outsider)
    left = make_community(owner=outsider, visibility=Community.Visibility.PRIVATE)
    make_member(left, member)
    muted = make_community(owner=outsider)
    make_member(muted, member)
    Membership.objects.filter(user=member, community=muted).update(
        notification_level=NotificationLevel.MUTED
    )
    for place, title in [
        (private, "Private plans"),
        (secret, "Secret plans"),
        (public_elsewhere, "Elsewhere"),
        (left, "After I left"),
        (muted, "Muted chatter"),
    ]:
        post = make_post(place, author=outsider, title=title)
        engage(post, reactions=4)
    Membership.objects.filter(user=member, community=left).update(status=Membership.Status.LEFT)
    visible = make_post(community, author=author, title="Visible")

    send_at(clock, MONDAY_8)

    [message] = mail.outbox
    for title in ("Private plans", "Secret plans", "Elsewhere", "After I left", "Muted chatter"):
        assert title not in message.body
        assert title not in message.alternatives[0][0]
    assert visible.title in message.body


def test_at_most_five_posts(clock, community, author, member):
    for index in range(7):
        engage(make_post(community, author=author, title=f"Post number {index}"), reactions=index)

    send_at(clock, MONDAY_8)

    [message] = mail.outbox
    listed = [index for index in range(7) if f"Post number {index}" in message.body]
    assert listed == [2, 3, 4, 5, 6]
    assert EmailLog.objects.get().post_count == 5


def test_a_digest_with_nothing_to_tell_is_skipped(clock, community, member):
    run = send_at(clock, MONDAY_8)

    assert (run.sent, run.empty) == (0, 1)
    assert mail.outbox == [] and EmailLog.objects.count() == 0
    # The period counts as handled: the member is not examined again every hour.
    assert NotificationSettings.objects.get(user=member).last_digest_at == MONDAY_8
    assert send_at(clock, MONDAY_8 + timedelta(hours=1)).empty == 0


@pytest.mark.parametrize(
    "seen_days_ago, sent", [(None, False), (181, False), (179, True), (1, True)]
)
def test_no_digest_for_members_inactive_for_180_days(clock, community, author, seen_days_ago, sent):
    quiet_one = make_member(community)
    quiet_one.date_joined = MONDAY_8 - timedelta(days=400)
    quiet_one.last_seen_at = (
        MONDAY_8 - timedelta(days=seen_days_ago) if seen_days_ago is not None else None
    )
    quiet_one.save()
    make_post(community, author=author, title="News")

    send_at(clock, MONDAY_8)

    assert [m.to for m in mail.outbox] == ([[quiet_one.email]] if sent else [])


def test_last_login_counts_when_never_seen(clock, community, author):
    newcomer = make_member(community)
    newcomer.date_joined = MONDAY_8 - timedelta(days=400)
    newcomer.last_login = MONDAY_8 - timedelta(days=10)
    newcomer.save()
    make_post(community, author=author)

    send_at(clock, MONDAY_8)

    assert [m.to for m in mail.outbox] == [[newcomer.email]]


def test_weekly_digests_go_on_monday_at_the_digest_hour_once(clock, community, author, member):
    make_post(community, author=author, title="News")

    assert send_at(clock, MONDAY_8 - timedelta(minutes=1)).sent == 0
    assert send_at(clock, MONDAY_8 + timedelta(days=1)).sent == 0  # Tuesday
    assert send_at(clock, MONDAY_8 + timedelta(minutes=5)).sent == 1
    assert send_at(clock, MONDAY_8 + timedelta(hours=1)).sent == 0
    assert len(mail.outbox) == 1


def test_daily_digests_go_every_day_with_what_is_new(clock, community, author, member):
    NotificationSettings.objects.create(user=member, digest_frequency=Frequency.DAILY)
    clock.move_to(MONDAY_8 - timedelta(hours=2))
    make_post(community, author=author, title="Monday news")

    assert send_at(clock, MONDAY_8).sent == 1
    assert send_at(clock, MONDAY_8 + timedelta(hours=3)).sent == 0
    clock.move_to(MONDAY_8 + timedelta(hours=5))
    make_post(community, author=author, title="Tuesday news")
    assert send_at(clock, MONDAY_8 + timedelta(days=1)).sent == 1

    monday, tuesday = mail.outbox
    assert monday.subject == "Your daily Cercle digest"
    assert "Monday news" in monday.body and "Tuesday news" not in monday.body
    assert "Tuesday news" in tuesday.body and "Monday news" not in tuesday.body


def test_daily_and_weekly_members_each_get_their_own_schedule(clock, community, author, member):
    daily = make_member(community)
    member_seen(user_id=daily.pk)
    NotificationSettings.objects.create(user=daily, digest_frequency=Frequency.DAILY)
    clock.move_to(MONDAY_8 + timedelta(days=1, hours=2))
    make_post(community, author=author)

    send_at(clock, MONDAY_8 + timedelta(days=2))  # Wednesday: daily only
    assert [m.to for m in mail.outbox] == [[daily.email]]


def test_the_digest_hour_is_in_the_members_time_zone(clock, community, author, member):
    member.time_zone = "Asia/Tokyo"  # UTC+9: Monday 08:00 there is Sunday 23:00 UTC
    member.save()
    in_utc = make_member(community)
    member_seen(user_id=in_utc.pk)
    make_post(community, author=author)

    assert send_at(clock, datetime(2026, 3, 1, 22, 0, tzinfo=UTC)).sent == 0  # 07:00 there
    assert send_at(clock, datetime(2026, 3, 1, 23, 0, tzinfo=UTC)).sent == 1  # 08:00 there
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert send_at(clock, MONDAY_8).sent == 1
    assert [m.to for m in mail.outbox] == [[member.email], [in_utc.email]]


def test_quiet_hours_delay_the_digest_until_they_end(clock, community, author, member):
    NotificationSettings.objects.create(
        user=member, quiet_hours_start=time(21, 0), quiet_hours_end=time(9, 30)
    )
    make_post(community, author=author)

    run = send_at(clock, MONDAY_8)
    assert (run.sent, run.quiet) == (0, 1)
    assert send_at(clock, MONDAY_8 + timedelta(hours=1)).sent == 0  # 09:00, still quiet
    assert send_at(clock, MONDAY_8 + timedelta(hours=2)).sent == 1  # 10:00


@pytest.mark.parametrize(
    "settings",
    [{"email_enabled": False}, {"digest_frequency": Frequency.OFF}],
    ids=["email-off", "digest-off"],
)
def test_members_who_opted_out_get_no_digest(clock, community, author, member, settings):
    NotificationSettings.objects.create(user=member, **settings)
    make_post(community, author=author)

    assert send_at(clock, MONDAY_8).sent == 0
    assert send_send_forced(clock) == 0
    assert mail.outbox == []


def send_send_forced(clock):
    clock.move_to(MONDAY_8 + timedelta(days=2))
    return digests_send(force=True).sent


def test_immediate_notifications_not_emailed_yet_join_the_digest(clock, community, author, member):
    post = make_post(community, author=author, title="Mentioned here")
    notify(
        notice=Notice(
            kind=Kind.MENTION, actor_id=author.pk, community_id=community.pk, post_id=post.pk
        ),
        candidates=[member.pk],
    )
    notify(
        notice=Notice(
            kind=Kind.REACTION, actor_id=author.pk, community_id=community.pk, post_id=post.pk
        ),
        candidates=[member.pk],
    )
    mention, reaction = Notification.objects.order_by("id")
    assert (mention.delivery, reaction.delivery) == (Delivery.EMAIL_IMMEDIATELY, Delivery.IN_APP)

    send_at(clock, MONDAY_8)

    [message] = mail.outbox
    assert "mentioned you" in message.body and "reacted" not in message.body
    mention.refresh_from_db()
    reaction.refresh_from_db()
    assert mention.emailed_at is not None and reaction.emailed_at is None


def test_the_digest_has_both_parts_and_a_one_click_digest_unsubscribe(
    client, clock, community, author, member
):
    make_post(community, author=author)
    send_at(clock, MONDAY_8)

    [message] = mail.outbox
    assert message.alternatives[0][1] == "text/html"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://example.com/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] in message.body
    assert "https://example.com/notifications/preferences/" in message.body

    response = client.post(header[1:-1].removeprefix("https://example.com"))

    assert response.status_code == 200
    settings = NotificationSettings.objects.get(user=member)
    assert settings.digest_frequency == Frequency.OFF and settings.email_enabled is True


def test_the_command_sends_due_digests_and_force_ignores_the_hour(clock, community, author, member):
    daily = make_member(community)
    member_seen(user_id=daily.pk)
    NotificationSettings.objects.create(user=daily, digest_frequency=Frequency.DAILY)
    clock.move_to(MONDAY_8 + timedelta(days=2, hours=7))  # Wednesday 15:00
    make_post(community, author=author)
    out = StringIO()

    call_command("send_digests", "--frequency", "weekly", stdout=out)
    assert mail.outbox == []  # weekly digests go on Mondays
    assert "Digests sent: 0" in out.getvalue()

    call_command("send_digests", "--force", "--frequency", "weekly", stdout=out)
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Digests sent: 1" in out.getvalue()

    call_command("send_digests", stdout=out)  # the daily one is due today
    assert [m.to for m in mail.outbox] == [[member.email], [daily.email]]

    # Never twice in one period, forced or not.
    call_command("send_digests", "--force", stdout=out)
    assert len(mail.outbox) == 2


def test_force_sends_before_the_hour(clock, community, author, member):
    NotificationSettings.objects.create(user=member, digest_frequency=Frequency.DAILY)
    clock.move_to(MONDAY_8 - timedelta(hours=3))
    make_post(community, author=author)

    call_command("send_digests", stdout=StringIO())
    assert mail.outbox == []
    call_command("send_digests", "--force", "--frequency", "daily", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_the_command_refuses_an_unknown_frequency():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_digests", "--frequency", "hourly")


def test_the_beat_task_is_registered_and_sends(clock, community, author, member):
    assert "notifications.tasks.digests_send_due" in current_app.tasks
    make_post(community, author=author)
    clock.move_to(MONDAY_8)

    assert digests_send_due.delay().get() == 1


def test_queries_per_member_do_not_grow_with_the_content(
    clock, community, author, django_assert_num_queries
):
    Site.objects.get_current()

    def send_with(count, moment):
        clock.move_to(moment - timedelta(hours=1))
        NotificationSettings.objects.update(digest_frequency=Frequency.OFF)
        reader = make_member(community)
        member_seen(user_id=reader.pk)
        for index in range(count):
            post = make_post(community, author=author, title=f"Post {index}")
            thread_comment(reader, post, author)
            engage(make_post(community, author=author), reactions=1)
        clock.move_to(moment)
        # Who is due (time zones, members); per member: the savepoint, the period claim
        # (update, then the settings row created in a savepoint: 3), the notifications,
        # the posts, the log row, the notifications claimed, the release.
        with django_assert_num_queries(12):
            assert digests_send(frequency=Frequency.WEEKLY).sent == 1

    send_with(1, MONDAY_8)
    send_with(4, MONDAY_8 + timedelta(days=7))
