"""The signals profile types are judged on, read from the daily rollups in a few queries.

:func:`signals_for` returns one :class:`~metrics.profile_types.Signals` per member of a
scope (the whole organisation, or one community) over the rolling window that ends on a
given day. It runs a fixed number of grouped queries whatever the number of members:
one over the rollups, one for the memberships (breadth, organisation-wide only), and one
for the members themselves; members with no rollup row in the window get empty signals
(they are judged too, as "new" or "indifferent").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum

from communities.models import Membership
from metrics.models import MemberDay
from metrics.profile_types import Signals

WINDOW_DAYS = 90
RECENT_DAYS = 21

#: Everything but reading and visiting: the "actions" of the trend.
ACTIONS = (
    F("posts")
    + F("replies_to_others")
    + F("reactions_given")
    + F("kudos_given")
    + F("polls_voted")
    + F("rsvps")
)


#: Posts (questions included) and replies to others.
WRITES = F("posts") + F("replies_to_others")


def window(as_of: date) -> tuple[date, date, date]:
    """First day of the window, first day of its recent part, last day (``as_of``)."""
    return (
        as_of - timedelta(days=WINDOW_DAYS - 1),
        as_of - timedelta(days=RECENT_DAYS - 1),
        as_of,
    )


def _end_of(day: date) -> datetime:
    """The first instant after ``day``: rollup days are UTC days."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _tenure(joined: datetime, as_of: date) -> int:
    return max(0, (as_of - joined.astimezone(UTC).date()).days)


def signals_for(*, as_of: date, community_id: int | None = None) -> dict[int, Signals]:
    """Signals of every member of the scope on ``as_of``, by member id.

    Organisation-wide (``community_id`` None): every active account that existed by the
    end of ``as_of``, read from the organisation rows of the rollups, tenure counted
    from the account's creation. In a community: its active members, read from that
    community's rows, tenure counted from joining it.
    """
    first, recent, last = window(as_of)
    rows = MemberDay.objects.filter(day__range=(first, last))
    if community_id is None:
        rows = rows.filter(community__isnull=True)
        members = dict(
            get_user_model()
            .objects.filter(is_active=True, date_joined__lt=_end_of(as_of))
            .values_list("id", "date_joined")
        )
    else:
        rows = rows.filter(community_id=community_id)
        members = dict(
            Membership.objects.filter(
                community_id=community_id,
                status=Membership.Status.ACTIVE,
                user__is_active=True,
                joined_at__lt=_end_of(as_of),
            ).values_list("user_id", "joined_at")
        )

    totals = {
        row["user_id"]: row
        for row in rows.values("user_id").annotate(
            n_active_days=Count("id"),
            n_reads=Sum("reads"),
            n_visits=Sum("visits"),
            n_all_posts=Sum("posts"),
            n_questions=Sum("questions"),
            n_replies_to_others=Sum("replies_to_others"),
            n_replies_received=Sum("replies_received"),
            n_reactions_given=Sum("reactions_given"),
            n_reactions_received=Sum("reactions_received"),
            n_kudos_given=Sum("kudos_given"),
            n_kudos_received=Sum("kudos_received"),
            n_answers_accepted=Sum("accepted_answers_given"),
            n_votes=Sum(F("polls_voted") + F("rsvps")),
            n_recent_actions=Sum(ACTIONS, filter=Q(day__gte=recent)),
            n_past_actions=Sum(ACTIONS, filter=Q(day__lt=recent)),
            n_recent_writes=Sum(WRITES, filter=Q(day__gte=recent)),
            n_past_writes=Sum(WRITES, filter=Q(day__lt=recent)),
        )
    }

    breadth: dict[int, tuple[int, int]] = {}
    if community_id is None:
        joined = dict(
            Membership.objects.filter(status=Membership.Status.ACTIVE)
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        active = dict(
            MemberDay.objects.filter(day__range=(first, last), community__isnull=False)
            .values("user_id")
            .annotate(n=Count("community_id", distinct=True))
            .values_list("user_id", "n")
        )
        breadth = {user_id: (joined.get(user_id, 0), active.get(user_id, 0)) for user_id in members}

    signals = {}
    for user_id, joined_at in members.items():
        row = totals.get(user_id)
        if community_id is None:
            communities_joined, communities_active = breadth[user_id]
        else:
            communities_joined, communities_active = 1, int(row is not None)
        if row is None:
            signals[user_id] = Signals(
                tenure_days=_tenure(joined_at, as_of),
                communities_joined=communities_joined,
                communities_active=communities_active,
            )
            continue
        signals[user_id] = Signals(
            tenure_days=_tenure(joined_at, as_of),
            active_days=row["n_active_days"],
            reads=row["n_reads"] or 0,
            visits=row["n_visits"] or 0,
            posts=(row["n_all_posts"] or 0) - (row["n_questions"] or 0),
            questions=row["n_questions"] or 0,
            replies_to_others=row["n_replies_to_others"] or 0,
            replies_received=row["n_replies_received"] or 0,
            reactions_given=row["n_reactions_given"] or 0,
            reactions_received=row["n_reactions_received"] or 0,
            kudos_given=row["n_kudos_given"] or 0,
            kudos_received=row["n_kudos_received"] or 0,
            answers_accepted=row["n_answers_accepted"] or 0,
            votes=row["n_votes"] or 0,
            communities_joined=communities_joined,
            communities_active=communities_active,
            recent_actions=row["n_recent_actions"] or 0,
            past_actions=row["n_past_actions"] or 0,
            recent_writes=row["n_recent_writes"] or 0,
            past_writes=row["n_past_writes"] or 0,
            window_days=WINDOW_DAYS,
            recent_days=RECENT_DAYS,
        )
    return signals
