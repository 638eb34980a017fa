"""Reads of participation by profile type: what the dashboards and the API show.

Everything here reads the weekly figures (:class:`~metrics.models.ProfileTypeWeek`) and
the labels, never the activity log, so a dashboard costs a fixed handful of queries
whatever the size of the organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from metrics.models import ProfileLabel, ProfileTypeWeek
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
