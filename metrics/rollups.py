"""The participation rollups: :class:`~metrics.models.MemberDay` and
:class:`~metrics.models.CommunityDay`, filled from the activity log by
:func:`rollups_update` (Celery beat, ``metrics.tasks.rollups_update``) and
:func:`rollups_rebuild` (``manage.py metrics_rebuild``).

How a fill stays exact:

- **A day at a time, whole.** Each UTC day is recomputed in one transaction: its rows
  are deleted, then inserted again by set-based ``INSERT ... SELECT`` / aggregate
  queries over that day's activities, and the rollup's :class:`RollupState` moves past
  it in the same transaction. Running again gives the same rows; a crash rolls back the
  day it was in and leaves the state STARTED, filled through the last committed day,
  which the next run redoes.
- **Never past what may still commit.** A fill stops at a horizon: now minus
  ``CERCLE_ROLLUP_SETTLE_MINUTES`` and, on PostgreSQL, before the start of the oldest
  transaction still open on the database (minus
  ``CERCLE_ROLLUP_TRANSACTION_MARGIN_SECONDS`` for clocks). An activity gets its
  ``created_at`` inside the transaction that writes it, so one written before the
  horizon has committed when the fill reads; one committing later is dated after the
  horizon and is counted by the next fill, once. On SQLite, writers hold the database
  lock from the start of their transaction (``transaction_mode`` IMMEDIATE) and a day is
  written under that lock, so the settle window, far longer than the lock timeout, is
  enough. The current day is filled up to the horizon and redone by the next run.
- **Replies come late.** A community's median time to first reply needs the replies
  of ``CERCLE_ROLLUP_FIRST_REPLY_WINDOW_DAYS`` after the day: community days are
  recomputed over that trailing window until it has passed.

The rollups read the communities app's tables by name (``apps.get_model``) for the two
facts the activity log does not carry: a post's kind (questions) and which post a
comment belongs to (first replies); the log imports no app above it.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from metrics.models import Activity, CommunityDay, MemberDay, RollupState

logger = logging.getLogger(__name__)

Verb = Activity.Verb
ONE_DAY = timedelta(days=1)

Progress = Callable[[int, int], object]


def utc_midnight(day: date) -> datetime:
    """The start of UTC ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    """The UTC day ``moment`` falls in."""
    return moment.astimezone(UTC).date()


def settle_window() -> timedelta:
    return timedelta(minutes=settings.CERCLE_ROLLUP_SETTLE_MINUTES)


def first_reply_window() -> timedelta:
    return timedelta(days=settings.CERCLE_ROLLUP_FIRST_REPLY_WINDOW_DAYS)


def oldest_open_transaction_start() -> datetime | None:
    """When the oldest transaction still open on this database by another session
    began (PostgreSQL's ``pg_stat_activity``), or None (none, or not PostgreSQL).

    Sessions of the same role are visible to each other there, which covers the
    application's own connections."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend' AND xact_start IS NOT NULL"
        )
        (started,) = cursor.fetchone()
    return started


def rollups_horizon(*, now: datetime | None = None) -> datetime:
    """How far a fill may go now: every activity created before it has committed (see
    the module's documentation)."""
    now = now or timezone.now()
    horizon = now - settle_window()
    oldest = oldest_open_transaction_start()
    if oldest is not None:
        margin = timedelta(seconds=settings.CERCLE_ROLLUP_TRANSACTION_MARGIN_SECONDS)
        horizon = min(horizon, oldest - margin)
    return horizon


# --- Member days -------------------------------------------------------------------


@dataclass(frozen=True)
class Counter:
    """One column of :class:`MemberDay`: activities of ``verb`` counted on the row of
    their actor or of their subject, when ``condition`` (SQL over the activity ``a``,
    with ``params``; ``{post}`` stands for the posts table) holds."""

    field: str
    verb: str
    side: str
    condition: str = ""
    params: tuple = ()


ACTOR, SUBJECT = "actor", "subject"

COUNTERS = (
    Counter("posts", Verb.POST_CREATED, ACTOR),
    # Post.Kind.QUESTION: the activity log names only the post.
    Counter(
        "questions",
        Verb.POST_CREATED,
        ACTOR,
        # A scalar subquery, looked up by primary key for each post written (an EXISTS
        # would be planned as a scan of every question).
        "a.object_type = %s AND (SELECT p.kind FROM {post} p WHERE p.id = a.object_id) = %s",
        ("post", "question"),
    ),
    Counter("comments", Verb.COMMENT_CREATED, ACTOR),
    Counter("replies_to_others", Verb.COMMENT_CREATED, ACTOR, "a.subject_id IS NOT NULL"),
    Counter("replies_received", Verb.COMMENT_CREATED, SUBJECT),
    Counter("reactions_given", Verb.REACTION_CREATED, ACTOR),
    Counter("reactions_received", Verb.REACTION_CREATED, SUBJECT),
    Counter("kudos_given", Verb.KUDOS_GIVEN, ACTOR),
    Counter("kudos_received", Verb.KUDOS_GIVEN, SUBJECT),
    Counter("accepted_answers_given", Verb.ANSWER_ACCEPTED, ACTOR),
    Counter("accepted_answers_received", Verb.ANSWER_ACCEPTED, SUBJECT),
    Counter("reads", Verb.POST_READ, ACTOR),
    Counter("visits", Verb.VISITED, ACTOR),
    Counter("polls_voted", Verb.POLL_VOTED, ACTOR),
    Counter("rsvps", Verb.RSVP, ACTOR),
)
assert tuple(counter.field for counter in COUNTERS) == MemberDay.COUNTERS


def _member_days_statement(*, start: datetime, end: datetime, day: date) -> tuple[str, list]:
    """One INSERT ... SELECT of the :class:`MemberDay` rows of ``day`` from the
    activities created between ``start`` and ``end``, and its parameters.

    Each activity is read once per side it counts on: for its actor (side 1) and, when
    it has one and its verb counts for it, its subject (side 2); each counter sums the
    rows of its side and verb. The community rows group by member and community, the
    organisation-wide rows by member: two groupings of the same rows (one pass with
    GROUPING SETS on PostgreSQL, two aggregates elsewhere). POST_CREATED rows look their
    post up (by primary key) for its kind."""
    quote = connection.ops.quote_name
    created_at = Activity._meta.get_field("created_at")
    bounds = [created_at.get_db_prep_value(moment, connection) for moment in (start, end)]
    day_value = MemberDay._meta.get_field("day").get_db_prep_value(day, connection)
    sides = {ACTOR: 1, SUBJECT: 2}
    post = quote(apps.get_model("communities", "Post")._meta.db_table)
    sums, sum_params = [], []
    for counter in COUNTERS:
        # The condition is evaluated only on the rows of the counter's side and verb
        # (a CASE keeps that order): the post lookup runs once per post written.
        counted = "1"
        if counter.condition:
            counted = f"CASE WHEN {counter.condition.format(post=post)} THEN 1 ELSE 0 END"
        sums.append(
            f"SUM(CASE WHEN s.side = {sides[counter.side]} AND a.verb = %s"
            f" THEN {counted} ELSE 0 END)"
        )
        sum_params += [str(counter.verb), *counter.params]
    subject_verbs = sorted({str(c.verb) for c in COUNTERS if c.side == SUBJECT})
    verbs = sorted({str(counter.verb) for counter in COUNTERS})
    member = "CASE WHEN s.side = 1 THEN a.actor_id ELSE a.subject_id END"
    rows = (
        f" FROM {quote(Activity._meta.db_table)} a"
        " JOIN (SELECT 1 AS side UNION ALL SELECT 2) s ON s.side = 1"
        f" OR (a.subject_id IS NOT NULL AND a.verb IN ({', '.join(['%s'] * len(subject_verbs))}))"
        " WHERE a.created_at >= %s AND a.created_at < %s"
        f" AND a.verb IN ({', '.join(['%s'] * len(verbs))})"
    )
    rows_params = [*subject_verbs, *bounds, *verbs]
    columns = ["user_id", "community_id", "day", *(counter.field for counter in COUNTERS)]
    insert = (
        f"INSERT INTO {quote(MemberDay._meta.db_table)}"
        f" ({', '.join(quote(column) for column in columns)})"
    )
    one_select = [*sum_params, *rows_params]
    if connection.vendor == "postgresql":
        # Both groupings in one pass over the rows (a quarter less time than the UNION
        # ALL below); the (member) set gives the organisation rows, community NULL, and
        # the (member, community) groups of activities outside communities are dropped.
        sql = (
            f"{insert} SELECT {member}, a.community_id, %s, {', '.join(sums)}{rows}"
            f" GROUP BY GROUPING SETS (({member}, a.community_id), ({member}))"
            " HAVING GROUPING(a.community_id) = 1 OR a.community_id IS NOT NULL"
        )
        return sql, [day_value, *one_select]
    sql = (
        f"{insert} SELECT {member}, a.community_id, %s, {', '.join(sums)}{rows}"
        f" AND a.community_id IS NOT NULL GROUP BY {member}, a.community_id"
        f" UNION ALL SELECT {member}, NULL, %s, {', '.join(sums)}{rows} GROUP BY {member}"
    )
    return sql, [day_value, *one_select, day_value, *one_select]


def member_days_fill(*, day: date, until: datetime) -> None:
    """Recompute the :class:`MemberDay` rows of ``day`` from the activities created
    that day before ``until``: one DELETE and one INSERT ... SELECT, whatever the
    number of members. For :func:`_day_fill`, inside its transaction."""
    start = utc_midnight(day)
    end = min(start + ONE_DAY, until)
    MemberDay.objects.filter(day=day).delete()
    if end <= start:
        return
    sql, params = _member_days_statement(start=start, end=end, day=day)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- Community days ----------------------------------------------------------------


def _first_reply_medians(*, start: datetime, end: datetime, until: datetime) -> dict:
    """community id -> median delay (a timedelta) before the first comment by someone
    else on the posts published there between ``start`` and ``end``, counting comments
    made before ``until`` and within the first-reply window. One query: the delays are
    ranked per community in the database, only the middle one or two come back."""
    comment_model = apps.get_model("communities", "Comment")
    window = first_reply_window()
    first_reply = (
        comment_model.objects.filter(
            post_id=OuterRef("object_id"),
            created_at__lt=OuterRef("created_at") + window,
        )
        .filter(created_at__lt=until)
        .exclude(author_id=OuterRef("actor_id"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    delays = (
        Activity.objects.filter(
            verb=Verb.POST_CREATED,
            object_type="post",
            community__isnull=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(first_reply_at=Subquery(first_reply))
        .filter(first_reply_at__isnull=False)
        .annotate(
            delay=ExpressionWrapper(
                F("first_reply_at") - F("created_at"), output_field=DurationField()
            ),
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("community_id")], order_by=F("delay").asc()),
            replied=Window(Count("pk"), partition_by=[F("community_id")]),
        )
        # The middle row (odd count) or the two middle rows (even): 2 x rank in [n, n + 2].
        .filter(rank__gte=F("replied") / 2.0, rank__lte=F("replied") / 2.0 + 1)
        .order_by()
        .values_list("community_id", "delay")
    )
    middles: dict[int, list[timedelta]] = {}
    for community_id, delay in delays:
        middles.setdefault(community_id, []).append(delay)
    return {
        community_id: sum(pair, timedelta()) / len(pair) for community_id, pair in middles.items()
    }


def community_days_fill(*, day: date, until: datetime) -> None:
    """Recompute the :class:`CommunityDay` rows of ``day`` from the activities created
    that day before ``until`` (and the first replies before ``until``): one DELETE, two
    aggregate queries and one INSERT, whatever the number of communities. For
    :func:`_day_fill`, inside its transaction."""
    start = utc_midnight(day)
    end = min(start + ONE_DAY, until)
    CommunityDay.objects.filter(day=day).delete()
    if end <= start:
        return
    totals = (
        Activity.objects.filter(community__isnull=False, created_at__gte=start, created_at__lt=end)
        .exclude(verb=Verb.MEMBER_LEFT)
        .values("community_id")
        .annotate(
            active=Count("actor_id", distinct=True),
            new=Count(
                "actor_id",
                distinct=True,
                filter=Q(verb__in=[Verb.MEMBER_JOINED, Verb.COMMUNITY_CREATED]),
            ),
            published=Count("pk", filter=Q(verb__in=[Verb.POST_CREATED, Verb.COMMENT_CREATED])),
        )
        .order_by()
    )
    medians = _first_reply_medians(start=start, end=end, until=until)
    CommunityDay.objects.bulk_create(
        CommunityDay(
            community_id=row["community_id"],
            day=day,
            active_members=row["active"],
            new_members=row["new"],
            content=row["published"],
            median_first_reply_seconds=(
                round(medians[row["community_id"]].total_seconds())
                if row["community_id"] in medians
                else None
            ),
        )
        for row in totals
    )


# --- Fill state --------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """A rollup: how to recompute one day, and the first day a fill must redo given
    how far it is filled."""

    name: str
    day_fill: Callable[..., None]
    first_open_day: Callable[[datetime], date]


ROLLUPS = (
    Rollup(RollupState.Name.MEMBER_DAYS, member_days_fill, utc_day),
    # A community day changes until its first-reply window has passed.
    Rollup(
        RollupState.Name.COMMUNITY_DAYS,
        community_days_fill,
        lambda filled_through: utc_day(filled_through - first_reply_window()),
    ),
)


def _initial_filled_through(horizon: datetime) -> datetime:
    """Where a rollup never filled starts: the day of the first activity."""
    first = Activity.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None or first >= horizon:
        return horizon
    return utc_midnight(utc_day(first))


def _mark_started(rollup: Rollup, *, horizon: datetime, now: datetime) -> RollupState:
    """Record (and commit) that a fill of ``rollup`` up to ``horizon`` began."""
    RollupState.objects.get_or_create(
        name=rollup.name,
        defaults={"filled_through": lambda: _initial_filled_through(horizon)},
    )
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(name=rollup.name)
        if state.status == RollupState.Status.STARTED:
            logger.warning(
                "Rollup %s: the fill begun at %s did not finish; redoing from %s",
                rollup.name,
                state.started_at,
                state.filled_through,
            )
        state.status = RollupState.Status.STARTED
        state.started_at = now
        state.finished_at = None
        state.filling_until = horizon
        state.save()
    return state


def _mark_done(rollup: Rollup) -> None:
    RollupState.objects.filter(name=rollup.name).update(
        status=RollupState.Status.DONE, finished_at=timezone.now()
    )


#: PostgreSQL settings for the transaction of a day's fill: its aggregates are planned
#: as costly (a day of the whole organisation's activities), which makes the server
#: compile them first (JIT, about a second a statement, more than running them), and
#: their hash tables outgrow the default 4MB of work memory and spill to disk.
FILL_SETTINGS = (("jit", "off"), ("work_mem", "64MB"))


def _fill_settings() -> None:
    """Apply :data:`FILL_SETTINGS` to the current transaction (``SET LOCAL``: they end
    with it), on PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, value in FILL_SETTINGS:
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _day_fill(rollup: Rollup, *, day: date, horizon: datetime) -> None:
    """Recompute ``day`` of ``rollup`` up to ``horizon`` and, when the state was filled
    up to that day at least, move it past the day: one transaction, holding the state's
    row so that two fills of the same rollup take turns."""
    start = utc_midnight(day)
    reach = min(start + ONE_DAY, horizon)
    with transaction.atomic():
        _fill_settings()
        state = RollupState.objects.select_for_update().get(name=rollup.name)
        rollup.day_fill(day=day, until=horizon)
        if start <= state.filled_through < reach:
            state.filled_through = reach
            state.save(update_fields=["filled_through"])


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def _last_day(horizon: datetime) -> date:
    """The last day with time before ``horizon`` (exclusive)."""
    return utc_day(horizon - timedelta(microseconds=1))


def rollups_update(*, now: datetime | None = None) -> dict[str, datetime]:
    """Bring every rollup up to the horizon: redo the days from the first one still
    open (the day the state is in, or the trailing first-reply window) to today.
    Returns how far each is filled. Safe to run at any time and concurrently (fills of
    one rollup take turns day by day); called by the ``rollups_update`` task."""
    now = now or timezone.now()
    horizon = rollups_horizon(now=now)
    filled = {}
    for rollup in ROLLUPS:
        state = _mark_started(rollup, horizon=horizon, now=now)
        # Everything before the mark already had committed: never fill less than that.
        until = max(horizon, state.filled_through)
        for day in _days(rollup.first_open_day(state.filled_through), _last_day(until)):
            _day_fill(rollup, day=day, horizon=until)
        _mark_done(rollup)
        filled[rollup.name] = RollupState.objects.get(name=rollup.name).filled_through
    return filled


def rollups_rebuild(
    *,
    since: date,
    until: date | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Recompute every rollup for the days ``since`` to ``until`` (included; today by
    default, never past the horizon), e.g. after a change of the counters or a repair
    of the log; ``progress(done, total)`` is called after each day. Returns the number
    of days recomputed per rollup. The fill state moves forward only when the range
    joins what was filled already."""
    now = now or timezone.now()
    horizon = rollups_horizon(now=now)
    last = _last_day(horizon) if until is None else min(until, _last_day(horizon))
    days = list(_days(since, last))
    total = len(days) * len(ROLLUPS)
    done = 0
    if progress is not None:
        progress(done, total)
    for rollup in ROLLUPS:
        state = _mark_started(rollup, horizon=horizon, now=now)
        until_moment = max(horizon, state.filled_through)
        for day in days:
            _day_fill(rollup, day=day, horizon=until_moment)
            done += 1
            if progress is not None:
                progress(done, total)
        _mark_done(rollup)
    return len(days)


__all__ = [
    "ROLLUPS",
    "community_days_fill",
    "member_days_fill",
    "oldest_open_transaction_start",
    "rollups_horizon",
    "rollups_rebuild",
    "rollups_update",
    "utc_midnight",
]
