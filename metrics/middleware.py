"""Counts visits (one VISITED activity per member and UTC day) and keeps each member's
``last_seen_at`` fresh (at most one write per member and minute)."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from metrics.services import SEEN_EVERY_SECONDS, member_seen, utc_day_start, visit_record

logger = logging.getLogger(__name__)


def visit_cache_key(user_id: int, day: str) -> str:
    return f"metrics:visited:{user_id}:{day}"


def seen_cache_key(user_id: int) -> str:
    return f"metrics:seen:{user_id}"


class VisitMiddleware:
    """Record the visit of each authenticated member once a day, and when they were last
    seen (``User.last_seen_at``, what the away email asks) at most once a minute.

    Cheap: between those writes a member costs two cache lookups and no query. The check
    runs after the view, so that members authenticated by the API (not only by the
    session) count too. The writes wait for the commit of any open transaction (they run
    right away outside one), and a failed write does not break the page: the next
    request tries again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._record(user)
            self._seen(user)
        return response

    def _record(self, user) -> None:
        now = timezone.now()
        today = utc_day_start(now)
        key = visit_cache_key(user.pk, today.date().isoformat())
        timeout = int((today + timedelta(days=1) - now).total_seconds()) + 60
        if not cache.add(key, True, timeout=timeout):
            return

        def record() -> None:
            try:
                visit_record(user=user)
            except DatabaseError:
                cache.delete(key)
                logger.exception("Could not record the visit of member %s", user.pk)

        transaction.on_commit(record)

    def _seen(self, user) -> None:
        key = seen_cache_key(user.pk)
        if not cache.add(key, True, timeout=SEEN_EVERY_SECONDS):
            return
        at = timezone.now()
        user_id = user.pk

        def record() -> None:
            try:
                member_seen(user_id=user_id, at=at)
            except DatabaseError:
                cache.delete(key)
                logger.exception("Could not record when member %s was last seen", user_id)

        transaction.on_commit(record)
