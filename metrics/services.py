from datetime import UTC

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from metrics.models import Activity
from profiles.models import User


def activity_record(
    *,
    actor,
    verb: str,
    community=None,
    target: models.Model | None = None,
) -> Activity:
    """Append one row to the activity log. The only writer of :class:`Activity`.

    Called by the services that change state, inside their transaction, so that a
    rolled-back action leaves no trace in the log. For the verbs in :data:`BADGE_VERBS`,
    ``profiles.tasks.badges_evaluate_for`` is queued once the transaction commits, for
    the members whose badges the action may change.
    """
    activity = Activity.objects.create(
        actor=actor,
        verb=verb,
        community=community,
        object_type=target._meta.model_name if target is not None else "",
        object_id=target.pk if target is not None else None,
    )
    _badges_evaluate_on_commit(activity)
    return activity


# Activities after which someone's badges may change (profiles.recognition.badges).
BADGE_VERBS = frozenset(
    {
        Activity.Verb.POST_CREATED,
        Activity.Verb.COMMENT_CREATED,
        Activity.Verb.ANSWER_ACCEPTED,
        Activity.Verb.KUDOS_GIVEN,
        Activity.Verb.RSVP,
    }
)


def _badges_evaluate_on_commit(activity: Activity) -> None:
    """Once the action commits, queue badge evaluation for whoever it may concern. Robust:
    a failing evaluation is logged and never undoes or breaks the member's action."""
    if activity.verb not in BADGE_VERBS:
        return
    actor_id, verb, object_id = activity.actor_id, activity.verb, activity.object_id

    def enqueue() -> None:
        from profiles.recognition.badges import badge_related_user_ids
        from profiles.tasks import badges_evaluate_for

        user_ids = badge_related_user_ids(actor_id=actor_id, verb=verb, object_id=object_id)
        badges_evaluate_for.delay(user_ids)

    transaction.on_commit(enqueue, robust=True)


def utc_day_start(moment=None):
    """Midnight UTC of the day of ``moment`` (now by default): the day of the "once per
    member and day" rules (visits, reads) and of daily caps."""
    moment = (moment or timezone.now()).astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def visit_record(*, user) -> None:
    """Log that ``user`` visited Cercle today: VISITED at most once per member and UTC
    day (anonymous users are ignored). Safe to call on every request, though
    :class:`metrics.middleware.VisitMiddleware` calls it once a day per member."""
    if user is None or not user.is_authenticated:
        return
    with transaction.atomic():
        if not Activity.objects.filter(
            actor_id=user.pk, verb=Activity.Verb.VISITED, created_at__gte=utc_day_start()
        ).exists():
            activity_record(actor=user, verb=Activity.Verb.VISITED)


# How often a member's ``last_seen_at`` is written at most: fresh enough for "was the
# member active since this notification arrived?" (the away email), cheap on every request.
SEEN_EVERY_SECONDS = 60


def member_seen(*, user_id: int, at=None) -> None:
    """Record that member ``user_id`` made a request at ``at`` (now by default): one
    UPDATE of ``User.last_seen_at``, never moving it back. Safe to call on every request,
    though :class:`metrics.middleware.VisitMiddleware` calls it at most once per
    ``SEEN_EVERY_SECONDS`` per member."""
    at = at or timezone.now()
    User.objects.filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=at), pk=user_id).update(
        last_seen_at=at
    )
