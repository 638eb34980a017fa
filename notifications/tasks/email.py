"""Email fallback tasks, run by Celery beat (see ``CELERY_BEAT_SCHEDULE``): the away
email every minute and the digests every hour. Both are safe to run at any time and
twice: what was sent is recorded and never sent again."""

from datetime import datetime

from celery import shared_task
from django.utils.dateparse import parse_datetime

from notifications.services.digests import digests_send
from notifications.services.emails import away_emails_send

__all__ = ["digests_send_due", "notification_emails_send_due"]


def _moment(now: datetime | str | None) -> datetime | None:
    """``now`` as given by a caller (a datetime, or ISO 8601 text through the broker)."""
    if now is None or isinstance(now, datetime):
        return now
    return parse_datetime(now)


@shared_task(name="notifications.tasks.notification_emails_send_due")
def notification_emails_send_due(now: datetime | str | None = None) -> int:
    """Email each member what stayed unread while they were away (batched: one email
    per member); returns how many emails went. See notifications.services.emails."""
    return away_emails_send(now=_moment(now))


@shared_task(name="notifications.tasks.digests_send_due")
def digests_send_due(now: datetime | str | None = None) -> int:
    """Send the daily and weekly digests due now; returns how many went.
    See notifications.services.digests."""
    return digests_send(now=_moment(now)).sent
