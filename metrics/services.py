from datetime import UTC

from django.db import models, transaction
from django.utils import timezone

from metrics.models import Activity


def activity_record(
    *,
    actor,
    verb: str,
    community=None,
    target: models.Model | None = None,
) -> Activity:
    """Append one row to the activity log. The only writer of :class:`Activity`.

    Called by the services that change state, inside their transaction, so that a
    rolled-back action leaves no trace in the log.
    """
    return Activity.objects.create(
        actor=actor,
        verb=verb,
        community=community,
        object_type=target._meta.model_name if target is not None else "",
        object_id=target.pk if target is not None else None,
    )


def visit_record(*, user) -> None:
    """Log that ``user`` visited Cercle today: VISITED at most once per member and UTC
    day (anonymous users are ignored). Safe to call on every request, though
    :class:`metrics.middleware.VisitMiddleware` calls it once a day per member."""
    if user is None or not user.is_authenticated:
        return
    now = timezone.now().astimezone(UTC)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        if not Activity.objects.filter(
            actor_id=user.pk, verb=Activity.Verb.VISITED, created_at__gte=day_start
        ).exists():
            activity_record(actor=user, verb=Activity.Verb.VISITED)
