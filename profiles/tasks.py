"""Background work for profiles: badge evaluation.

Tasks take ids, never ORM instances. ``badges_evaluate_for`` is queued on commit by
:func:`metrics.services.activity_record` after activities that can change a badge;
``badges_backfill`` runs from Celery beat (``CELERY_BEAT_SCHEDULE``) and awards what
members earned before a rule existed.
"""

import logging

from celery import shared_task

from profiles.models import User

logger = logging.getLogger(__name__)

BACKFILL_CHUNK_SIZE = 500


@shared_task
def badges_evaluate_for(user_ids: list[int]) -> int:
    """Evaluate the badge rules for ``user_ids``; returns how many awards were made."""
    from profiles.recognition.badges import badges_evaluate_users

    return len(badges_evaluate_users(user_ids=user_ids))


@shared_task
def badges_backfill() -> int:
    """Evaluate every active member, in chunks (each in its own transaction, so one
    failure does not hold the rest); returns how many awards were made."""
    from profiles.recognition.badges import badges_ensure_definitions, badges_evaluate_users

    badges_ensure_definitions()
    ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    awarded = 0
    for start in range(0, len(ids), BACKFILL_CHUNK_SIZE):
        chunk = ids[start : start + BACKFILL_CHUNK_SIZE]
        try:
            awarded += len(badges_evaluate_users(user_ids=chunk))
        except Exception:
            logger.exception("Could not evaluate badges for members %s..%s", chunk[0], chunk[-1])
    return awarded
