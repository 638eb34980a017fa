"""Notification fan-out for a post in a community of N members (default 10,000).

Measures, in one run, the median of ``--runs`` (default 5):
- baseline: one ORM ``save()`` per recipient (the algorithm of django-notifications-hq's
  ``notify.send``), as it runs when called from a view (autocommit: each save commits),
  and, kinder to the baseline, inside one transaction;
- Cercle: ``notifications.services.fanout.notify`` (set-based), inside one transaction,
  commit included. Its live push (one ``notification.created`` per recipient, sent after
  the commit by a Celery worker) is timed apart: it is not part of creating the rows.

Prints times, query counts and the ratio. Usage (PostgreSQL, as production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench \
        .venv/bin/python bench/fanout.py [--members 10000] [--runs 5]
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from communities.models import Community, Membership, NotificationLevel, Post  # noqa: E402
from notifications.models import Delivery, Kind, Notification  # noqa: E402
from notifications.services.fanout import Notice, notify  # noqa: E402
from profiles.models import User  # noqa: E402

SLUG = "bench-fan-out"


def world(members: int) -> Post:
    """A community of ``members`` members (plus its owner) set to "all posts", and a post."""
    Community.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__endswith="@fanout.bench").delete()
    owner = User.objects.create(email="owner@fanout.bench", display_name="Owner")
    community = Community.objects.create(
        name="Fan-out",
        slug=SLUG,
        created_by=owner,
        default_notification_level=NotificationLevel.ALL,
    )
    users = User.objects.bulk_create(
        User(email=f"m{i}@fanout.bench", display_name=f"Member {i}", password="!")
        for i in range(members)
    )
    Membership.objects.bulk_create(
        [Membership(community=community, user=owner, role=Membership.Role.OWNER)]
        + [Membership(community=community, user=u) for u in users],
        batch_size=5000,
    )
    return Post.objects.create(community=community, author=owner, title="Hello", body="Hello")


class QueryCounter:
    """Counts the queries run inside it (without keeping them)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def clear() -> None:
    Notification.objects.filter(community__slug=SLUG).delete()


def per_recipient_loop(post: Post, *, one_transaction: bool) -> tuple[float, int]:
    recipient_ids = list(
        Membership.objects.filter(community_id=post.community_id, status="active")
        .exclude(user_id=post.author_id)
        .values_list("user_id", flat=True)
    )
    started = time.perf_counter()
    scope = transaction.atomic() if one_transaction else contextlib.nullcontext()
    with QueryCounter() as queries, scope:
        for recipient_id in recipient_ids:
            Notification(
                recipient_id=recipient_id,
                kind=Kind.COMMUNITY_POST,
                actor_id=post.author_id,
                community_id=post.community_id,
                post_id=post.pk,
                delivery=Delivery.EMAIL_DIGEST,
            ).save()
    return time.perf_counter() - started, queries.count


def set_based(post: Post) -> tuple[float, int, float, int]:
    notice = Notice(
        kind=Kind.COMMUNITY_POST,
        actor_id=post.author_id,
        community_id=post.community_id,
        post_id=post.pk,
    )
    candidates = Membership.objects.filter(community_id=post.community_id).values("user_id")
    started = time.perf_counter()
    with QueryCounter() as queries, transaction.atomic():
        notified = notify(notice=notice, candidates=candidates)
        # The push waits for the commit; time the rows alone, then the push.
        push = connection.run_on_commit[:]
        connection.run_on_commit.clear()
    created = time.perf_counter() - started
    push_started = time.perf_counter()
    for _savepoints, callback, _robust in push:
        callback()
    return created, queries.count, time.perf_counter() - push_started, len(notified)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, members: {args.members}, runs: {args.runs}")
    post = world(args.members)
    timings: dict[str, list[float]] = {"autocommit": [], "transaction": [], "set": [], "push": []}
    for run in range(1, args.runs + 1):
        clear()
        autocommit, autocommit_queries = per_recipient_loop(post, one_transaction=False)
        clear()
        in_transaction, _ = per_recipient_loop(post, one_transaction=True)
        clear()
        fan, fan_queries, push, notified = set_based(post)
        assert notified == args.members, notified
        for name, value in (
            ("autocommit", autocommit),
            ("transaction", in_transaction),
            ("set", fan),
            ("push", push),
        ):
            timings[name].append(value)
        print(
            f"run {run}: loop {autocommit:.3f} s ({autocommit_queries} queries), "
            f"loop in one transaction {in_transaction:.3f} s, "
            f"set-based {fan:.3f} s ({fan_queries} queries), push after commit {push:.3f} s"
        )
    clear()
    median = {name: statistics.median(values) for name, values in timings.items()}
    print(
        f"median of {args.runs}: loop {median['autocommit']:.3f} s, loop in one transaction "
        f"{median['transaction']:.3f} s, set-based {median['set']:.3f} s; "
        f"ratio {median['autocommit'] / median['set']:.1f}x "
        f"({median['transaction'] / median['set']:.1f}x against the loop in one transaction); "
        f"live push after commit {median['push']:.3f} s"
    )


if __name__ == "__main__":
    main()
