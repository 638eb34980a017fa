"""Background work for profiles: badge evaluation.

Tasks take ids, never ORM instances. ``badges_evaluate_for`` is queued by
:func:`badges_evaluate_after`, the activity log's subscriber (registered in
``ProfilesConfig.ready``), once an activity that can change a badge has committed;
``badges_backfill`` runs from Celery beat (``CELERY_BEAT_SCHEDULE``) and awards what
members earned before a rule existed.
"""

import logging

from celery import shared_task

from metrics.subscribers import CommittedActivity
from profiles.models import User
from profiles.recognition.badges import (
    badge_related_user_ids,
    badges_ensure_definitions,
    badges_evaluate_users,
)

logger = logging.getLogger(__name__)

BACKFILL_CHUNK_SIZE = 500


@shared_task
def badges_evaluate_for(user_ids: list[int]) -> int:
    """Evaluate the badge rules for ``user_ids``; returns how many awards were made."""
    return len(badges_evaluate_users(user_ids=user_ids))


@shared_task
def badges_backfill() -> int:
    """Evaluate every active member, in chunks (each in its own transaction, so one
    failure does not hold the rest); returns how many awards were made."""
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


def badges_evaluate_after(activities: list[CommittedActivity]) -> None:
    """The activity log's subscriber for :data:`profiles.recognition.badges.BADGE_VERBS`:
    after the action committed, queue :func:`badges_evaluate_for` for whoever it may
    concern (its actor, the author replied to, the host, the inviter). Failures are the
    subscriber registry's to log: they never break the member's action."""
    user_ids: set[int] = set()
    for activity in activities:
        user_ids.update(
            badge_related_user_ids(
                actor_id=activity.actor_id, verb=activity.verb, object_id=activity.object_id
            )
        )
    badges_evaluate_for.delay(sorted(user_ids))
