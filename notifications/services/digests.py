"""Daily and weekly digests: unread notifications and the most engaging posts.

:func:`digests_send` runs every hour (Celery beat, ``notifications.tasks.digests_send_due``)
and from ``manage.py send_digests``. A member receives a digest when ALL of:

- their ``digest_frequency`` is daily or weekly (no NotificationSettings row: weekly)
  and ``email_enabled`` is on; their account is active and has an address;
- they were seen within ``CERCLE_DIGEST_INACTIVE_DAYS`` (``last_seen_at``, else
  ``last_login``, else ``date_joined``): nobody is emailed for months after leaving;
- the period's digest is due: the period starts at ``CERCLE_DIGEST_HOUR`` in the
  member's time zone, every day (daily) or on Mondays (weekly), and the digest goes out
  at the first hourly run from that hour to the end of that local day that is outside
  the member's quiet hours (a member quiet until 9:00 gets it at 9:00; one quiet all
  weekend gets no daily digest on Saturday and Sunday, and Monday's covers them);
- it was not already sent for this period (``last_digest_at`` before the period start).

``force`` (the command's ``--force``) drops the hour and weekday condition, for a
manual run: it still honours the opt-outs, inactivity, quiet hours, and sends at most
one digest per member and period.

Content, since the last digest (at most one period back): the member's unread, not yet
emailed notifications delivered by digest (and ``email_immediately`` ones the away
email did not send), and up to ``DIGEST_POST_LIMIT`` posts of the period in the
communities they are active members of and may read (the one visibility rule, through
:func:`communities.selectors.visibility.post_stream_for`), not their own, not from
communities they muted, not already in their notifications, the most engaging first
(comments + reactions, then the newest).

A digest with nothing to tell is not sent, but the period counts as handled
(``last_digest_at`` moves): the member is not re-examined every hour, and the next
digest starts from there. A sent digest records an ``EmailLog`` row (category digest)
and marks the notifications it told of (listed or counted) as emailed (``emailed_at``, ``email``).

Queries: two to find the members due (their time zones, then the members with their
settings joined), then five per member (claim the period, the notifications, the
posts, the log row, the notifications claimed), two more the first time a member
without a settings row is handled (the row is created). Each member's digest is one
transaction, sent before it commits (at least once: a failed send changes nothing and
is retried at the next run), and one member's failure does not stop the others.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Membership, NotificationLevel, Post, Reaction
from communities.selectors.visibility import post_stream_for
from config.links import absolute_url
from notifications.models import Delivery, EmailLog, Notification, NotificationSettings
from notifications.quiet_hours import is_quiet
from notifications.services.emails import (
    EMAIL_LIST_LIMIT,
    NOTIFICATION_JOINS,
    email_items,
    email_language,
    email_message,
    member_zone,
    notifications_claim,
    still_readable_q,
)
from notifications.unsubscribe import Scope
from profiles.models import User

logger = logging.getLogger(__name__)

Frequency = NotificationSettings.DigestFrequency

DIGEST_POST_LIMIT = 5

PERIOD_LENGTH = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


@dataclass
class DigestRun:
    """What a run did: digests sent, skipped with nothing to tell, deferred because the
    member was in their quiet hours."""

    sent: int = 0
    empty: int = 0
    quiet: int = 0


@dataclass(frozen=True)
class DigestPost:
    """A post as the digest shows it."""

    title: str
    community: str
    author: str
    comments: int
    reactions: int
    url: str


def digest_period_start(*, frequency: str, time_zone: str, now: datetime) -> datetime:
    """When the current period began in the member's time zone: the latest
    ``CERCLE_DIGEST_HOUR`` (daily), or Monday at that hour (weekly), at or before ``now``."""
    local = now.astimezone(member_zone(time_zone))
    start = local.replace(hour=settings.CERCLE_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if frequency == Frequency.WEEKLY:
        start -= timedelta(days=local.weekday())
    if start > local:
        start -= PERIOD_LENGTH[frequency]
    return start


def digest_on_schedule(*, frequency: str, time_zone: str, now: datetime) -> bool:
    """Whether ``now`` is in the period's sending window: from the digest hour to the
    end of that local day (Mondays only for weekly digests)."""
    start = digest_period_start(frequency=frequency, time_zone=time_zone, now=now)
    return start.date() == now.astimezone(member_zone(time_zone)).date()


def digest_recipients(
    *, now: datetime, frequency: str | None = None, force: bool = False
) -> list[User]:
    """The members whose digest is due at ``now`` (every condition of the module
    docstring but quiet hours), annotated with ``digest_frequency``, ``digest_last_at``,
    ``digest_period_start`` and their quiet hours. Two queries."""
    if frequency is not None and frequency not in PERIOD_LENGTH:
        raise ValueError(f"Unknown digest frequency: {frequency!r}")
    frequencies = [frequency] if frequency else [Frequency.DAILY, Frequency.WEEKLY]
    members = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .annotate(digest_seen_at=Coalesce("last_seen_at", "last_login", "date_joined"))
        .filter(digest_seen_at__gte=now - timedelta(days=settings.CERCLE_DIGEST_INACTIVE_DAYS))
        .annotate(
            digest_frequency=Coalesce(
                F("notification_settings__digest_frequency"), Value(Frequency.WEEKLY)
            ),
            digest_email_enabled=Coalesce(F("notification_settings__email_enabled"), Value(True)),
            digest_last_at=F("notification_settings__last_digest_at"),
            digest_quiet_start=F("notification_settings__quiet_hours_start"),
            digest_quiet_end=F("notification_settings__quiet_hours_end"),
            digest_quiet_weekends=Coalesce(
                F("notification_settings__quiet_weekends"), Value(False)
            ),
        )
        .filter(digest_email_enabled=True, digest_frequency__in=frequencies)
    )
    zones = set(members.order_by().values_list("time_zone", flat=True).distinct())
    due = Q()
    starts: dict[tuple[str, str], datetime] = {}
    for zone in sorted(zones):
        for each in frequencies:
            if not force and not digest_on_schedule(frequency=each, time_zone=zone, now=now):
                continue
            start = digest_period_start(frequency=each, time_zone=zone, now=now)
            starts[zone, each] = start
            due |= Q(time_zone=zone, digest_frequency=each) & (
                Q(digest_last_at__isnull=True) | Q(digest_last_at__lt=start)
            )
    if not starts:
        return []
    recipients = list(members.filter(due).order_by("pk"))
    for member in recipients:
        member.digest_period_start = starts[member.time_zone, member.digest_frequency]
    return recipients


def _period_claim(member: User, *, now: datetime) -> bool:
    """Mark this period's digest of ``member`` as handled (``last_digest_at``), unless
    another run did; creates their settings row with the defaults when missing."""
    start = member.digest_period_start
    claimed = (
        NotificationSettings.objects.filter(user_id=member.pk)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=start))
        .update(last_digest_at=now)
    )
    if claimed:
        return True
    try:
        with transaction.atomic():
            NotificationSettings.objects.create(user_id=member.pk, last_digest_at=now)
    except IntegrityError:
        return False  # the row exists: this period was already handled
    return True


def digest_notifications(*, member: User, since: datetime, now: datetime) -> list[Notification]:
    """``member``'s unread, never emailed notifications delivered by email (digest, or
    immediately but not sent) whose latest activity is in ``[since, now]``, latest first,
    joined for rendering; only those about content they may still read."""
    return list(
        Notification.objects.filter(
            recipient_id=member.pk,
            delivery__in=[Delivery.EMAIL_DIGEST, Delivery.EMAIL_IMMEDIATELY],
            read_at__isnull=True,
            emailed_at__isnull=True,
            updated_at__gte=since,
            updated_at__lte=now,
        )
        .filter(still_readable_q())
        .select_related(*NOTIFICATION_JOINS)
        .order_by("-updated_at", "-id")
    )


def digest_posts(
    *, member: User, since: datetime, now: datetime, exclude_post_ids=()
) -> list[Post]:
    """Up to ``DIGEST_POST_LIMIT`` posts created in ``[since, now]`` in the communities
    ``member`` belongs to and may read, not theirs, not from a community they muted,
    not in ``exclude_post_ids``; the most engaging first (comments + reactions, then the
    newest). Each carries ``reaction_total`` and ``engagement``. One query."""
    muted = Membership.objects.filter(user_id=member.pk).filter(
        Q(notification_level=NotificationLevel.MUTED)
        | Q(notification_level="", community__default_notification_level=NotificationLevel.MUTED)
    )
    reactions = (
        Reaction.objects.filter(post_id=OuterRef("pk"))
        .order_by()
        .values("post_id")
        .annotate(total=Count("id"))
        .values("total")
    )
    return list(
        post_stream_for(user=member)
        .filter(created_at__gte=since, created_at__lte=now)
        .exclude(author_id=member.pk)
        .exclude(community_id__in=muted.values("community_id"))
        .exclude(pk__in=[pk for pk in exclude_post_ids if pk is not None])
        .annotate(reaction_total=Coalesce(Subquery(reactions), 0))
        .annotate(engagement=F("comment_count") + F("reaction_total"))
        .order_by("-engagement", "-created_at", "-id")[:DIGEST_POST_LIMIT]
    )


def _digest_message(member: User, notifications: list[Notification], posts: list[Post]):
    with email_language(member.time_zone):
        if member.digest_frequency == Frequency.DAILY:
            subject = _("Your daily %(site)s digest") % {"site": settings.SITE_NAME}
        else:
            subject = _("Your weekly %(site)s digest") % {"site": settings.SITE_NAME}
        items = email_items(notifications[:EMAIL_LIST_LIMIT], time_zone=member.time_zone)
        post_items = [
            DigestPost(
                title=post.title,
                community=post.community.name,
                author=str(post.author),
                comments=post.comment_count,
                reactions=post.reaction_total,
                url=absolute_url(reverse("communities:post", args=[post.pk])),
            )
            for post in posts
        ]
        message = email_message(
            user=member,
            subject=subject,
            template="digest_body",
            context={
                "frequency": member.digest_frequency,
                "items": items,
                "count": len(notifications),
                "more": max(len(notifications) - len(items), 0),
                "posts": post_items,
            },
            unsubscribe_scope=Scope.DIGEST,
        )
    return subject, message


def _digest_send(member: User, *, now: datetime, connection) -> bool | None:
    """One member's digest, in one transaction: True sent, False nothing to tell
    (the period is still marked handled), None already handled by another run."""
    with transaction.atomic():
        if not _period_claim(member, now=now):
            return None
        since = now - PERIOD_LENGTH[member.digest_frequency]
        if member.digest_last_at is not None:
            since = max(since, member.digest_last_at)
        notifications = digest_notifications(member=member, since=since, now=now)
        posts = digest_posts(
            member=member,
            since=since,
            now=now,
            exclude_post_ids={notification.post_id for notification in notifications},
        )
        if not notifications and not posts:
            return False
        subject, message = _digest_message(member, notifications, posts)
        log = EmailLog.objects.create(
            recipient=member,
            category=EmailLog.Category.DIGEST,
            subject=subject[:255],
            notification_count=len(notifications),
            post_count=len(posts),
            sent_at=now,
        )
        if notifications:
            claimed = notifications_claim(ids=[n.pk for n in notifications], email=log, at=now)
            if len(claimed) < len(notifications):
                # Some were read (or sent) meanwhile: tell only of the others.
                kept = set(claimed)
                notifications = [n for n in notifications if n.pk in kept]
                if not notifications and not posts:
                    log.delete()
                    return False
                subject, message = _digest_message(member, notifications, posts)
                log.notification_count = len(notifications)
                log.save(update_fields=["notification_count"])
        connection.send_messages([message])
    return True


def digests_send(
    *, now: datetime | None = None, frequency: str | None = None, force: bool = False
) -> DigestRun:
    """Send the digests due at ``now`` (see the module docstring), for one
    ``frequency`` or both; ``force`` ignores the hour and weekday. Returns the counts."""
    now = now or timezone.now()
    run = DigestRun()
    recipients = digest_recipients(now=now, frequency=frequency, force=force)
    if not recipients:
        return run
    with get_connection() as connection:
        for member in recipients:
            if is_quiet(
                time_zone=member.time_zone,
                at=now,
                start=member.digest_quiet_start,
                end=member.digest_quiet_end,
                weekends=member.digest_quiet_weekends,
            ):
                run.quiet += 1
                continue
            try:
                outcome = _digest_send(member, now=now, connection=connection)
            except Exception:
                logger.exception("Could not send the digest of member %s", member.pk)
                continue
            if outcome is True:
                run.sent += 1
            elif outcome is False:
                run.empty += 1
    return run
