"""Does the classifier find the types the generator gave its members?

Writes a generated organisation (:mod:`bench.generator`) over the 90 days that end on
the last Sunday, fills the rollups, evaluates profile types every week of the last
``--weeks`` weeks as the beat task would, and compares what managers would see on the
last Sunday with the generated type: a confusion matrix, the share recovered per type,
and whether each drifted member's transition shows in their weekly history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench_types \\
        .venv/bin/python bench/profile_types.py --members 3000 --seed 11

Run it on an empty database (``--create`` makes one from scratch on PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

TYPES = ("enthusiast", "show_off", "shy", "indifferent", "jaded", "pragmatic", "new")


def last_sunday(today: date) -> date:
    """The last Sunday strictly before ``today`` (a whole day in the past)."""
    yesterday = today - timedelta(days=1)
    return yesterday - timedelta(days=(yesterday.weekday() + 1) % 7)


@dataclass
class Validation:
    """``confusion[true][found]``: members; ``drifts``: (before, after, found) per drifter."""

    confusion: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    drifts: list[tuple[str, str, bool]] = field(default_factory=list)
    seconds: Counter = field(default_factory=Counter)

    def recall(self, type: str) -> float | None:
        row = self.confusion.get(type)
        total = sum(row.values()) if row else 0
        return row[type] / total if total else None

    def drifts_found(self) -> float | None:
        if not self.drifts:
            return None
        return sum(found for *_, found in self.drifts) / len(self.drifts)


def transition_shown(history: list[str], before: str, after: str) -> bool:
    """Whether the published weekly types go from ``before`` to ``after`` (with anything,
    or nothing, in between)."""
    try:
        first = history.index(before)
    except ValueError:
        return False
    return after in history[first + 1 :]


def validate(*, size: int, seed: int, weeks: int = 8, end: date | None = None) -> Validation:
    """Generate, roll up, evaluate weekly, compare (needs Django set up, an empty
    database)."""
    from bench.generator import generate
    from metrics.models import ProfileLabel
    from metrics.profile_labels import profile_labels_evaluate
    from metrics.rollups import rollups_rebuild

    end = end or last_sunday(datetime.now(UTC).date())
    result = Validation()
    started = time.perf_counter()
    truth = generate(size=size, seed=seed, end=end)
    result.seconds["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    rollups_rebuild(since=truth.start, until=end)
    result.seconds["rollups"] = time.perf_counter() - started

    started = time.perf_counter()
    sundays = [end - timedelta(weeks=n) for n in reversed(range(weeks))]
    for sunday in sundays:
        profile_labels_evaluate(as_of=sunday)
    result.seconds["evaluate"] = time.perf_counter() - started

    history: dict[int, list[str]] = defaultdict(list)
    for user_id, type in (
        ProfileLabel.objects.filter(community__isnull=True, user_id__in=truth.members)
        .order_by("week")
        .values_list("user_id", "type")
    ):
        history[user_id].append(type)
    for user_id, member in truth.members.items():
        found = history[user_id][-1] if history[user_id] else "unlabelled"
        result.confusion[member.type][found] += 1
        if member.drift is not None:
            result.drifts.append(
                (
                    member.drift.before,
                    member.drift.after,
                    transition_shown(history[user_id], member.drift.before, member.drift.after),
                )
            )
    return result


def report(result: Validation) -> str:
    found_types = [*TYPES, "unlabelled"]
    lines = [
        "| generated \\ found | " + " | ".join(found_types) + " | recovered |",
        "|---" * (len(found_types) + 2) + "|",
    ]
    for type in TYPES:
        row = result.confusion.get(type, Counter())
        recall = result.recall(type)
        lines.append(
            f"| {type} | "
            + " | ".join(str(row[found]) for found in found_types)
            + f" | {'-' if recall is None else f'{recall:.0%}'} |"
        )
    drifts = result.drifts_found()
    by_kind = Counter((before, after) for before, after, _ in result.drifts)
    found_kind = Counter((before, after) for before, after, found in result.drifts if found)
    lines.append("")
    lines.append(
        f"drifted members whose transition shows: "
        f"{'-' if drifts is None else f'{drifts:.0%}'} of {len(result.drifts)} ("
        + ", ".join(
            f"{before} -> {after}: {found_kind[(before, after)]}/{n}"
            for (before, after), n in sorted(by_kind.items())
        )
        + ")"
    )
    lines.append(
        "seconds: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in result.seconds.items())
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument(
        "--create", action="store_true", help="create the database's tables (migrate) first"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    if args.create:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    result = validate(size=args.members, seed=args.seed, weeks=args.weeks)
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
