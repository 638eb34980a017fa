"""Quiet hours: when a member gets no email and no push, in their own time zone."""

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def member_local_time(*, time_zone: str, at: datetime) -> datetime:
    """``at`` in the member's time zone (UTC when the zone is unknown)."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return at.astimezone(zone)


def is_quiet(
    *,
    time_zone: str,
    at: datetime,
    start: time | None,
    end: time | None,
    weekends: bool,
) -> bool:
    """Whether ``at`` falls in the member's quiet time: Saturday and Sunday when
    ``weekends``, and every day between ``start`` and ``end`` (which may span midnight,
    e.g. 20:00 to 08:00; start == end or either unset means no quiet hours)."""
    local = member_local_time(time_zone=time_zone, at=at)
    if weekends and local.weekday() >= 5:
        return True
    if start is None or end is None or start == end:
        return False
    now = local.time().replace(tzinfo=None)
    if start < end:
        return start <= now < end
    return now >= start or now < end


def member_is_quiet(*, user, settings, at: datetime) -> bool:
    """:func:`is_quiet` for ``user`` with their NotificationSettings (or None: none)."""
    if settings is None:
        return False
    return is_quiet(
        time_zone=user.time_zone,
        at=at,
        start=settings.quiet_hours_start,
        end=settings.quiet_hours_end,
        weekends=settings.quiet_weekends,
    )
