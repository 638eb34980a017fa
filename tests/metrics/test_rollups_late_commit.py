"""An activity written before a fill's mark but committed after it is counted exactly
once: the fill never goes past what may still commit.

On PostgreSQL, a second connection holds a transaction open with a visit in it while the
rollups run. On SQLite a writer holds the database lock for its whole transaction, so
that cannot happen while a fill writes; what stands between a fill and an activity still
committing there is the settle window, tested on both."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from metrics import rollups
from metrics.models import Activity, MemberDay, RollupState
from metrics.rollups import rollups_update
from metrics.services import visit_record
from tests.factories import UserFactory
from tests.metrics.rollup_helpers import DAY_1, at


def visits_counted(user) -> int:
    return sum(
        MemberDay.objects.filter(user=user, community__isnull=True).values_list("visits", flat=True)
    )


@pytest.mark.django_db
def test_an_activity_within_the_settle_window_waits_for_the_next_fill():
    member = UserFactory()
    with time_machine.travel(at(DAY_1, 11, 55), tick=False):
        visit_record(user=member)
    rollups_update(now=at(DAY_1, 12))
    # Created 5 minutes ago: still inside the 10-minute window, maybe still committing.
    assert RollupState.objects.get(name="member_days").filled_through == at(DAY_1, 11, 50)
    assert visits_counted(member) == 0
    rollups_update(now=at(DAY_1, 12, 15))
    assert visits_counted(member) == 1
    rollups_update(now=at(DAY_1, 12, 30))
    rollups_update(now=at(DAY_1, 18))
    assert visits_counted(member) == 1


@pytest.mark.django_db
def test_an_activity_dated_before_the_mark_of_the_open_day_is_counted_by_the_next_fill():
    """A row that appears after a fill with a time before its mark (as a transaction
    committing late leaves it) is counted once: the day the mark is in is redone."""
    member = UserFactory()
    rollups_update(now=at(DAY_1, 12))
    with time_machine.travel(at(DAY_1, 11, 45), tick=False):
        visit_record(user=member)
    assert visits_counted(member) == 0
    rollups_update(now=at(DAY_1, 12, 15))
    rollups_update(now=at(DAY_1, 23, 59))
    assert visits_counted(member) == 1


@pytest.mark.django_db
def test_the_settle_window_is_a_setting(settings):
    settings.CERCLE_ROLLUP_SETTLE_MINUTES = 30
    assert rollups_update(now=at(DAY_1, 12))["member_days"] == at(DAY_1, 11, 30)


class OpenTransaction:
    """A visit by ``member``, written in a transaction of another connection that stays
    open until :meth:`commit`."""

    def __init__(self, member):
        self.member = member
        self.written = threading.Event()
        self.release = threading.Event()
        self.errors = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        assert self.written.wait(timeout=30), self.errors
        return self

    def _run(self):
        try:
            with transaction.atomic():
                visit_record(user=self.member)
                self.written.set()
                assert self.release.wait(timeout=60)
        except Exception as exc:
            self.errors.append(exc)
            self.written.set()
        finally:
            connection.close()

    def commit(self):
        self.release.set()
        self.thread.join(timeout=30)
        assert not self.errors, self.errors

    def __exit__(self, *exc_info):
        self.release.set()
        self.thread.join(timeout=30)


needs_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite serialises writers: no transaction stays open while a fill writes",
)


def _late_visit_counted(member) -> tuple[int, int]:
    """Run the rollups while the visit's transaction is open, commit it, run again: how
    many visits each run counted. The runs are dated two days later, so that neither
    the settle window nor the redo of the open day would catch the visit: only the
    fill's stop before the open transaction does."""
    later = timezone.now() + timedelta(days=2)
    with OpenTransaction(member) as open_transaction:
        rollups_update(now=later)
        during = visits_counted(member)
        open_transaction.commit()
    rollups_update(now=later + timedelta(minutes=15))
    rollups_update(now=later + timedelta(minutes=30))
    return during, visits_counted(member)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_activity_committed_after_a_fill_that_ran_during_its_transaction_counts_once():
    member = UserFactory()
    assert _late_visit_counted(member) == (0, 1)
    visit = Activity.objects.get(actor=member, verb=Activity.Verb.VISITED)
    assert (
        visit.created_at.date() < RollupState.objects.get(name="member_days").filled_through.date()
    )


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_fill_stops_before_the_oldest_open_transaction():
    member = UserFactory()
    with OpenTransaction(member):
        started = rollups.oldest_open_transaction_start()
        filled = rollups_update(now=timezone.now() + timedelta(hours=1))
    assert started is not None
    assert filled["member_days"] == started - timedelta(seconds=60)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_without_the_open_transaction_guard_the_late_activity_would_be_missed(monkeypatch):
    """What the guard is for: filling past an open transaction loses its activity."""
    monkeypatch.setattr(rollups, "oldest_open_transaction_start", lambda: None)
    member = UserFactory()
    assert _late_visit_counted(member) == (0, 0)
