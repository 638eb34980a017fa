"""Reads of the metrics app: how far behind the participation rollups are."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from metrics.models import Activity, RollupState


@dataclass(frozen=True)
class RollupLag:
    """How far one rollup is behind the activity log: activities created before
    ``counted_through`` are counted; ``lag`` is the time since, and ``is_lagging`` says
    it is more than ``CERCLE_ROLLUP_MAX_LAG_HOURS``. ``status`` is empty for a rollup
    never filled, ``started`` while a fill runs or after one was interrupted."""

    name: str
    label: str
    status: str
    counted_through: datetime
    lag: timedelta
    is_lagging: bool


def rollups_lag(*, now: datetime | None = None) -> list[RollupLag]:
    """Each rollup's lag (two queries). A rollup never filled is counted through the
    first activity (nothing is missing when the log is empty)."""
    now = now or timezone.now()
    limit = timedelta(hours=settings.CERCLE_ROLLUP_MAX_LAG_HOURS)
    states = {state.name: state for state in RollupState.objects.all()}
    first_activity = None
    if len(states) < len(RollupState.Name):
        first_activity = (
            Activity.objects.order_by("created_at").values_list("created_at", flat=True).first()
        )
    lags = []
    for name, label in RollupState.Name.choices:
        state = states.get(name)
        if state is not None:
            counted_through, status = state.filled_through, state.status
        else:
            counted_through, status = first_activity or now, ""
        lag = max(now - counted_through, timedelta())
        lags.append(
            RollupLag(
                name=name,
                label=str(label),
                status=status,
                counted_through=counted_through,
                lag=lag,
                is_lagging=lag > limit,
            )
        )
    return lags


def rollups_lagging(*, now: datetime | None = None) -> list[str]:
    """The names of the rollups more than ``CERCLE_ROLLUP_MAX_LAG_HOURS`` behind."""
    return [lag.name for lag in rollups_lag(now=now) if lag.is_lagging]
