"""A zero or negative period in the notification and stream settings stops the start
with a clear error (manage.py check), instead of, say, deleting every read
notification."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from notifications.checks import POSITIVE_SETTINGS, notification_settings_check


def test_the_defaults_pass():
    assert notification_settings_check() == []


@pytest.mark.parametrize("name", sorted(POSITIVE_SETTINGS))
@pytest.mark.parametrize("value", [0, -7])
def test_a_period_below_its_minimum_is_an_error_naming_it(settings, name, value):
    setattr(settings, name, value)

    [error] = [e for e in notification_settings_check() if e.id == "notifications.E001"]

    assert error.msg.startswith(f"{name} is {value}")


def test_keeping_unread_notifications_less_long_than_read_ones_is_an_error(settings):
    settings.CERCLE_NOTIFICATION_READ_RETENTION_DAYS = 200
    settings.CERCLE_NOTIFICATION_RETENTION_DAYS = 100

    assert [e.id for e in notification_settings_check()] == ["notifications.E002"]


def test_manage_py_check_refuses_to_start(settings):
    settings.CERCLE_NOTIFICATION_READ_RETENTION_DAYS = 0

    with pytest.raises(SystemCheckError, match="CERCLE_NOTIFICATION_READ_RETENTION_DAYS"):
        call_command("check")
