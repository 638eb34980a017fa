"""Background work for communities: invitation emails and closing due elections.

Tasks take ids and plain values, never ORM instances, and are queued by services once
their transaction commits (or by Celery beat, see ``CELERY_BEAT_SCHEDULE``). This module
stands above the services its tasks call; the invitation emails, which services queue,
live below them in :mod:`communities.emails` and are registered from here.
"""

import logging

from celery import shared_task
from django.utils import timezone

from communities.emails import invitation_emails_send
from communities.models import Election
from communities.services.elections import election_close, election_term_end

logger = logging.getLogger(__name__)


@shared_task
def elections_close_due() -> int:
    """Close every open election whose closing time has passed; returns how many closed.

    Each election closes in its own transaction, so one failure does not hold the rest."""
    due = Election.objects.filter(status=Election.Status.OPEN, closes_at__lte=timezone.now())
    closed = 0
    for election in due.order_by("closes_at", "id"):
        try:
            election_close(election=election)
        except Exception:
            logger.exception("Could not close election %s", election.pk)
            continue
        closed += 1
    return closed


@shared_task
def election_terms_end_due() -> int:
    """Give winners their previous role back when their elected term has ended; returns
    how many terms ended."""
    due = Election.objects.filter(
        status=Election.Status.CLOSED, term_ended_at__isnull=True, term_ends_at__lte=timezone.now()
    )
    ended = 0
    for election in due.order_by("term_ends_at", "id"):
        try:
            election_term_end(election=election)
        except Exception:
            logger.exception("Could not end the term of election %s", election.pk)
            continue
        ended += 1
    return ended


__all__ = ["election_terms_end_due", "elections_close_due", "invitation_emails_send"]
