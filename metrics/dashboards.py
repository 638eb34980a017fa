"""Reads of the community managers' dashboards: activity, inequality, transitions, the
people behind each number and what each profile type needs from the manager.

A *scope* is a community (its id) or the organisation (None). Every selector reads the
daily rollups (:class:`~metrics.models.MemberDay`) or the weekly labels, never the
activity log, in a fixed number of queries whatever the number of members.

Organisation-wide, a group of fewer than ``CERCLE_METRICS_MIN_GROUP`` people is never
shown, nor are its people: a community's manager knows their members, the organisation's
figures must not single anyone out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from communities.models import Membership
from metrics.models import MemberDay, ProfileLabel, ProfileTypeOverride
from metrics.participation import min_group
from metrics.profile_types import ProfileType

#: Days over which DAU is averaged, and the length of the "month" of MAU.
MONTH_DAYS = 28
WEEK_DAYS = 7
#: The window of participation inequality.
INEQUALITY_DAYS = 90
#: How far back the "month before" of type transitions is looked for.
TRANSITION_WEEKS = 4


def hide_below(community_id: int | None) -> int:
    """Groups smaller than this are hidden in the scope (0: nothing is hidden)."""
    return min_group() if community_id is None else 0


def _hidden(count: int, community_id: int | None) -> bool:
    return 0 < count < hide_below(community_id)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def scope_members(community_id: int | None) -> QuerySet:
    """The people of the scope: the community's active members, or the organisation's
    active accounts."""
    users = get_user_model().objects.filter(is_active=True)
    if community_id is None:
        return users
    return users.filter(
        memberships__community_id=community_id, memberships__status=Membership.Status.ACTIVE
    )


def _days(community_id: int | None, first: date, last: date) -> QuerySet:
    return MemberDay.objects.filter(community_id=community_id, day__range=(first, last))


# --- Activity: DAU, WAU, MAU, stickiness -------------------------------------------------


@dataclass
class Activity:
    as_of: date
    dau: float
    wau: int
    mau: int
    stickiness: float
    #: One row a day over the period: day, active members, content (posts and comments).
    days: list[dict]
    #: Whole weeks ending on ``as_of``: distinct active members, content, replies to
    #: others, reactions given.
    weeks: list[dict] = field(default_factory=list)


def activity(*, community_id: int | None, first: date, as_of: date) -> Activity:
    """DAU (the average over the ``MONTH_DAYS`` days up to ``as_of``), WAU (distinct
    members active in the last 7 days), MAU (in the last 28), stickiness (DAU / MAU), and
    the daily and weekly series from ``first``. Three queries."""
    month_first = as_of - timedelta(days=MONTH_DAYS - 1)
    series_first = min(first, month_first)
    # One rollup row per member and day in a scope: counting rows counts members.
    daily = {
        row["day"]: row
        for row in _days(community_id, series_first, as_of)
        .values("day")
        .annotate(
            active=Count("id"),
            content=Sum(F("posts") + F("comments")),
            replies=Sum("replies_to_others"),
            reactions=Sum("reactions_given"),
        )
        .order_by("day")
    }
    distinct = _days(community_id, month_first, as_of).aggregate(
        mau=Count("user_id", distinct=True),
        wau=Count(
            "user_id",
            distinct=True,
            filter=Q(day__gte=as_of - timedelta(days=WEEK_DAYS - 1)),
        ),
    )
    dau = sum(row["active"] for day, row in daily.items() if day >= month_first) / MONTH_DAYS
    mau = distinct["mau"]
    days = []
    day = first
    while day <= as_of:
        row = daily.get(day, {})
        days.append(
            {"day": day, "active": row.get("active", 0), "content": row.get("content") or 0}
        )
        day += timedelta(days=1)

    # Whole weeks ending on as_of, back to first: distinct members per week, one query.
    count = max(1, ((as_of - first).days + 1) // WEEK_DAYS)
    ends = [as_of - timedelta(weeks=back) for back in range(count - 1, -1, -1)]
    counts = _days(community_id, ends[0] - timedelta(days=WEEK_DAYS - 1), as_of).aggregate(
        **{
            f"week_{index}": Count(
                "user_id",
                distinct=True,
                filter=Q(day__range=(week_end - timedelta(days=WEEK_DAYS - 1), week_end)),
            )
            for index, week_end in enumerate(ends)
        }
    )
    weeks = []
    for index, week_end in enumerate(ends):
        week_first = week_end - timedelta(days=WEEK_DAYS - 1)
        rows = [row for day, row in daily.items() if week_first <= day <= week_end]
        weeks.append(
            {
                "week": week_end,
                "active": counts.get(f"week_{index}", 0),
                "content": sum(row["content"] or 0 for row in rows),
                "replies": sum(row["replies"] or 0 for row in rows),
                "reactions": sum(row["reactions"] or 0 for row in rows),
            }
        )
    return Activity(
        as_of=as_of,
        dau=round(dau, 1),
        wau=distinct["wau"],
        mau=mau,
        stickiness=_share(dau, mau),
        days=days,
        weeks=weeks,
    )


def active_people(*, community_id: int | None, as_of: date, days: int) -> QuerySet:
    """Members of the scope active in the ``days`` days up to ``as_of``."""
    active = _days(community_id, as_of - timedelta(days=days - 1), as_of).values("user_id")
    return scope_members(community_id).filter(pk__in=active)


# --- Participation inequality -------------------------------------------------------------


class Group:
    CREATORS = "creators"
    CONTRIBUTORS = "contributors"
    READERS = "readers"
    ALL = (CREATORS, CONTRIBUTORS, READERS)
    LABELS = {
        CREATORS: _("Creators"),
        CONTRIBUTORS: _("Contributors"),
        READERS: _("Readers"),
    }
    DESCRIPTIONS = {
        CREATORS: _("started a post or a question"),
        CONTRIBUTORS: _("replied, reacted, praised or voted, but started nothing"),
        READERS: _("everyone else in the scope: read, visited, or nothing at all"),
    }
    #: The 90-9-1 rule of thumb.
    RULE_OF_THUMB = {CREATORS: 0.01, CONTRIBUTORS: 0.09, READERS: 0.90}


def _engagement(community_id: int | None, as_of: date) -> QuerySet:
    """Per member of the scope over the inequality window: what they started and how
    else they took part."""
    first = as_of - timedelta(days=INEQUALITY_DAYS - 1)
    return (
        _days(community_id, first, as_of)
        .filter(user_id__in=scope_members(community_id).values("pk"))
        .values("user_id")
        .annotate(
            started=Sum("posts"),
            engaged=Sum(
                F("comments")
                + F("reactions_given")
                + F("kudos_given")
                + F("polls_voted")
                + F("rsvps")
            ),
        )
    )


def _group_ids(community_id: int | None, as_of: date, group: str) -> QuerySet:
    rows = _engagement(community_id, as_of)
    if group == Group.CREATORS:
        rows = rows.filter(started__gt=0)
    elif group == Group.CONTRIBUTORS:
        rows = rows.filter(started=0, engaged__gt=0)
    else:
        rows = rows.filter(Q(started__gt=0) | Q(engaged__gt=0))
    return rows.values("user_id")


@dataclass
class GroupShare:
    group: str
    label: str
    description: str
    members: int | None
    share: float | None
    rule_of_thumb: float
    hidden: bool = False


@dataclass
class Inequality:
    as_of: date
    days: int
    members: int
    groups: list[GroupShare]


def inequality(*, community_id: int | None, as_of: date) -> Inequality:
    """Readers, contributors and creators of the scope over the ``INEQUALITY_DAYS`` days
    up to ``as_of``, with their shares against the 90-9-1 rule of thumb. Two queries."""
    members = scope_members(community_id).count()
    creators = contributors = 0
    for row in _engagement(community_id, as_of):
        if row["started"]:
            creators += 1
        elif row["engaged"]:
            contributors += 1
    counts = {
        Group.CREATORS: creators,
        Group.CONTRIBUTORS: contributors,
        Group.READERS: max(members - creators - contributors, 0),
    }
    groups = []
    for group in Group.ALL:
        count = counts[group]
        hidden = _hidden(count, community_id)
        groups.append(
            GroupShare(
                group=group,
                label=str(Group.LABELS[group]),
                description=str(Group.DESCRIPTIONS[group]),
                members=None if hidden else count,
                share=None if hidden else _share(count, members),
                rule_of_thumb=Group.RULE_OF_THUMB[group],
                hidden=hidden,
            )
        )
    return Inequality(as_of=as_of, days=INEQUALITY_DAYS, members=members, groups=groups)


def group_people(*, community_id: int | None, as_of: date, group: str) -> QuerySet:
    """The members of one inequality group (see :class:`Group`)."""
    if group == Group.READERS:
        return scope_members(community_id).exclude(pk__in=_group_ids(community_id, as_of, "active"))
    return scope_members(community_id).filter(pk__in=_group_ids(community_id, as_of, group))


# --- Labels: the type each member has, managers' overrides applied ------------------------


def evaluations(*, community_id: int | None, last: date, limit: int = 8) -> list[date]:
    """The scope's evaluation days up to ``last``, newest first. One query."""
    return list(
        ProfileLabel.objects.filter(community_id=community_id, week__lte=last)
        .values_list("week", flat=True)
        .distinct()
        .order_by("-week")[:limit]
    )


def _override_in_force(community_id: int | None, week: date, latest: bool):
    """The type of the override of the member (OuterRef ``user_id``) that held for the
    figures of ``week``: the open one for the latest evaluation, else the one set before
    the next evaluation and not ended before it."""
    overrides = ProfileTypeOverride.objects.filter(
        community_id=community_id, user_id=OuterRef("user_id")
    )
    if latest:
        overrides = overrides.filter(ended_at__isnull=True)
    else:
        boundary = datetime.combine(week + timedelta(days=WEEK_DAYS), time.min, tzinfo=UTC)
        overrides = overrides.filter(created_at__lt=boundary).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=boundary)
        )
    return Subquery(overrides.order_by("-created_at").values("type")[:1])


def labels_of_week(*, community_id: int | None, week: date, latest: bool) -> QuerySet:
    """The labels of one evaluation, each with ``effective_type`` (what managers see:
    the published type, or the override in force) and its member."""
    return (
        ProfileLabel.objects.filter(community_id=community_id, week=week)
        .annotate(effective_type=Coalesce(_override_in_force(community_id, week, latest), "type"))
        .select_related("user")
    )


# --- Type transitions month over month ----------------------------------------------------


@dataclass
class Transitions:
    latest: date | None
    earlier: date | None
    #: Types as rows (before) and columns (now), in ProfileType order; "" is "not
    #: evaluated then" (a newcomer to the scope).
    types: list[tuple[str, str]]
    #: (before, now) -> count, None when hidden.
    cells: dict[tuple[str, str], int | None]
    rows: list[dict] = field(default_factory=list)


def _pick_earlier(weeks: list[date]) -> tuple[date | None, date | None]:
    if not weeks:
        return None, None
    latest = weeks[0]
    target = latest - timedelta(weeks=TRANSITION_WEEKS)
    earlier = next((week for week in weeks if week <= target), None)
    return latest, earlier


def _transition_rows(community_id: int | None, latest: date, earlier: date) -> QuerySet:
    before = ProfileLabel.objects.filter(
        community_id=community_id, week=earlier, user_id=OuterRef("user_id")
    ).values("type")[:1]
    return ProfileLabel.objects.filter(community_id=community_id, week=latest).annotate(
        before=Coalesce(Subquery(before), Value(""))
    )


def transitions(*, community_id: int | None, last: date) -> Transitions:
    """Published type of each member at the scope's latest evaluation up to ``last``
    against the evaluation about four weeks earlier: a matrix of counts. Two queries."""
    weeks = evaluations(community_id=community_id, last=last, limit=TRANSITION_WEEKS * 2 + 2)
    latest, earlier = _pick_earlier(weeks)
    types = [(type, str(label)) for type, label in ProfileType.choices]
    cells: dict[tuple[str, str], int | None] = {}
    if latest is None or earlier is None:
        return Transitions(latest=latest, earlier=earlier, types=types, cells=cells)
    grouped = (
        _transition_rows(community_id, latest, earlier)
        .values("before", "type")
        .annotate(count=Count("id", output_field=IntegerField()))
        .order_by()
    )
    for row in grouped:
        count = row["count"]
        cells[(row["before"], row["type"])] = None if _hidden(count, community_id) else count
    before_types = [("", str(_("Not evaluated then"))), *types]
    rows = []
    for before, label in before_types:
        counts = [cells.get((before, now), 0) for now, _label in types]
        if before == "" and not any(counts):
            continue
        rows.append({"type": before, "label": label, "cells": counts})
    return Transitions(latest=latest, earlier=earlier, types=types, cells=cells, rows=rows)


def transition_people(*, community_id: int | None, last: date, before: str, now: str) -> QuerySet:
    """Members whose published type went from ``before`` ("": not evaluated) to ``now``."""
    weeks = evaluations(community_id=community_id, last=last, limit=TRANSITION_WEEKS * 2 + 2)
    latest, earlier = _pick_earlier(weeks)
    if latest is None or earlier is None:
        return scope_members(community_id).none()
    ids = _transition_rows(community_id, latest, earlier).filter(before=before, type=now)
    return get_user_model().objects.filter(pk__in=ids.values("user_id"))


# --- What each type needs from the manager -----------------------------------------------

SUGGESTED_ACTIONS = {
    ProfileType.ENTHUSIAST: _(
        "Give them something to lead (a topic, an event, welcoming newcomers) before the "
        "novelty fades."
    ),
    ProfileType.SHOW_OFF: _(
        "Channel their energy into answering others: point them to unanswered questions "
        "and praise their replies rather than their posts."
    ),
    ProfileType.SHY: _(
        "Invite them personally to a safe, engaging topic where their knowledge is "
        "useful; a private message works better than a public mention."
    ),
    ProfileType.INDIFFERENT: _(
        "Send a digest of the one community that matters to them and fewer "
        "notifications from the rest."
    ),
    ProfileType.JADED: _(
        "Have a personal conversation: ask what changed and what would make it worth "
        "their time again."
    ),
    ProfileType.PRAGMATIC: _(
        "Route them the questions they can answer and show the value they get back "
        "(contacts, answers, time saved)."
    ),
    ProfileType.NEW: _(
        "Welcome them and suggest a first easy action (introduce yourself, react to a post)."
    ),
}


@dataclass
class SuggestedAction:
    type: str
    label: str
    action: str
    members: int | None
    people: list = field(default_factory=list)
    hidden: bool = False


def suggested_actions(
    *, community_id: int | None, week: date | None, latest: bool, shown: int = 8
) -> list[SuggestedAction]:
    """One suggested action per profile type with how many members it concerns at the
    evaluation ``week`` and the first ``shown`` of them (by name). One query: all the
    labels of the week with their members."""
    by_type: dict[str, list] = {type: [] for type in ProfileType.values}
    if week is not None:
        for label in labels_of_week(community_id=community_id, week=week, latest=latest).order_by(
            "user__display_name", "user_id"
        ):
            by_type.setdefault(label.effective_type, []).append(label.user)
    actions = []
    for type, type_label in ProfileType.choices:
        people = by_type.get(type, [])
        hidden = _hidden(len(people), community_id)
        actions.append(
            SuggestedAction(
                type=type,
                label=str(type_label),
                action=str(SUGGESTED_ACTIONS[type]),
                members=None if hidden else len(people),
                people=[] if hidden else people[:shown],
                hidden=hidden,
            )
        )
    return actions


#: What a member of a type did, for the drill-down of each figure of the type's row.
DID = {
    "active": Q(),
    "content": Q(posts__gt=0) | Q(comments__gt=0),
    "replies": Q(replies_to_others__gt=0),
}


def type_people(
    *,
    community_id: int | None,
    week: date,
    latest: bool,
    type: str,
    did: str | None = None,
    since: date | None = None,
) -> QuerySet:
    """The labels (with their members) of one effective type at the evaluation ``week``;
    with ``did`` (a key of :data:`DID`), only those who did it from ``since`` to ``week``
    ("active": the week of the evaluation)."""
    labels = labels_of_week(community_id=community_id, week=week, latest=latest).filter(
        effective_type=type
    )
    if did is not None:
        first = week - timedelta(days=WEEK_DAYS - 1) if did == "active" or since is None else since
        rows = _days(community_id, first, week).filter(DID[did]).values("user_id")
        labels = labels.filter(user_id__in=rows)
    return labels
