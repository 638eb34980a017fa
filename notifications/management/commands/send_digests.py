"""``python manage.py send_digests [--frequency daily|weekly] [--force]``: send the
digests due now, as the hourly Celery beat task does.

``--force`` ignores the hour and the weekday (to catch up after an outage, or to try
the digest out); it still honours each member's choices (digest off, email off, quiet
hours), skips inactive members and never sends twice in one period.
"""

from django.core.management.base import BaseCommand

from notifications.models import NotificationSettings
from notifications.services.digests import digests_send

FREQUENCIES = [
    NotificationSettings.DigestFrequency.DAILY.value,
    NotificationSettings.DigestFrequency.WEEKLY.value,
]


class Command(BaseCommand):
    help = "Send the daily and weekly notification digests that are due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--frequency",
            choices=FREQUENCIES,
            help="Only the members who chose this digest frequency (default: both).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ignore the digest hour and weekday (opt-outs and inactivity still apply).",
        )

    def handle(self, *args, frequency=None, force=False, **options):
        run = digests_send(frequency=frequency, force=force)
        self.stdout.write(
            f"Digests sent: {run.sent}; nothing to tell: {run.empty}; "
            f"waiting for the end of quiet hours: {run.quiet}."
        )
