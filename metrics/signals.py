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
from django.db import connection
from django.db.models import Count

from communities.models import Membership
from metrics.models import MemberDay
from metrics.profile_types import Signals

WINDOW_DAYS = 90
RECENT_DAYS = 21

#: Everything but reading and visiting: the "actions" of the trend.
ACTIONS = ("posts", "replies_to_others", "reactions_given", "kudos_given", "polls_voted", "rsvps")

#: Posts (questions included) and replies to others.
WRITES = ("posts", "replies_to_others")

#: The totals of a member over the window: name -> (columns summed, part of the window:
#: None for all of it, "recent" or "past"). ``n_active_days`` counts the rows.
TOTALS = {
    "n_reads": (("reads",), None),
    "n_visits": (("visits",), None),
    "n_all_posts": (("posts",), None),
    "n_questions": (("questions",), None),
    "n_replies_to_others": (("replies_to_others",), None),
    "n_replies_received": (("replies_received",), None),
    "n_reactions_given": (("reactions_given",), None),
    "n_reactions_received": (("reactions_received",), None),
    "n_kudos_given": (("kudos_given",), None),
    "n_kudos_received": (("kudos_received",), None),
    "n_answers_accepted": (("accepted_answers_given",), None),
    "n_votes": (("polls_voted", "rsvps"), None),
    "n_recent_actions": (ACTIONS, "recent"),
    "n_past_actions": (ACTIONS, "past"),
    "n_recent_writes": (WRITES, "recent"),
    "n_past_writes": (WRITES, "past"),
}


def _totals(*, first: date, recent: date, last: date, community_id: int | None) -> dict:
    """Member id -> their totals (:data:`TOTALS`, ``n_active_days``) over the scope's
    rollup rows from ``first`` to ``last``: one grouped query. Written in SQL and read
    as plain tuples: through the ORM, converting its 17 columns for each of up to a row
    per member of the organisation took longer than the query."""
    quote = connection.ops.quote_name
    day_field = MemberDay._meta.get_field("day")
    recent_value = day_field.get_db_prep_value(recent, connection)
    sums, params = [], []
    for columns, part in TOTALS.values():
        total = " + ".join(quote(column) for column in columns)
        if part is None:
            sums.append(f"SUM({total})")
            continue
        # NULL when no row of the part (as an aggregate's FILTER gives).
        sums.append(f"SUM(CASE WHEN day {'>=' if part == 'recent' else '<'} %s THEN {total} END)")
        params.append(recent_value)
    scope = "community_id IS NULL" if community_id is None else "community_id = %s"
    sql = (
        f"SELECT user_id, COUNT(*), {', '.join(sums)}"
        f" FROM {quote(MemberDay._meta.db_table)}"
        f" WHERE day >= %s AND day <= %s AND {scope} GROUP BY user_id"
    )
    params += [day_field.get_db_prep_value(day, connection) for day in (first, last)]
    if community_id is not None:
        params.append(community_id)
    names = ("n_active_days", *TOTALS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in cursor.fetchall()}


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
    if community_id is None:
        members = dict(
            get_user_model()
            .objects.filter(is_active=True, date_joined__lt=_end_of(as_of))
            .values_list("id", "date_joined")
        )
    else:
        members = dict(
            Membership.objects.filter(
                community_id=community_id,
                status=Membership.Status.ACTIVE,
                user__is_active=True,
                joined_at__lt=_end_of(as_of),
            ).values_list("user_id", "joined_at")
        )

    totals = _totals(first=first, recent=recent, last=last, community_id=community_id)

    breadth: dict[int, tuple[int, int]] = {}
    if community_id is None:
        joined = dict(
            Membership.objects.filter(status=Membership.Status.ACTIVE)
            .order_by()
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        # order_by(): the model's ordering names the member and the community, which
        # would join both tables to every rollup row for nothing.
        active = dict(
            MemberDay.objects.filter(day__range=(first, last), community__isnull=False)
            .order_by()
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
