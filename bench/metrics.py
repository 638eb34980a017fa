"""The metrics pipeline at scale (issue 6/9): rollups, profile types, participation.

Sets up a fresh PostgreSQL database, writes a generated organisation
(:mod:`bench.generator`, ``--members`` members over ``--days`` days ending on the last
Sunday), then measures, each against its baseline in the same session, the median of
``--runs`` runs:

- **rollup**: the rollups are filled up to the last days that hold
  ``--new-activities`` activities (1,000,000 by default); ``rollups_update`` then counts
  those "new" activities (member days and community days, as the beat task does),
  against ``SELECT actor_id, community_id, date(created_at), count(*) ... GROUP BY 1, 2,
  3`` over the same rows. Before each run the window's rollup rows are deleted, the
  state is moved back and the tables are vacuumed (not timed).
- **classification**: the organisation-wide evaluation of the last Sunday (signals,
  classification, labels and weekly figures written), and apart the whole evaluation
  with every community, against one aggregate scan of the 90-day organisation rows of
  the member rollup (``SELECT user_id, count(*), sum(...) ... GROUP BY user_id``).
- **participation**: median latency of ``GET /api/v1/metrics/participation/`` through
  the Django test client, logged in, against ``GET /api/v1/me/``, requests interleaved.
  While that endpoint is not routed, a view of this script serves the same thing
  (``participation_by_type`` of the organisation, serialised by DRF, same
  authentication and permission classes) and the table says so.

Times are taken in-process (``time.perf_counter``). Usage:

    .venv/bin/python bench/metrics.py [--members 100000] [--days 53] [--runs 5] \\
        [--database cercle_bench_metrics] [--reuse]

``--reuse`` keeps the database of an earlier run with the same sizes (no drop, no
generation): only the measures are run again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
from collections import Counter
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SERVER = "postgres://postgres@127.0.0.1:5432"


def last_sunday(today: date) -> date:
    yesterday = today - timedelta(days=1)
    return yesterday - timedelta(days=(yesterday.weekday() + 1) % 7)


def database_create(name: str) -> None:
    """Drop and create database ``name`` on the local server."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def median(values: list[float]) -> float:
    return statistics.median(values)


class StatementTimer:
    """Adds up the time of the statements run inside it, by the table they write."""

    def __init__(self, tables: tuple[str, ...]):
        self.tables = tables
        self.seconds: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            head = sql[:200]
            for table in self.tables:
                if table in head:
                    self.seconds[table] += elapsed
                    break
            else:
                self.seconds["other"] += elapsed


# --- Rollups -------------------------------------------------------------------------


def activity_days() -> dict[date, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (created_at AT TIME ZONE 'UTC')::date, count(*) FROM metrics_activity"
            " GROUP BY 1 ORDER BY 1"
        )
        return dict(cursor.fetchall())


def new_window(days: dict[date, int], wanted: int) -> tuple[date, int]:
    """The first of the last days that hold at least ``wanted`` activities (never the
    first day), and how many they hold."""
    ordered = sorted(days)
    total = 0
    first = ordered[-1]
    for day in reversed(ordered[1:]):
        first = day
        total += days[day]
        if total >= wanted:
            break
    return first, total


def rollups_reset(first: date) -> None:
    """Forget the rollups from ``first`` on, as if its activities were new."""
    from django.db import connection

    from metrics.models import CommunityDay, MemberDay, RollupState
    from metrics.rollups import utc_midnight

    MemberDay.objects.filter(day__gte=first).delete()
    CommunityDay.objects.filter(day__gte=first).delete()
    RollupState.objects.update(filled_through=utc_midnight(first), status=RollupState.Status.DONE)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE metrics_memberday")
        cursor.execute("VACUUM ANALYZE metrics_communityday")


def count_group_by(first: date) -> tuple[float, int]:
    from django.db import connection

    from metrics.rollups import utc_midnight

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT actor_id, community_id, date(created_at), count(*) FROM metrics_activity"
            " WHERE created_at >= %s GROUP BY 1, 2, 3",
            [utc_midnight(first)],
        )
        groups = len(cursor.fetchall())
    return time.perf_counter() - started, groups


def measure_rollups(*, start: date, wanted: int, runs: int) -> dict:
    from django.db import connection

    from metrics.rollups import rollups_rebuild, rollups_update

    days = activity_days()
    first, new = new_window(days, wanted)
    print(f"rollup window: {first} onwards, {new:,} activities ({len(days)} days in the log)")
    started = time.perf_counter()
    rollups_rebuild(since=start, until=first - timedelta(days=1))
    print(f"initial fill up to {first - timedelta(days=1)}: {time.perf_counter() - started:.1f} s")
    update, member_days, community_days, baseline = [], [], [], []
    for run in range(1, runs + 1):
        rollups_reset(first)
        timer = StatementTimer(("metrics_memberday", "metrics_communityday"))
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            rollups_update()
        update.append(time.perf_counter() - started)
        member_days.append(timer.seconds["metrics_memberday"])
        community_days.append(update[-1] - member_days[-1])
        seconds, groups = count_group_by(first)
        baseline.append(seconds)
        print(
            f"run {run}: rollups_update {update[-1]:.2f} s (member-day statements"
            f" {member_days[-1]:.2f} s, the rest {community_days[-1]:.2f} s);"
            f" count(*) GROUP BY {seconds:.2f} s ({groups:,} groups)"
        )
    return {
        "new": new,
        "first": first,
        "update": median(update),
        "member_days": median(member_days),
        "community_days": median(community_days),
        "baseline": median(baseline),
    }


# --- Classification --------------------------------------------------------------------


def org_scan(as_of: date, *, scopes: bool = False) -> float:
    """One aggregate scan of the 90-day member rollup rows (organisation rows, or every
    scope's with ``scopes``), every counter summed, rows fetched."""
    from django.db import connection

    from metrics.models import MemberDay
    from metrics.signals import window

    first, _recent, last = window(as_of)
    sums = ", ".join(f"sum({name})" for name in MemberDay.COUNTERS)
    if scopes:
        where, group = "", "user_id, community_id"
    else:
        where, group = " AND community_id IS NULL", "user_id"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {group}, count(*), {sums} FROM metrics_memberday"
            f" WHERE day >= %s AND day <= %s{where} GROUP BY {group}",
            [first, last],
        )
        cursor.fetchall()
    return time.perf_counter() - started


def measure_classification(*, as_of: date, runs: int, full_runs: int) -> dict:
    from metrics.profile_labels import _scope_evaluate, profile_labels_evaluate

    org, scan, full, scan_all = [], [], [], []
    for run in range(1, runs + 1):
        started = time.perf_counter()
        labelled = _scope_evaluate(as_of=as_of, community_id=None)
        org.append(time.perf_counter() - started)
        scan.append(org_scan(as_of))
        print(
            f"run {run}: organisation-wide evaluation {org[-1]:.2f} s ({labelled:,} labels);"
            f" aggregate scan {scan[-1]:.2f} s"
        )
    for run in range(1, full_runs + 1):
        started = time.perf_counter()
        labelled = profile_labels_evaluate(as_of=as_of)
        full.append(time.perf_counter() - started)
        scan_all.append(org_scan(as_of, scopes=True))
        print(
            f"full run {run}: evaluation with every community {full[-1]:.2f} s"
            f" ({labelled:,} labels); aggregate scan of every scope {scan_all[-1]:.2f} s"
        )
    return {
        "org": median(org),
        "scan": median(scan),
        "full": median(full) if full else None,
        "scan_all": median(scan_all) if scan_all else None,
    }


# --- Participation ---------------------------------------------------------------------

PARTICIPATION = "/api/v1/metrics/participation/"


def stand_in_urlconf() -> str:
    """A URLconf with the project's routes and, at the participation path, a view doing
    what the endpoint does: returns the module's name."""
    from django.urls import include, path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from metrics.participation import participation_by_type, period_parse

    class ParticipationView(APIView):
        def get(self, request):
            period = period_parse(
                request.query_params.get("period"), today=datetime.now(UTC).date()
            )
            return Response(asdict(participation_by_type(community_id=None, period=period)))

    module = types.ModuleType("bench_metrics_urls")
    module.urlpatterns = [
        path(PARTICIPATION.lstrip("/"), ParticipationView.as_view()),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


def measure_participation(*, requests: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings
    from django.urls import Resolver404, resolve

    try:
        resolve(PARTICIPATION)
        urlconf, served = None, "the endpoint"
    except Resolver404:
        urlconf, served = stand_in_urlconf(), "a stand-in view (endpoint not routed yet)"
    user_model = get_user_model()
    manager, _ = user_model.objects.get_or_create(
        email="manager@metrics.bench",
        defaults={"display_name": "Manager", "is_staff": True, "is_superuser": True},
    )
    client = Client()
    client.force_login(manager)
    latency: dict[str, list[float]] = {"participation": [], "me": []}
    settings = {"ROOT_URLCONF": urlconf} if urlconf else {}
    with override_settings(**settings):
        for url in (PARTICIPATION, "/api/v1/me/"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content)
        for number in range(requests + 5):
            for name, url in (("participation", PARTICIPATION), ("me", "/api/v1/me/")):
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200
                if number >= 5:  # warm-up
                    latency[name].append(elapsed)
    return {
        "served": served,
        "participation": median(latency["participation"]),
        "me": median(latency["me"]),
    }


# --- Run -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=53, help="53 days: about 5M activities")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full-runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--new-activities", type=int, default=1_000_000)
    parser.add_argument("--database", default="cercle_bench_metrics")
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    parser.add_argument(
        "--only",
        default="rollup,classification,participation",
        help="the measures to run, comma-separated (with --reuse: the rollups are filled)",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    if not args.reuse:
        database_create(args.database)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.generator import generate
    from metrics.models import Activity

    call_command("migrate", verbosity=0)
    end = last_sunday(datetime.now(UTC).date())
    if args.reuse and Activity.objects.exists():
        first_at = Activity.objects.order_by("created_at").values_list("created_at", flat=True)[0]
        start = first_at.astimezone(UTC).date()
        print(f"reusing {args.database}: {Activity.objects.count():,} activities from {start}")
    else:
        started = time.perf_counter()
        truth = generate(size=args.members, days=args.days, seed=args.seed, end=end)
        start = truth.start
        seconds = time.perf_counter() - started
        print(
            f"generated {args.members:,} members over {args.days} days to {end}:"
            f" {truth.counts['metrics.Activity']:,} activities in {seconds:.0f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    activities = Activity.objects.count()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()

    only = set(args.only.split(","))
    rollup = classification = participation = None
    if "rollup" in only:
        rollup = measure_rollups(start=start, wanted=args.new_activities, runs=args.runs)
    if "classification" in only:
        classification = measure_classification(as_of=end, runs=args.runs, full_runs=args.full_runs)
    if "participation" in only:
        participation = measure_participation(requests=args.requests)

    print()
    print(
        f"{connection.vendor}, {users:,} users, {activities:,} activities,"
        f" {args.days} days to {end}, load: {os.getloadavg()[0]:.2f}"
    )
    print("| measure | median | baseline | baseline median | ratio | target |")
    print("|---|---|---|---|---|---|")
    rows = []
    if rollup is not None:
        rows += [
            (
                f"rollups_update, {rollup['new']:,} new activities",
                rollup["update"],
                "count(*) GROUP BY actor, community, day",
                rollup["baseline"],
                5,
            ),
            (
                "  of which member-day statements",
                rollup["member_days"],
                "count(*) GROUP BY actor, community, day",
                rollup["baseline"],
                None,
            ),
        ]
    if classification is not None:
        rows.append(
            (
                "profile types, organisation-wide",
                classification["org"],
                "aggregate scan, 90-day organisation rows",
                classification["scan"],
                5,
            )
        )
    if classification is not None and classification["full"] is not None:
        rows += [
            (
                "profile types, with every community",
                classification["full"],
                "aggregate scan, 90-day organisation rows",
                classification["scan"],
                None,
            ),
            (
                "profile types, with every community",
                classification["full"],
                "aggregate scan, 90-day rows of every scope",
                classification["scan_all"],
                None,
            ),
        ]
    if participation is not None:
        rows.append(
            (
                f"GET participation ({participation['served']})",
                participation["participation"],
                "GET /api/v1/me/",
                participation["me"],
                1.5,
            )
        )
    for name, value, baseline_name, baseline, target in rows:
        ratio = value / baseline
        verdict = "-" if target is None else f"{target}x {'met' if ratio <= target else 'MISSED'}"
        print(
            f"| {name} | {value * 1000:,.1f} ms | {baseline_name} | {baseline * 1000:,.1f} ms"
            f" | {ratio:.2f}x | {verdict} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
