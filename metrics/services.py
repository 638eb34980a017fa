from django.db import models

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
