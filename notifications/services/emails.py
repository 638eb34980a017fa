"""Email as a fallback: what stayed unread while a member was away, batched per member.

The away email (:func:`away_emails_send`, run every minute by Celery beat through
``notifications.tasks.notification_emails_send_due``) sends a notification when ALL of:

- its delivery is ``email_immediately`` (the member's choice for the kind, recorded on
  the row by the fan-out), it is still unread and was never emailed;
- its latest activity (``updated_at``: a grouped row moves on with each new person) is
  at least ``CERCLE_NOTIFICATION_EMAIL_DELAY_MINUTES`` old;
- the member was not active meanwhile: no request since that latest activity
  (``User.last_seen_at`` is empty or older than ``updated_at``; it is kept fresh to the
  minute by :class:`metrics.middleware.VisitMiddleware`). Someone who opened Cercle
  after the notification arrived saw the bell, and is not emailed about it;
- the member's account is active, has an address, and ``email_enabled`` is on
  (NotificationSettings; no row means the defaults: on);
- the member is not in their quiet hours now (in their time zone). What accumulates
  during quiet hours stays due and goes out in one email once they end;
- the member may still read the notification's community (they may have left it since;
  invitations excepted, as the invitation grants the right to know of the community).

Batching: one email per member per run lists all their due notifications, and a
member gets at most one such email per delay window (their latest ``EmailLog`` of
category ``notifications``): what arrives meanwhile waits for the next window.

Each emailed notification records ``emailed_at`` and the ``EmailLog`` row of the email
that carried it, which also closes its group (new activity starts a new row), so that
"emails avoided" (read in the app before any email was needed) can be measured.

Queries: two to find the work whatever the number of notifications (the due
notifications joined with their recipient, actor, community, post and conversation; the
members' settings), then two per member emailed (the log row and the claim of its
notifications, in a transaction of its own); the site's domain is cached per process.
Delivery is at least once: the email is sent before the transaction that records it
commits, so a failed send records nothing and is retried at the next run.

Every email (here and in digests) is rendered from templates in the site's language
(``LANGUAGE_CODE``: a member's language is not stored) and the member's time zone, has
a text and an HTML part, links through absolute URLs, and carries a one-click
unsubscribe link with the RFC 8058 ``List-Unsubscribe`` and ``List-Unsubscribe-Post``
headers.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from communities.models import Community, Membership
from config.links import absolute_url
from notifications.models import (
    Delivery,
    EmailLog,
    Kind,
    Notification,
    NotificationSettings,
)
from notifications.quiet_hours import member_is_quiet
from notifications.rendering import notification_text
from notifications.unsubscribe import Scope, unsubscribe_token

logger = logging.getLogger(__name__)

# Notifications listed one by one in an email; the rest are counted with a link to the
# notification centre (they are all marked emailed: the email told of them).
EMAIL_LIST_LIMIT = 25

NOTIFICATION_JOINS = ("recipient", "actor", "community", "post", "conversation")


# ---------------------------------------------------------------------------------------
# Building an email (shared with digests)
# ---------------------------------------------------------------------------------------


def member_zone(time_zone: str) -> ZoneInfo:
    """The member's time zone (UTC when unknown)."""
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class EmailItem:
    """One notification as an email lists it."""

    text: str
    url: str
    at: datetime


def email_items(notifications: Iterable[Notification], *, time_zone: str) -> list[EmailItem]:
    """Each notification's sentence and absolute link. The link opens it through the
    notification centre (``notifications:open``), which marks it read on the way.
    Call inside :func:`email_language` so that the sentences are in the email's language."""
    return [
        EmailItem(
            text=notification_text(notification, time_zone=time_zone),
            url=absolute_url(reverse("notifications:open", args=[notification.pk])),
            at=notification.updated_at,
        )
        for notification in notifications
    ]


@contextmanager
def email_language(time_zone: str) -> Iterator[None]:
    """Render in the site's language (a member's language is not stored) and the
    member's time zone."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(member_zone(time_zone)):
        yield


def email_message(
    *,
    user,
    subject: str,
    template: str,
    context: dict,
    unsubscribe_scope: str,
) -> EmailMultiAlternatives:
    """The email to ``user`` from ``notifications/email/<template>.txt`` and ``.html``,
    with the footer links (preferences, one-click unsubscribe from ``unsubscribe_scope``)
    and the RFC 8058 headers. Call inside :func:`email_language`."""
    unsubscribe_url = absolute_url(
        reverse(
            "notifications:unsubscribe",
            args=[unsubscribe_token(user_id=user.pk, scope=unsubscribe_scope)],
        )
    )
    context = {
        **context,
        "member": user,
        "site_name": settings.SITE_NAME,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "centre_url": absolute_url(reverse("notifications:centre")),
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_scope": unsubscribe_scope,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    return message


def still_readable_q() -> Q:
    """The filter on Notification keeping those whose recipient may still read the
    community they are about (the one visibility rule, seen from the notification): no
    community, an invitation, a superuser, an active member, or a public community that
    did not ban them."""
    memberships = Membership.objects.filter(
        community_id=OuterRef("community_id"), user_id=OuterRef("recipient_id")
    )
    is_member = Exists(memberships.filter(status=Membership.Status.ACTIVE))
    is_banned = Exists(memberships.filter(status=Membership.Status.BANNED))
    return (
        Q(community_id__isnull=True)
        | Q(kind=Kind.INVITATION)
        | Q(recipient__is_superuser=True)
        | Q(is_member)
        | (Q(community__visibility=Community.Visibility.PUBLIC) & ~Q(is_banned))
    )


def notifications_claim(*, ids: Sequence[int], email: EmailLog, at: datetime) -> list[int]:
    """Record that ``email`` carried the notifications ``ids`` that are still unread and
    not emailed (another run, or the member reading them meanwhile, may have taken
    some); returns the ids claimed. One query, two when some were taken."""
    claimed = Notification.objects.filter(
        pk__in=ids, read_at__isnull=True, emailed_at__isnull=True
    ).update(emailed_at=at, email=email)
    if claimed == len(ids):
        return list(ids)
    if not claimed:
        return []
    return list(Notification.objects.filter(email=email).values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------
# The away email
# ---------------------------------------------------------------------------------------


def email_delay() -> timedelta:
    return timedelta(minutes=settings.CERCLE_NOTIFICATION_EMAIL_DELAY_MINUTES)


def away_notifications_due(*, now: datetime) -> QuerySet[Notification]:
    """The notifications the away email would send at ``now``, but for quiet hours
    (checked in Python, per member's time zone): every rule of the module docstring,
    as one query, joined for rendering, ordered by member then latest first."""
    cutoff = now - email_delay()
    recently_emailed = EmailLog.objects.filter(
        category=EmailLog.Category.NOTIFICATIONS, sent_at__gt=cutoff
    ).values("recipient_id")
    opted_out = NotificationSettings.objects.filter(email_enabled=False).values("user_id")
    return (
        Notification.objects.filter(
            delivery=Delivery.EMAIL_IMMEDIATELY,
            read_at__isnull=True,
            emailed_at__isnull=True,
            updated_at__lte=cutoff,
            recipient__is_active=True,
        )
        .filter(
            Q(recipient__last_seen_at__isnull=True) | Q(recipient__last_seen_at__lt=F("updated_at"))
        )
        .exclude(recipient__email="")
        .exclude(recipient_id__in=opted_out)
        .exclude(recipient_id__in=recently_emailed)
        .filter(still_readable_q())
        .select_related(*NOTIFICATION_JOINS)
        .order_by("recipient_id", "-updated_at", "-id")
    )


def _away_subject(items: list[EmailItem], count: int) -> str:
    if count == 1:
        return items[0].text
    return ngettext(
        "%(count)d unread notification on %(site)s",
        "%(count)d unread notifications on %(site)s",
        count,
    ) % {"count": count, "site": settings.SITE_NAME}


def _away_message(user, notifications: list[Notification]) -> tuple[str, EmailMultiAlternatives]:
    with email_language(user.time_zone):
        items = email_items(notifications[:EMAIL_LIST_LIMIT], time_zone=user.time_zone)
        subject = _away_subject(items, len(notifications))
        message = email_message(
            user=user,
            subject=subject,
            template="notifications_body",
            context={
                "items": items,
                "count": len(notifications),
                "more": max(len(notifications) - len(items), 0),
            },
            unsubscribe_scope=Scope.EMAIL,
        )
    return subject, message


def _away_email_send(user, notifications: list[Notification], *, now, connection) -> bool:
    """Email ``notifications`` to ``user`` and record it, in one transaction."""
    with transaction.atomic():
        subject, message = _away_message(user, notifications)
        log = EmailLog.objects.create(
            recipient=user,
            category=EmailLog.Category.NOTIFICATIONS,
            subject=subject[:255],
            notification_count=len(notifications),
            sent_at=now,
        )
        claimed = notifications_claim(ids=[n.pk for n in notifications], email=log, at=now)
        if not claimed:
            transaction.set_rollback(True)
            return False
        if len(claimed) < len(notifications):
            kept = set(claimed)
            notifications = [n for n in notifications if n.pk in kept]
            subject, message = _away_message(user, notifications)
            EmailLog.objects.filter(pk=log.pk).update(
                subject=subject[:255], notification_count=len(notifications)
            )
        connection.send_messages([message])
    return True


def away_emails_send(*, now: datetime | None = None) -> int:
    """Send the away emails due at ``now`` (see the module docstring); returns how many
    emails went. One member's failure (e.g. the mail server refusing an address) is
    logged and rolled back, and does not stop the others."""
    now = now or timezone.now()
    due = list(away_notifications_due(now=now))
    if not due:
        return 0
    by_member: dict[int, list[Notification]] = {}
    for notification in due:
        by_member.setdefault(notification.recipient_id, []).append(notification)
    member_settings = NotificationSettings.objects.in_bulk(list(by_member))
    sent = 0
    with get_connection() as connection:
        for user_id, notifications in by_member.items():
            user = notifications[0].recipient
            if member_is_quiet(user=user, settings=member_settings.get(user_id), at=now):
                continue
            try:
                sent += _away_email_send(user, notifications, now=now, connection=connection)
            except Exception:
                logger.exception("Could not send the away email of member %s", user_id)
    return sent
