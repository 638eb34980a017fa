"""Writes of the activity log: :func:`activity_record` (the only writer), visits and
when members were last seen.

What each verb records (``actor`` did it; ``subject``, the member it was addressed to,
is never the actor: a self-reply, a reaction to one's own post... have none):

=================  ===================  ======================================  =========
verb               actor                subject                                 community
=================  ===================  ======================================  =========
visited            the member           --                                      --
community_created  the creator          --                                      yes
member_joined      the new member       --                                      yes
member_left        the member (banned)  --                                      yes
member_invited     the inviter          the invitee, when they have an account  yes
post_created       the author           --                                      yes
post_read          the reader           the post's author                       yes
comment_created    the commenter        a reply: the parent comment's author;   yes
                                        else the post's author
reaction_created   the member reacting  the author of the post or comment       yes
answer_accepted    the answer's author  the question's author (the asker)       yes
poll_voted         the voter            the poll post's author                  yes
rsvp               the member           the event post's author (the host)      yes
election_voted     the voter            -- (ballots are secret)                 yes
content_flagged    the reporter         -- (a report is for the moderators)     yes
kudos_given        the giver            one row per recipient                   if shared
badge_earned       the member           --                                      --
=================  ===================  ======================================  =========

So, per member: replies received = comment_created by subject; reactions given/received
= reaction_created by actor/subject; kudos given/received = kudos_given by
actor/subject (one row per colleague praised); accepted answers given (the member's
answer was accepted) = answer_accepted by actor, received (an answer to the member's
question was accepted, by them or by a moderator) = answer_accepted by subject.
"""

from datetime import UTC

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from metrics.models import Activity
from metrics.subscribers import activities_deliver_on_commit


def _id_of(instance_or_id) -> int | None:
    """The id of a user or a community, given the instance or the id itself (a caller
    holding ``post.author_id`` needs no query to name the author)."""
    return getattr(instance_or_id, "pk", instance_or_id)


def activity_record(
    *,
    actor,
    verb: str,
    community=None,
    target: models.Model | None = None,
    subject=None,
) -> Activity:
    """Append one row to the activity log: ``actor`` did ``verb`` on ``target`` in
    ``community``, addressed to ``subject`` (a user or a user id; ignored when it is the
    actor). With :func:`activities_record`, the only writer of :class:`Activity`.

    Called by the services that change state, inside their transaction, so that a
    rolled-back action leaves no trace in the log. Once the transaction commits, the
    row goes to the subscribers of its verb (:mod:`metrics.subscribers`). One query.
    """
    return activities_record(
        actor=actor, verb=verb, community=community, target=target, subjects=[subject]
    )[0]


def activities_record(
    *,
    actor,
    verb: str,
    subjects,
    community=None,
    target: models.Model | None = None,
) -> list[Activity]:
    """:func:`activity_record` for one action addressed to several members at once
    (kudos to a team): one row per distinct member of ``subjects``, in one INSERT,
    delivered to the subscribers together once the transaction commits."""
    actor_id = _id_of(actor)
    subject_ids = list(dict.fromkeys(_id_of(subject) for subject in subjects))
    rows = [
        Activity(
            actor_id=actor_id,
            verb=verb,
            community_id=_id_of(community),
            subject_id=subject_id if subject_id != actor_id else None,
            object_type=target._meta.model_name if target is not None else "",
            object_id=target.pk if target is not None else None,
        )
        for subject_id in subject_ids
    ]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        rows = Activity.objects.bulk_create(rows)
    activities_deliver_on_commit(rows)
    return rows


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
    get_user_model().objects.filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=at), pk=user_id
    ).update(last_seen_at=at)
