"""Running the rollups: a crash mid-way is completed by the next run, the beat task and
``manage.py metrics_rebuild``, and the lag shown to community managers in the admin."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from config.celery import app as celery_app
from metrics import rollups
from metrics.models import CommunityDay, MemberDay, RollupState
from metrics.rollups import rollups_update
from metrics.selectors import rollups_lag
from metrics.services import visit_record
from metrics.tasks import rollups_update as rollups_update_task
from tests.factories import UserFactory
from tests.metrics.rollup_helpers import (
    DAY_1,
    DAY_2,
    DAY_3,
    EXPECTED_COMMUNITY_DAYS,
    EXPECTED_MEMBER_DAYS,
    at,
    build_scenario,
    member_day_table,
    rollup_tables,
)

pytestmark = pytest.mark.django_db


class Crash(Exception):
    pass


def crash_on(monkeypatch, day):
    """The member-day statement of ``day`` fails, after the fill was marked started and
    that day's rows were deleted."""
    real = rollups._member_days_statement

    def statement(*, start, end, day):
        if day == crash_day:
            raise Crash(f"the worker died on {day}")
        return real(start=start, end=end, day=day)

    crash_day = day
    monkeypatch.setattr(rollups, "_member_days_statement", statement)


def test_a_crash_mid_way_leaves_the_fill_started_and_the_next_run_completes_it(monkeypatch):
    build_scenario()
    with monkeypatch.context() as patch:
        crash_on(patch, DAY_2)
        with pytest.raises(Crash):
            rollups_update(now=at(DAY_3, 1))
    state = RollupState.objects.get(name="member_days")
    assert state.status == RollupState.Status.STARTED
    # Day 1 was committed with its rows; day 2 was rolled back.
    assert state.filled_through == at(DAY_2, 0)
    assert {day for (_, _, day) in member_day_table()} == {DAY_1}

    rollups_update(now=at(DAY_3, 1))
    assert rollup_tables() == (EXPECTED_MEMBER_DAYS, EXPECTED_COMMUNITY_DAYS)
    assert set(RollupState.objects.values_list("status", flat=True)) == {"done"}


def test_a_crash_while_redoing_a_day_keeps_its_previous_rows(monkeypatch):
    world = build_scenario()
    rollups_update(now=at(DAY_2, 12))
    before = member_day_table()
    with time_machine.travel(at(DAY_2, 13), tick=False):
        visit_record(user=world.carol)
    with monkeypatch.context() as patch:
        crash_on(patch, DAY_2)
        with pytest.raises(Crash):
            rollups_update(now=at(DAY_2, 14))
    # The DELETE of day 2 was rolled back with the failed INSERT.
    assert member_day_table() == before
    rollups_update(now=at(DAY_3, 1))
    assert member_day_table()[("carol", None, DAY_2)]["visits"] == 1


def test_the_beat_schedule_runs_the_rollup_task_every_fifteen_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["metrics-rollups-update"]
    assert entry == {"task": "metrics.tasks.rollups_update", "schedule": 900.0}
    assert entry["task"] in celery_app.tasks


def test_the_rollup_task_fills_the_rollups():
    build_scenario()
    with time_machine.travel(at(DAY_3, 1), tick=False):
        filled = rollups_update_task.delay().get()
    assert filled == {
        "member_days": "2026-03-04T00:50:00+00:00",
        "community_days": "2026-03-04T00:50:00+00:00",
    }
    assert rollup_tables() == (EXPECTED_MEMBER_DAYS, EXPECTED_COMMUNITY_DAYS)


def _rebuild(*args):
    out = StringIO()
    with time_machine.travel(at(DAY_3, 1), tick=False):
        call_command("metrics_rebuild", *args, stdout=out)
    return out.getvalue()


def test_metrics_rebuild_recomputes_a_range_and_prints_its_progress():
    build_scenario()
    rollups_update(now=at(DAY_3, 1))
    MemberDay.objects.filter(day=DAY_2).delete()
    CommunityDay.objects.filter(day=DAY_2).update(content=99)
    output = _rebuild("--since", str(DAY_2))
    assert rollup_tables() == (EXPECTED_MEMBER_DAYS, EXPECTED_COMMUNITY_DAYS)
    # Two days (day 2 and today, day 3) of each of the two rollups.
    assert "[" + "." * 30 + "] 0/4 days" in output
    assert "[" + "#" * 15 + "." * 15 + "] 2/4 days" in output
    assert "[" + "#" * 30 + "] 4/4 days" in output
    assert output.rstrip().endswith("Rebuilt 2 day(s) of each rollup.")


def test_metrics_rebuild_of_a_range_before_any_fill_moves_the_fill_state():
    build_scenario()
    _rebuild("--since", str(DAY_1), "--until", str(DAY_3))
    assert rollup_tables() == (EXPECTED_MEMBER_DAYS, EXPECTED_COMMUNITY_DAYS)
    assert RollupState.objects.get(name="member_days").filled_through == at(DAY_3, 0, 50)


def test_metrics_rebuild_of_a_range_after_a_gap_leaves_the_fill_state():
    build_scenario()
    rollups_update(now=at(DAY_1, 12))
    _rebuild("--since", str(DAY_2), "--until", str(DAY_2))
    state = RollupState.objects.get(name="member_days")
    # Day 1 after 11:50 is not counted yet: the state cannot move past it.
    assert state.filled_through == at(DAY_1, 11, 50)
    assert ("dave", "Lyon", DAY_2) in member_day_table()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since must be a date as YYYY-MM-DD, not 'yesterday'."),
        (["--since", "2026-02-30"], "--since must be a date as YYYY-MM-DD, not '2026-02-30'."),
        (["--since", str(DAY_2), "--until", "soon"], "--until must be a date as YYYY-MM-DD"),
        (["--since", str(DAY_2), "--until", str(DAY_1)], "--until must not be before --since."),
        (["--since", "2026-03-05"], "--since 2026-03-05 is in the future"),
    ],
)
def test_metrics_rebuild_refuses_bad_dates_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _rebuild(*args)
    assert not RollupState.objects.exists()


def test_metrics_rebuild_requires_since():
    with pytest.raises(CommandError, match="--since"):
        _rebuild()


def test_the_lag_is_the_time_since_the_rollup_was_last_filled():
    build_scenario()
    lags = {lag.name: lag for lag in rollups_lag(now=at(DAY_2, 12))}
    # Never filled: counted through the first activity, at 8:00 on day 1.
    assert lags["member_days"].lag == timedelta(hours=28)
    assert lags["member_days"].is_lagging
    assert lags["member_days"].status == ""
    rollups_update(now=at(DAY_2, 12))
    lags = {lag.name: lag for lag in rollups_lag(now=at(DAY_3, 13))}
    assert lags["community_days"].lag == timedelta(hours=25, minutes=10)
    assert lags["community_days"].is_lagging
    assert not rollups_lag(now=at(DAY_3, 11))[0].is_lagging


def _admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("page", ["rollupstate", "memberday", "communityday"])
def test_the_admin_warns_when_a_rollup_falls_behind(client, page):
    build_scenario()
    rollups_update(now=at(DAY_2, 12))
    admin = _admin_client(client)
    with time_machine.travel(at(DAY_3, 13), tick=False):
        body = admin.get(f"/admin/metrics/{page}/").content.decode()
    assert "The member days rollup is 1\xa0day, 1\xa0hour behind the activity log" in body
    assert "(counted through 2026-03-03 11:50 UTC)" in body
    with time_machine.travel(at(DAY_2, 13), tick=False):
        body = admin.get(f"/admin/metrics/{page}/").content.decode()
    assert "behind the activity log" not in body


def test_the_admin_lists_the_rollups_read_only(client):
    build_scenario()
    rollups_update(now=at(DAY_3, 1))
    admin = _admin_client(client)
    with time_machine.travel(at(DAY_3, 2), tick=False):
        states = admin.get("/admin/metrics/rollupstate/").content.decode()
        days = admin.get("/admin/metrics/memberday/?q=alice")
    assert "member days" in states and "1\xa0hour, 10\xa0minutes" in states
    assert days.status_code == 200
    assert "alice" in days.content.decode()
    row = MemberDay.objects.filter(user__display_name="alice").first()
    assert admin.get("/admin/metrics/memberday/add/").status_code == 403
    assert admin.post(f"/admin/metrics/memberday/{row.pk}/delete/").status_code == 403
    assert MemberDay.objects.filter(pk=row.pk).exists()


def test_a_rollup_never_filled_with_an_empty_log_is_not_behind():
    assert not [lag for lag in rollups_lag() if lag.is_lagging]
