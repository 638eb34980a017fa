"""A member's notification controls: delivery per kind, quiet hours, digest, email,
what they hear from each community and from a thread."""

from datetime import time

from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Community, Membership, NotificationLevel, Post
from communities.selectors.posts import post_is_readable
from config.errors import NotFound, ValidationError
from notifications.models import (
    DEFAULT_DELIVERY,
    Delivery,
    Kind,
    NotificationPreference,
    NotificationSettings,
    ThreadSubscription,
)
from notifications.selectors.notifications import (
    NotificationPreferences,
    notification_preferences_for,
    thread_state_for,
)
from notifications.services.subscriptions import (
    community_notification_level_set,
    thread_follow,
    thread_mute,
    thread_unfollow,
)


class _Unchanged:
    """Marks an argument the caller leaves as it is (a PATCH that omits a field)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()

_SETTINGS_FIELDS = (
    "quiet_hours_start",
    "quiet_hours_end",
    "quiet_weekends",
    "digest_frequency",
    "email_enabled",
)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_deliveries(deliveries, errors: dict[str, list[str]]) -> dict[str, str]:
    if not isinstance(deliveries, dict):
        _add(errors, "kinds", _("Give a delivery for each kind, as kind: delivery."))
        return {}
    checked: dict[str, str] = {}
    for kind, delivery in deliveries.items():
        if kind not in Kind.values:
            _add(errors, "kinds", _("Unknown notification kind: %(kind)s") % {"kind": kind})
        elif delivery not in Delivery.values:
            _add(
                errors,
                "kinds",
                _("Unknown delivery for %(kind)s: %(delivery)s")
                % {"kind": kind, "delivery": delivery},
            )
        else:
            checked[kind] = delivery
    return checked


def _check_settings(values: dict, errors: dict[str, list[str]]) -> None:
    for field in ("quiet_hours_start", "quiet_hours_end"):
        if values[field] is not None and not isinstance(values[field], time):
            _add(errors, field, _("Enter a valid time."))
    start, end = values["quiet_hours_start"], values["quiet_hours_end"]
    if "quiet_hours_start" not in errors and "quiet_hours_end" not in errors:
        if start is not None and end is None:
            _add(errors, "quiet_hours_end", _("Give the end of your quiet hours too."))
        elif end is not None and start is None:
            _add(errors, "quiet_hours_start", _("Give the start of your quiet hours too."))
        elif start is not None and start == end:
            _add(
                errors, "quiet_hours_end", _("The end of quiet hours must differ from their start.")
            )
    for field in ("quiet_weekends", "email_enabled"):
        if not isinstance(values[field], bool):
            _add(errors, field, _("Choose yes or no."))
    if values["digest_frequency"] not in NotificationSettings.DigestFrequency.values:
        _add(errors, "digest_frequency", _("Choose never, daily or weekly."))


def _check_levels(*, user, community_levels, errors: dict[str, list[str]]) -> dict[int, str]:
    """The changes among ``community_levels`` ({community id: level}); every community
    must be one the member belongs to."""
    if not isinstance(community_levels, dict):
        _add(errors, "community_levels", _("Give a level for each community."))
        return {}
    memberships = {
        membership.community_id: membership
        for membership in Membership.objects.filter(
            user_id=user.pk,
            community_id__in=[pk for pk in community_levels if isinstance(pk, int)],
            status=Membership.Status.ACTIVE,
        )
    }
    changes: dict[int, str] = {}
    for community_id, level in community_levels.items():
        membership = memberships.get(community_id)
        if membership is None:
            _add(errors, "community_levels", _("You are not a member of one of these communities."))
        elif level not in ("", *NotificationLevel.values):
            _add(errors, "community_levels", _("Choose all, mentions or muted."))
        elif membership.notification_level != level:
            changes[community_id] = level
    return changes


@transaction.atomic
def notification_preferences_update(
    *,
    user,
    deliveries: dict[str, str] | _Unchanged | None = UNCHANGED,
    quiet_hours_start: time | _Unchanged | None = UNCHANGED,
    quiet_hours_end: time | _Unchanged | None = UNCHANGED,
    quiet_weekends: bool | _Unchanged = UNCHANGED,
    digest_frequency: str | _Unchanged = UNCHANGED,
    email_enabled: bool | _Unchanged = UNCHANGED,
    community_levels: dict[int, str] | _Unchanged | None = UNCHANGED,
) -> NotificationPreferences:
    """Change ``user``'s own notification controls. Any argument left out (or
    ``deliveries`` / ``community_levels`` None) stays as it is.

    - ``deliveries``: {kind: delivery} for some or all kinds; choosing a kind's default
      removes the member's preference row (no row means the default).
    - quiet hours: both ``quiet_hours_start`` and ``quiet_hours_end`` (times in the
      member's time zone, possibly spanning midnight) or neither (None);
      ``quiet_weekends``; ``digest_frequency`` (off / daily / weekly); ``email_enabled``.
      NotificationSettings is created on the first change away from the defaults.
    - ``community_levels``: {community id: level} for communities the member belongs to
      ("" = the community's default), set through
      :func:`notifications.services.subscriptions.community_notification_level_set`.

    Everything is checked before anything is written: a ValidationError carries every
    problem under its field (``kinds``, ``quiet_hours_start``, ``quiet_hours_end``,
    ``quiet_weekends``, ``digest_frequency``, ``email_enabled``, ``community_levels``)
    and nothing is changed. Returns the member's preferences as now saved."""
    errors: dict[str, list[str]] = {}
    current = NotificationSettings.objects.select_for_update().filter(user_id=user.pk).first()
    base = current if current is not None else NotificationSettings(user=user)
    given = {
        "quiet_hours_start": quiet_hours_start,
        "quiet_hours_end": quiet_hours_end,
        "quiet_weekends": quiet_weekends,
        "digest_frequency": digest_frequency,
        "email_enabled": email_enabled,
    }
    values = {
        field: getattr(base, field) if value is UNCHANGED else value
        for field, value in given.items()
    }
    _check_settings(values, errors)
    checked_deliveries: dict[str, str] = {}
    if deliveries is not UNCHANGED and deliveries is not None:
        checked_deliveries = _check_deliveries(deliveries, errors)
    level_changes: dict[int, str] = {}
    if community_levels is not UNCHANGED and community_levels is not None:
        level_changes = _check_levels(user=user, community_levels=community_levels, errors=errors)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationError(first, field_errors=errors)

    if checked_deliveries:
        _save_deliveries(user=user, deliveries=checked_deliveries)
    _save_settings(user=user, current=current, values=values)
    for community in Community.objects.filter(pk__in=level_changes).order_by("pk"):
        community_notification_level_set(
            user=user, community=community, level=level_changes[community.pk]
        )
    return notification_preferences_for(user=user)


def _save_deliveries(*, user, deliveries: dict[str, str]) -> None:
    defaults = [kind for kind, delivery in deliveries.items() if delivery == DEFAULT_DELIVERY[kind]]
    if defaults:
        NotificationPreference.objects.filter(user_id=user.pk, kind__in=defaults).delete()
    chosen = [
        NotificationPreference(user_id=user.pk, kind=kind, delivery=delivery)
        for kind, delivery in deliveries.items()
        if kind not in defaults
    ]
    if chosen:
        NotificationPreference.objects.bulk_create(
            chosen,
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["delivery"],
        )


def _save_settings(*, user, current: NotificationSettings | None, values: dict) -> None:
    if current is None:
        defaults = NotificationSettings(user=user)
        if all(getattr(defaults, field) == values[field] for field in _SETTINGS_FIELDS):
            return  # still the defaults: no row needed
        NotificationSettings.objects.create(user=user, **values)
        return
    changed = [field for field in _SETTINGS_FIELDS if getattr(current, field) != values[field]]
    if changed:
        for field in changed:
            setattr(current, field, values[field])
        current.save(update_fields=[*changed, "updated_at"])


# Threads -----------------------------------------------------------------------------------


def thread_state_set(*, user, post: Post, state: str | None) -> str | None:
    """Make ``user`` follow (``"following"``), mute (``"muted"``) or leave to the default
    (None) the thread of ``post``. NotFound if they may not read it (checked by the
    subscription services). Returns the state now in force."""
    if state == ThreadSubscription.State.FOLLOWING:
        thread_follow(user=user, post=post)
    elif state == ThreadSubscription.State.MUTED:
        thread_mute(user=user, post=post)
    elif state is None:
        thread_unfollow(user=user, post=post)
    else:
        raise ValidationError(
            _("Unknown thread choice."),
            field_errors={"state": [_("Choose following, muted or neither.")]},
        )
    return state


@transaction.atomic
def thread_state_withdraw(*, user, post: Post, state: str) -> str | None:
    """Withdraw ``user``'s choice ``state`` (``"following"`` or ``"muted"``) on ``post``,
    back to the default; another choice is kept (unmuting does not unfollow).
    NotFound if they may not read the post. Returns the state now in force."""
    if state not in ThreadSubscription.State.values:
        raise ValidationError(
            _("Unknown thread choice."),
            field_errors={"state": [_("Choose following or muted.")]},
        )
    if not post_is_readable(user=user, post=post):
        raise NotFound(_("This post does not exist."))
    current = thread_state_for(user=user, post=post)
    if current == state:
        return thread_state_set(user=user, post=post, state=None)
    return current
