"""Counts visits: one VISITED activity per member and UTC day."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from metrics.services import utc_day_start, visit_record

logger = logging.getLogger(__name__)


def visit_cache_key(user_id: int, day: str) -> str:
    return f"metrics:visited:{user_id}:{day}"


class VisitMiddleware:
    """Record the visit of each authenticated member once a day.

    Cheap: after the first request of the day a member costs one cache lookup and no
    query. The check runs after the view, so that members authenticated by the API (not
    only by the session) count too. The write waits for the commit of any open
    transaction (it runs right away outside one), and a failed write does not break the
    page: the next request tries again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._record(user)
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
