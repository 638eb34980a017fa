"""Reads of participation by profile type: what the dashboards and the API show.

Everything here reads the weekly figures (:class:`~metrics.models.ProfileTypeWeek`), the
labels and the daily rollups (plain participation, a member's own activity), never the
activity log, so a dashboard costs a fixed handful of queries whatever the size of the
organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _

from metrics.models import (
    CommunityDay,
    MemberDay,
    ProfileLabel,
    ProfileTypeOverride,
    ProfileTypeWeek,
)
from metrics.profile_types import ProfileType

NAMED_PERIODS = {"4w": 4, "13w": 13, "26w": 26, "52w": 52}
DEFAULT_PERIOD = "13w"
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodInvalid(ValueError):
    """A period the dashboards cannot show; the message says why."""


@dataclass(frozen=True)
class Period:
    """Whole weeks, each ending on an evaluation day, from ``first`` to ``last``."""

    first: date
    last: date
    name: str

    def contains(self, week: date) -> bool:
        return self.first <= week <= self.last


def period_parse(value: str | None, *, today: date) -> Period:
    """``4w``, ``13w`` (default), ``26w``, ``52w``: that many weeks up to today; or
    ``YYYY-MM-DD..YYYY-MM-DD``, both days included. Raises :class:`PeriodInvalid`."""
    value = (value or DEFAULT_PERIOD).strip()
    if value in NAMED_PERIODS:
        return Period(
            today - timedelta(weeks=NAMED_PERIODS[value]) + timedelta(days=1), today, value
        )
    match = _RANGE.match(value)
    if not match:
        raise PeriodInvalid(
            _("Use %(named)s, or a range of days as YYYY-MM-DD..YYYY-MM-DD.")
            % {"named": ", ".join(NAMED_PERIODS)}
        )
    try:
        first, last = (date.fromisoformat(part) for part in match.groups())
    except ValueError as error:
        raise PeriodInvalid(_("Not a date: %(error)s.") % {"error": error}) from None
    if first > last:
        raise PeriodInvalid(_("The period ends before it starts."))
    if last > today:
        raise PeriodInvalid(_("The period ends in the future; there are no figures yet."))
    if (last - first).days > 366 * 2:
        raise PeriodInvalid(_("A period is at most two years."))
    return Period(first, last, value)


def min_group() -> int:
    return settings.CERCLE_METRICS_MIN_GROUP


@dataclass
class TypeParticipation:
    """One profile type in one scope over a period. ``hidden`` when the group is smaller
    than ``CERCLE_METRICS_MIN_GROUP`` in an organisation-wide breakdown: then every
    figure is None."""

    type: str
    label: str
    members: int | None = 0
    share: float | None = 0.0
    active_share: float | None = 0.0
    contributors: int | None = 0
    content: int | None = 0
    replies_to_others: int | None = 0
    reactions_given: int | None = 0
    kudos_given: int | None = 0
    reads: int | None = 0
    weeks: list[dict] = field(default_factory=list)
    hidden: bool = False


@dataclass
class Participation:
    community_id: int | None
    period: Period
    evaluated_on: date | None
    members: int
    types: list[TypeParticipation]


def participation_by_type(*, community_id: int | None, period: Period) -> Participation:
    """Participation of each profile type in the scope (None: the organisation) over
    ``period``: members of each type in the last week evaluated in the period, their
    share of the scope, the share of them active that week, and what they produced over
    the whole period, with the figures week by week. One query."""
    rows = list(
        ProfileTypeWeek.objects.filter(
            community_id=community_id, week__range=(period.first, period.last)
        ).order_by("week", "type")
    )
    latest = max((row.week for row in rows), default=None)
    by_type: dict[str, list[ProfileTypeWeek]] = {}
    for row in rows:
        by_type.setdefault(row.type, []).append(row)
    total = sum(row.members for row in rows if row.week == latest)
    hide_below = min_group() if community_id is None else 0

    types = []
    for type, label in ProfileType.choices:
        weeks = by_type.get(type, [])
        last = next((row for row in reversed(weeks) if row.week == latest), None)
        members = last.members if last else 0
        if 0 < members < hide_below:
            types.append(
                TypeParticipation(
                    type=type,
                    label=str(label),
                    members=None,
                    share=None,
                    active_share=None,
                    contributors=None,
                    content=None,
                    replies_to_others=None,
                    reactions_given=None,
                    kudos_given=None,
                    reads=None,
                    hidden=True,
                )
            )
            continue
        types.append(
            TypeParticipation(
                type=type,
                label=str(label),
                members=members,
                share=round(members / total, 4) if total else 0.0,
                active_share=round(last.active_members / members, 4) if members else 0.0,
                contributors=last.contributors if last else 0,
                content=sum(row.posts + row.comments for row in weeks),
                replies_to_others=sum(row.replies_to_others for row in weeks),
                reactions_given=sum(row.reactions_given for row in weeks),
                kudos_given=sum(row.kudos_given for row in weeks),
                reads=sum(row.reads for row in weeks),
                weeks=[
                    {
                        "week": row.week,
                        "members": row.members,
                        "active_members": row.active_members,
                        "content": row.posts + row.comments,
                    }
                    for row in weeks
                    if row.members >= hide_below
                ],
            )
        )
    return Participation(
        community_id=community_id,
        period=period,
        evaluated_on=latest,
        members=total,
        types=types,
    )


def labels_latest(*, community_id: int | None):
    """The labels of the scope's latest evaluation (a queryset, with the members)."""
    latest = (
        ProfileLabel.objects.filter(community_id=community_id)
        .order_by("-week")
        .values_list("week", flat=True)
        .first()
    )
    return ProfileLabel.objects.filter(community_id=community_id, week=latest).select_related(
        "user"
    )


# Plain participation and a member's own activity, from the daily rollups. ------------------


def week_ending(day: date) -> date:
    """The Sunday that ends ``day``'s week: weeks end on the evaluation day, as the
    weekly figures by type do."""
    return day + timedelta(days=6 - day.weekday())


def _period_weeks(period: Period) -> list[dict]:
    """The weeks that ``period`` touches, oldest first, each with the days of it that
    the period covers (the first and last may be partial)."""
    weeks = []
    end = week_ending(period.first)
    while end - timedelta(days=6) <= period.last:
        weeks.append(
            {
                "week": end,
                "first": max(period.first, end - timedelta(days=6)),
                "last": min(period.last, end),
            }
        )
        end += timedelta(weeks=1)
    return weeks


def _median(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round((ordered[middle - 1] + ordered[middle]) / 2)


@dataclass
class PlainParticipation:
    """Participation in one scope over a period, without profile types.

    ``active_members``: distinct members with anything recorded in the period (a visit
    included organisation-wide). ``weeks``: one dict per week the period touches, with
    ``active_members`` (distinct over the week) and ``content`` (posts and comments);
    ``new_members`` and ``median_first_reply_seconds`` (the median of the days' medians,
    None when no post of the week got a reply) in a community, None organisation-wide."""

    community_id: int | None
    period: Period
    active_members: int
    content: int
    new_members: int | None
    weeks: list[dict]


def participation_plain(*, community_id: int | None, period: Period) -> PlainParticipation:
    """Plain participation of a community (or, None, the organisation) over ``period``,
    from the daily rollups: :class:`CommunityDay` for a community's content, newcomers and
    reply delays, the members' rows of :class:`MemberDay` for who was active. Anyone may be
    shown these figures who may see the scope's dashboards; the caller checks that.

    Three queries for a community, two for the organisation, whatever the number of
    members (rows are grouped by week in the database)."""
    weeks = _period_weeks(period)
    by_week = {week["week"]: week for week in weeks}
    for week in weeks:
        week.update(
            active_members=0,
            content=0,
            new_members=0 if community_id is not None else None,
            median_first_reply_seconds=None,
        )

    member_days = MemberDay.objects.filter(
        community_id=community_id, day__range=(period.first, period.last)
    )
    # TruncWeek gives the Monday that starts the week; weeks here end on the Sunday.
    weekly = (
        member_days.annotate(monday=TruncWeek("day"))
        .values("monday")
        .annotate(
            active=Count("user_id", distinct=True), posts=Sum("posts"), comments=Sum("comments")
        )
        .order_by("monday")
    )
    for row in weekly:
        monday = row["monday"]
        monday = monday.date() if hasattr(monday, "date") else monday
        week = by_week[monday + timedelta(days=6)]
        week["active_members"] = row["active"]
        if community_id is None:
            week["content"] = (row["posts"] or 0) + (row["comments"] or 0)
    active_members = member_days.aggregate(active=Count("user_id", distinct=True))["active"]

    new_members = None
    if community_id is not None:
        days = CommunityDay.objects.filter(
            community_id=community_id, day__range=(period.first, period.last)
        ).values_list("day", "new_members", "content", "median_first_reply_seconds")
        delays: dict[date, list[int]] = {}
        for day, joined, content, delay in days:
            week = by_week[week_ending(day)]
            week["new_members"] += joined
            week["content"] += content
            if delay is not None:
                delays.setdefault(week["week"], []).append(delay)
        for end, values in delays.items():
            by_week[end]["median_first_reply_seconds"] = _median(values)
        new_members = sum(week["new_members"] for week in weeks)

    return PlainParticipation(
        community_id=community_id,
        period=period,
        active_members=active_members,
        content=sum(week["content"] for week in weeks),
        new_members=new_members,
        weeks=weeks,
    )


#: What a member gave and received, as counted by :class:`MemberDay`: name shown -> counter.
ACTIVITY_GIVEN = {
    "posts": "posts",
    "questions": "questions",
    "replies_to_others": "replies_to_others",
    "reactions": "reactions_given",
    "kudos": "kudos_given",
    "answers_accepted": "accepted_answers_given",
    "polls_voted": "polls_voted",
    "rsvps": "rsvps",
}
ACTIVITY_RECEIVED = {
    "replies": "replies_received",
    "reactions": "reactions_received",
    "kudos": "kudos_received",
    "accepted_answers": "accepted_answers_received",
}


@dataclass
class ActivitySummary:
    """One member's own activity over a period: what they ``given`` and ``received``
    (name -> total, names of :data:`ACTIVITY_GIVEN` and :data:`ACTIVITY_RECEIVED`),
    ``reads``, ``visits`` and ``active_days``, and ``weeks``: one dict per week the
    period touches with ``given``, ``received``, ``reads`` and ``visits`` totals. Never
    a profile type."""

    period: Period
    given: dict[str, int]
    received: dict[str, int]
    reads: int
    visits: int
    active_days: int
    weeks: list[dict]


def activity_summary(*, user_id: int, period: Period) -> ActivitySummary:
    """What the member ``user_id`` gave and received over ``period``, from their
    organisation-wide :class:`MemberDay` rows (at most one per day). For the member
    themselves only: the caller shows it to nobody else. One query."""
    counters = sorted({*ACTIVITY_GIVEN.values(), *ACTIVITY_RECEIVED.values(), "reads", "visits"})
    rows = MemberDay.objects.filter(
        user_id=user_id, community__isnull=True, day__range=(period.first, period.last)
    ).values("day", *counters)
    weeks = _period_weeks(period)
    by_week = {week["week"]: week for week in weeks}
    for week in weeks:
        week.update(given=0, received=0, reads=0, visits=0)
    given = dict.fromkeys(ACTIVITY_GIVEN, 0)
    received = dict.fromkeys(ACTIVITY_RECEIVED, 0)
    reads = visits = active_days = 0
    for row in rows:
        active_days += 1
        week = by_week[week_ending(row["day"])]
        for name, counter in ACTIVITY_GIVEN.items():
            given[name] += row[counter]
            week["given"] += row[counter]
        for name, counter in ACTIVITY_RECEIVED.items():
            received[name] += row[counter]
            week["received"] += row[counter]
        reads += row["reads"]
        visits += row["visits"]
        week["reads"] += row["reads"]
        week["visits"] += row["visits"]
    return ActivitySummary(
        period=period,
        given=given,
        received=received,
        reads=reads,
        visits=visits,
        active_days=active_days,
        weeks=weeks,
    )


@dataclass
class ProfileTypeState:
    """What managers see of one member's type in one scope: the latest label (None when
    the member has not been evaluated there), the type shown (the open override's when
    there is one), the published types of the last weeks, oldest first, and the open
    override (None when there is none)."""

    label: ProfileLabel | None
    type: str | None
    history: list[ProfileLabel]
    override: ProfileTypeOverride | None


PROFILE_TYPE_HISTORY_WEEKS = 12


def profile_type_state(*, user_id: int, community_id: int | None) -> ProfileTypeState:
    """A member's profile type in a community (None: organisation-wide), for managers
    only: the caller checks who asks. Two queries."""
    history = list(
        ProfileLabel.objects.filter(user_id=user_id, community_id=community_id).order_by("-week")[
            :PROFILE_TYPE_HISTORY_WEEKS
        ]
    )
    history.reverse()
    override = (
        ProfileTypeOverride.objects.filter(
            user_id=user_id, community_id=community_id, ended_at__isnull=True
        )
        .select_related("author")
        .first()
    )
    label = history[-1] if history else None
    shown = override.type if override is not None else (label.type if label else None)
    return ProfileTypeState(label=label, type=shown, history=history, override=override)
