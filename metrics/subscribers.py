"""Who hears of the activity log: other apps subscribe to the activities that commit.

The activity log sits below the apps that write to it (communities, profiles, ...): it
imports none of them. An app that must react to what members do (badge evaluation,
later the metrics rollups) registers a callback in its ``AppConfig.ready``::

    activity_subscribe(badges_evaluate_after, verbs={Activity.Verb.POST_CREATED, ...})

Delivery contract:

- only after the acting transaction commits (``transaction.on_commit``): an action that
  is rolled back, or a savepoint around it, delivers nothing;
- each callback receives a list of :class:`CommittedActivity` (ids and plain values,
  never ORM instances): the rows written by one :func:`metrics.services.activity_record`
  call whose verb the subscriber asked for (one row, or one per member addressed);
- robust: a failing subscriber is logged and never breaks the member's action, already
  committed, nor the other subscribers;
- cheap: nothing is scheduled for a verb nobody subscribed to.
"""

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommittedActivity:
    """One committed row of the activity log, as plain values."""

    id: int
    verb: str
    actor_id: int
    subject_id: int | None
    community_id: int | None
    object_type: str
    object_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, activity) -> "CommittedActivity":
        return cls(
            id=activity.pk,
            verb=str(activity.verb),
            actor_id=activity.actor_id,
            subject_id=activity.subject_id,
            community_id=activity.community_id,
            object_type=activity.object_type,
            object_id=activity.object_id,
            created_at=activity.created_at,
        )

    def as_json(self) -> dict:
        """The same values as JSON (``created_at`` in ISO 8601), e.g. for a task."""
        return {**asdict(self), "created_at": self.created_at.isoformat()}


Subscriber = Callable[[list[CommittedActivity]], object]


@dataclass(frozen=True)
class _Subscription:
    callback: Subscriber
    verbs: frozenset[str] | None

    def wants(self, verb: str) -> bool:
        return self.verbs is None or verb in self.verbs


_subscriptions: list[_Subscription] = []


def activity_subscribe(callback: Subscriber, *, verbs: Collection[str] | None = None) -> None:
    """Call ``callback`` with the committed activities of ``verbs`` (every verb when
    None). Call it from an ``AppConfig.ready``; subscribing the same callback again
    replaces its verbs (``ready`` may run more than once)."""
    activity_unsubscribe(callback)
    wanted = None if verbs is None else frozenset(str(verb) for verb in verbs)
    _subscriptions.append(_Subscription(callback=callback, verbs=wanted))


def activity_unsubscribe(callback: Subscriber) -> None:
    """Stop calling ``callback`` (no error when it was not subscribed)."""
    _subscriptions[:] = [s for s in _subscriptions if s.callback != callback]


def activities_deliver_on_commit(activities: Iterable) -> None:
    """For :func:`metrics.services.activity_record` only, inside the acting transaction:
    once it commits, hand ``activities`` (rows just written) to their subscribers.
    Nothing is scheduled when no subscriber wants any of them."""
    committed = [CommittedActivity.of(activity) for activity in activities]
    if not any(s.wants(a.verb) for s in _subscriptions for a in committed):
        return
    transaction.on_commit(partial(_deliver, committed), robust=True)


def _deliver(committed: list[CommittedActivity]) -> None:
    for subscription in list(_subscriptions):
        wanted = [activity for activity in committed if subscription.wants(activity.verb)]
        if not wanted:
            continue
        try:
            subscription.callback(wanted)
        except Exception:
            logger.exception(
                "Activity subscriber %r failed on activities %s",
                subscription.callback,
                [activity.id for activity in wanted],
            )


__all__ = [
    "CommittedActivity",
    "activities_deliver_on_commit",
    "activity_subscribe",
    "activity_unsubscribe",
]
