"""``manage.py metrics_rebuild --since DATE [--until DATE]``: recompute the
participation rollups for a range of UTC days, with a progress bar."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from metrics.rollups import rollups_horizon, rollups_rebuild, utc_day

BAR_WIDTH = 30


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Recompute the participation rollups (member days, community days) for the UTC "
        "days from --since to --until (today by default), e.g. after a repair of the "
        "activity log. Safe to run while the beat task runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="First UTC day, YYYY-MM-DD.")
        parser.add_argument("--until", help="Last UTC day, YYYY-MM-DD (default: today).")

    def handle(self, *args, since: str, until: str | None, **options):
        first = _day(since, "--since")
        last = _day(until, "--until") if until else None
        if last is not None and last < first:
            raise CommandError("--until must not be before --since.")
        now = timezone.now()
        if first > utc_day(rollups_horizon(now=now)):
            raise CommandError(f"--since {first} is in the future: nothing can be counted yet.")
        days = rollups_rebuild(since=first, until=last, now=now, progress=self._progress)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {days} day(s) of each rollup."))

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total} days", ending="")
        self.stdout.flush()
