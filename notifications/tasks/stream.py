"""Retention of the personal live events kept for replay, run daily by Celery beat
(see ``CELERY_BEAT_SCHEDULE``). Safe to run at any time and twice."""

from datetime import datetime

from celery import shared_task
from django.utils.dateparse import parse_datetime

from notifications.services.stream import stream_events_delete_expired

__all__ = ["stream_events_purge"]


@shared_task(name="notifications.tasks.stream_events_purge")
def stream_events_purge(now: datetime | str | None = None) -> int:
    """Delete the personal live events older than ``CERCLE_STREAM_RETENTION_DAYS``;
    returns how many went. A client asking to resume from before them resyncs."""
    if isinstance(now, str):
        now = parse_datetime(now)
    return stream_events_delete_expired(now=now)
