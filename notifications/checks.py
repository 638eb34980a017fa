"""System checks of the notification and live stream settings (``manage.py check``, run
at every start): a zero or negative period would, say, delete every notification read
before now, so it stops the start with a clear error instead."""

from django.conf import settings
from django.core.checks import Error, register

# Setting -> the smallest value that makes sense.
POSITIVE_SETTINGS = {
    "CERCLE_NOTIFICATION_READ_RETENTION_DAYS": 1,
    "CERCLE_NOTIFICATION_RETENTION_DAYS": 1,
    "CERCLE_NOTIFICATION_EMAIL_DELAY_MINUTES": 1,
    "CERCLE_STREAM_RETENTION_DAYS": 1,
    "CERCLE_STREAM_REPLAY_LIMIT": 1,
    "CERCLE_STREAM_MAX_SUBSCRIPTIONS": 1,
    "CERCLE_STREAM_HEARTBEAT_SECONDS": 1,
    "CERCLE_STREAM_REVALIDATE_SECONDS": 1,
}


@register()
def notification_settings_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for name, smallest in POSITIVE_SETTINGS.items():
        value = getattr(settings, name)
        if value < smallest:
            errors.append(
                Error(
                    f"{name} is {value!r}; it must be at least {smallest}.",
                    id="notifications.E001",
                )
            )
    if (
        settings.CERCLE_NOTIFICATION_RETENTION_DAYS
        < settings.CERCLE_NOTIFICATION_READ_RETENTION_DAYS
    ):
        errors.append(
            Error(
                "CERCLE_NOTIFICATION_RETENTION_DAYS (any notification) is shorter than "
                "CERCLE_NOTIFICATION_READ_RETENTION_DAYS (read ones): unread notifications "
                "would be kept for less time than read ones.",
                id="notifications.E002",
            )
        )
    return errors
