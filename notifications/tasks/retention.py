"""Retention of notifications, run daily by Celery beat (see ``CELERY_BEAT_SCHEDULE``).
Safe to run at any time and twice."""

from datetime import datetime

from celery import shared_task
from django.utils.dateparse import parse_datetime

from notifications.services.retention import notifications_delete_expired

__all__ = ["notifications_purge"]


@shared_task(name="notifications.tasks.notifications_purge")
def notifications_purge(now: datetime | str | None = None) -> int:
    """Delete the notifications read more than ``CERCLE_NOTIFICATION_READ_RETENTION_DAYS``
    ago, and those without activity for ``CERCLE_NOTIFICATION_RETENTION_DAYS``, with
    their actor rows; returns how many notifications went."""
    if isinstance(now, str):
        now = parse_datetime(now)
    return notifications_delete_expired(now=now)
