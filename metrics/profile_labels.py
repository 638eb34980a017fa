"""Writes of profile types: the weekly evaluation and managers' overrides.

These are services (writes) kept apart from :mod:`metrics.services`, which is the
activity log every app writes to and so imports none of them; judging members needs
the memberships of :mod:`communities`.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from communities.models import Membership
from metrics.models import MemberDay, ProfileLabel, ProfileTypeOverride, ProfileTypeWeek
from metrics.profile_types import Population, ProfileType, Signals, classify, label_settle, rules
from metrics.signals import signals_for


class ProfileTypesDisabled(Exception):
    """Labelling is turned off for the organisation (``CERCLE_PROFILE_TYPES``)."""


def profile_types_enabled() -> bool:
    return getattr(settings, "CERCLE_PROFILE_TYPES", True)


def _signals_dict(signals: Signals) -> dict:
    """``dataclasses.asdict`` of ``signals``, whose fields are all numbers: without its
    recursive deep copy, which costs more than classifying the member."""
    return {field.name: getattr(signals, field.name) for field in fields(signals)}


LABEL_COLUMNS = (
    "user_id",
    "community_id",
    "week",
    "computed_type",
    "type",
    "since",
    "reasons",
    "signals",
)


def _labels_create(labels: list[ProfileLabel]) -> None:
    """Insert ``labels`` (new rows, their ids left to the database): by COPY on
    PostgreSQL, where a scope's labels are up to a row per member of the organisation
    and a many-row INSERT spends most of its time binding the JSON columns;
    ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        ProfileLabel.objects.bulk_create(labels, batch_size=2000)
        return
    opts = ProfileLabel._meta
    quote = connection.ops.quote_name
    columns = [opts.get_field(name.removesuffix("_id")).column for name in LABEL_COLUMNS]
    sql = (
        f"COPY {quote(opts.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    )
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for label in labels:
            copy.write_row(
                (
                    label.user_id,
                    label.community_id,
                    label.week,
                    label.computed_type,
                    label.type,
                    label.since,
                    json.dumps(label.reasons),
                    json.dumps(label.signals),
                )
            )


def _scope_evaluate(*, as_of: date, community_id: int | None) -> int:
    signals = signals_for(as_of=as_of, community_id=community_id)
    population = Population(signals.values())
    thresholds = rules()
    needed = thresholds["downgrade_weeks"]
    earlier = ProfileLabel.objects.filter(
        community_id=community_id,
        week__lt=as_of,
        week__gte=as_of - timedelta(weeks=needed),
    ).order_by("week")
    history: dict[int, list] = {}
    for row in earlier.values("user_id", "computed_type", "type", "since"):
        history.setdefault(row["user_id"], []).append(row)

    labels = []
    for user_id, member_signals in signals.items():
        verdict = classify(member_signals, population, thresholds=thresholds)
        previous = history.get(user_id, [])
        published = previous[-1]["type"] if previous else None
        evaluations = [row["computed_type"] for row in previous][len(previous) - needed + 1 :]
        label = label_settle(published, [*evaluations, verdict.type])
        since = previous[-1]["since"] if previous and label == published else as_of
        labels.append(
            ProfileLabel(
                user_id=user_id,
                community_id=community_id,
                week=as_of,
                computed_type=verdict.type,
                type=label,
                since=since,
                reasons=list(verdict.reasons),
                signals=_signals_dict(member_signals),
            )
        )
    with transaction.atomic():
        ProfileLabel.objects.filter(community_id=community_id, week=as_of).delete()
        _labels_create(labels)
        published = {label.user_id: label.type for label in labels}
        ended = [
            override.pk
            for override in ProfileTypeOverride.objects.filter(
                community_id=community_id, ended_at__isnull=True
            ).only("pk", "user_id", "computed_type")
            if published.get(override.user_id, override.computed_type) != override.computed_type
        ]
        if ended:
            ProfileTypeOverride.objects.filter(pk__in=ended).update(ended_at=timezone.now())
        type_weeks_write(
            as_of=as_of, community_id=community_id, types=_effective(published, community_id)
        )
    return len(labels)


def _effective(published: dict[int, str], community_id: int | None) -> dict[int, str]:
    """Member id -> the type managers see: the published one, or an open override's."""
    # Open overrides are few (managers set them by hand): all of the scope's, in one query.
    overrides = ProfileTypeOverride.objects.filter(community_id=community_id, ended_at__isnull=True)
    effective = dict(published)
    for user_id, type in overrides.values_list("user_id", "type"):
        if user_id in effective:
            effective[user_id] = type
    return effective


def type_weeks_write(*, as_of: date, community_id: int | None, types: dict[int, str]) -> None:
    """Replace the scope's :class:`ProfileTypeWeek` rows of the week ending ``as_of``,
    from the members' effective types (``types``: member id -> type) and one grouped
    query over the week's rollup rows."""
    counters = ProfileTypeWeek.COUNTERS
    rows = MemberDay.objects.filter(
        day__range=(as_of - timedelta(days=6), as_of), community_id=community_id
    ).order_by()
    week = {
        row["user_id"]: row
        for row in rows.values("user_id").annotate(
            **{f"total_{name}": Sum(name) for name in counters},
        )
    }
    weeks = {
        type: ProfileTypeWeek(community_id=community_id, week=as_of, type=type)
        for type in ProfileType.values
    }
    for user_id, type in types.items():
        summary = weeks[type]
        summary.members += 1
        row = week.get(user_id)
        if row is None:
            continue
        summary.active_members += 1
        if row["total_posts"] or row["total_replies_to_others"]:
            summary.contributors += 1
        for name in counters:
            setattr(summary, name, getattr(summary, name) + (row[f"total_{name}"] or 0))
    ProfileTypeWeek.objects.filter(community_id=community_id, week=as_of).delete()
    ProfileTypeWeek.objects.bulk_create(weeks.values())


def profile_labels_evaluate(*, as_of: date) -> int:
    """Judge every member organisation-wide and in each community they belong to, for
    the week that ends on ``as_of`` (a UTC day the rollups are filled through).

    Re-running for the same day replaces that day's labels (same result); each scope is
    written in one transaction. An override whose member's published type has changed
    ends. Returns the number of labels written. Raises :class:`ProfileTypesDisabled`
    when labelling is turned off.
    """
    if not profile_types_enabled():
        raise ProfileTypesDisabled
    written = _scope_evaluate(as_of=as_of, community_id=None)
    communities = (
        Membership.objects.filter(status=Membership.Status.ACTIVE)
        .values_list("community_id", flat=True)
        .distinct()
        .order_by("community_id")
    )
    for community_id in communities:
        written += _scope_evaluate(as_of=as_of, community_id=community_id)
    return written


class OverrideRefused(Exception):
    """The override cannot be set (unknown type, no reason, nothing to override)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@transaction.atomic
def profile_type_override(*, author, user, community=None, type: str, reason: str):
    """Set ``user``'s type in ``community`` (None: organisation-wide) to ``type``.

    The caller has checked that ``author`` manages the community (or is a superuser for
    the organisation). Ends any override already open for the member there. The member
    must have been evaluated at least once. Raises :class:`OverrideRefused`.
    """
    if not profile_types_enabled():
        raise ProfileTypesDisabled
    reason = (reason or "").strip()
    if type not in ProfileType.values or type == ProfileType.NEW:
        raise OverrideRefused("type", "Choose one of the six profile types.")
    if not reason:
        raise OverrideRefused("reason", "Say why: the reason is kept and shown.")
    latest = ProfileLabel.objects.filter(user=user, community=community).order_by("-week").first()
    if latest is None:
        raise OverrideRefused("user", "This member has not been evaluated yet.")
    ProfileTypeOverride.objects.select_for_update().filter(
        user=user, community=community, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    override = ProfileTypeOverride.objects.create(
        user=user,
        community=community,
        type=type,
        reason=reason,
        computed_type=latest.type,
        author=author,
    )
    # The week's participation figures follow the manager's correction at once.
    community_id = community.pk if community is not None else None
    published = dict(
        ProfileLabel.objects.filter(community_id=community_id, week=latest.week).values_list(
            "user_id", "type"
        )
    )
    type_weeks_write(
        as_of=latest.week, community_id=community_id, types=_effective(published, community_id)
    )
    return override


def evaluation_due(*, filled_through) -> date | None:
    """The week-end to evaluate next, or None when it is done: the last Sunday whose
    whole UTC day the member rollups have counted (``filled_through``: they count every
    activity created before it), unless it has been evaluated already."""
    last_full_day = (filled_through.astimezone(UTC) - timedelta(days=1)).date()
    sunday = last_full_day - timedelta(days=(last_full_day.weekday() + 1) % 7)
    if ProfileLabel.objects.filter(community__isnull=True, week=sunday).exists():
        return None
    return sunday
