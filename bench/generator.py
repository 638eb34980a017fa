"""Members who behave like each motivation profile type, and a bulk writer for them.

Two layers:

1. A pure behaviour model, :func:`plan_build` (no Django, no database, no global
   random state: one ``random.Random(seed)``): the same arguments give the same plan.
2. A bulk writer, :func:`generate`, that runs the same model and writes users,
   communities, memberships, posts, comments, reactions, polls, events, kudos and the
   activity log with backdated dates, in batches (``COPY`` on PostgreSQL), without going
   through the services (so no notifications, live events nor subscriber deliveries: the
   log is written as it would have been, the side effects of the time are not replayed).

The behaviour model
-------------------
Each member has a *behaviour* type, one of :data:`TYPES`, that sets what they do on a
day they visit (reads, posts, questions, comments to others, reactions, kudos, poll
votes, RSVPs), whom they address and how their activity moves over time:

- ``enthusiast``: replies to others, reacts, praises, votes; broad across communities;
  bursty (novelty bursts that fade over a few days, then a new one).
- ``show_off``: posts a lot (mostly about themselves), comments in their own threads,
  reacts and praises little; receives many reactions because they post so much.
- ``shy``: visits and reads a lot, broad; votes in polls sometimes; writes almost never.
- ``indifferent``: member of many communities, rare visits, almost nothing else.
- ``jaded``: was active (posts and comments) up to a peak day, declining ever since
  (exponential decay to a floor).
- ``pragmatic`` (the practice's "others"): engages around needs: rare visits between
  bursts of a few days in which they read targeted (one or two communities, questions
  first), ask a question, follow it up, accept an answer and sometimes thank with kudos.

On top of the types: per-member noise (every rate jittered), overlaps (a share of
members blend a secondary type into their rates), a weekly rhythm, a heavy-tailed
activity level (Pareto) on writing, so that a few members write most of the content
and most members never write at all (as published studies of online communities
find), a ``new`` cohort who joined in the last ``NEW_WINDOW_DAYS`` days, and a drift
cohort whose behaviour switches from one type to another on a given day (e.g.
enthusiast -> jaded at day 45).

The plan (what :func:`plan_build` returns; the classifier's ground truth)
------------------------------------------------------------------------
``Plan.members``: a list of :class:`Member`, indexed by ``Member.index`` (0..n-1):

- ``type``: the type a classifier should find *at the end of the window*: one of
  :data:`TYPES`, or ``"new"`` for members who joined in the last
  ``NEW_WINDOW_DAYS`` days (their behaviour type is still in ``behaviour``);
- ``behaviour``: the type they behave as (for drifters, the type after the switch);
- ``drift``: ``None``, or a :class:`Drift` ``(before, after, day)``: they behave as
  ``before`` on days ``< day`` and as ``after`` from ``day`` on (``type == after``);
- ``secondary`` / ``overlap``: the type blended into their rates and its weight (0..1);
- ``level``: the heavy-tailed activity level (1 = typical);
- ``join_day``: the day they joined (None: before the window); ``communities``: the
  community indexes they belong to (the first one is their home community);
- ``department``, ``job_title``, ``display_name``, ``email_local``: for the User row.

``Plan.communities``: a list of :class:`CommunitySpec` (index = position).
``Plan.events``: :class:`Event` tuples in time order: ``day`` (0 = first day of the
window, ``days - 1`` = the ``end`` date), ``second`` (of that UTC day), ``actor`` and
``subject`` (member indexes; ``subject`` is None when there is none or it is the actor,
exactly as :mod:`metrics.services` records it), ``verb`` (an ``Activity.Verb`` value),
``community`` (community index or None), ``object_kind`` (``"post"``, ``"comment"``,
``"poll"``, ``"event"``, ``"kudos"``, ``"community"`` or ``""``) and ``object_ref`` (the
index of that object in ``Plan.posts`` / ``Plan.comments`` / ``Plan.kudos``; for polls
and events, the index of their post).
``Plan.posts`` / ``Plan.comments`` / ``Plan.reactions`` / ``Plan.kudos`` /
``Plan.ballots`` / ``Plan.rsvps``: the content those events created.

Shares (:data:`TYPE_WEIGHTS`, :data:`NEW_SHARE`, :data:`DRIFT_SHARE`): 5% new members,
3% drifters (split over :data:`DRIFTS`, switching around the middle of the window), the
rest 46% indifferent, 35% shy, 7% pragmatic, 4.5% enthusiast, 4.5% jaded, 3% show-off;
about 20% of members ever write a post or a comment, and the top 1% write 40-50% of it
(:func:`plan_participation`).

What :func:`generate` returns: a :class:`GroundTruth`, ``members`` mapping the written
user id to its :class:`Member` (so ``truth.members[user_id].type`` and ``.drift``), plus
the counts written and the participation shares. For the same ``size``, ``days``,
``seed`` and ``communities`` it writes exactly the events of :func:`plan_build`, day
``d`` being ``end - (days - 1 - d)``: a classifier test may build the plan in memory and
compare it with what it reads back from the database.

Command line (sets Django up like the other scripts here)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench \\
        .venv/bin/python bench/generator.py --members 10000 --seed 7 [--days 90]
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

TYPES = ("enthusiast", "show_off", "shy", "indifferent", "jaded", "pragmatic")
NEW = "new"
NEW_WINDOW_DAYS = 14

# Shares of the behaviour types among members (before the new and drift cohorts): a
# large silent majority, few writers.
TYPE_WEIGHTS = {
    "indifferent": 0.46,
    "shy": 0.35,
    "pragmatic": 0.07,
    "enthusiast": 0.045,
    "jaded": 0.045,
    "show_off": 0.03,
}
NEW_SHARE = 0.05
DRIFT_SHARE = 0.03
# Who drifts to what: the enthusiast whose novelty wore off, the show-off who got no
# audience, the pragmatic member won over.
DRIFTS = (("enthusiast", "jaded"), ("show_off", "jaded"), ("pragmatic", "enthusiast"))
OVERLAP_SHARE = 0.4  # members who blend a secondary type into their rates
# The types a member's behaviour overlaps with: show-offs are a subgroup of enthusiasts,
# the jaded a former show-off or a shy member who won't admit it...
NEIGHBOURS = {
    "enthusiast": ("show_off", "pragmatic", "jaded"),
    "show_off": ("enthusiast", "jaded"),
    "shy": ("indifferent", "pragmatic", "jaded"),
    "indifferent": ("shy", "pragmatic"),
    "jaded": ("show_off", "shy", "enthusiast"),
    "pragmatic": ("enthusiast", "shy", "indifferent"),
}
OVERLAP_MAX = 0.25  # at most this weight of the secondary type
RATE_FLOOR = 0.0001  # what "never" blends as

# Activity log verbs (the values of metrics.models.Activity.Verb; kept as plain strings
# so that the model runs without Django).
VISITED = "visited"
MEMBER_JOINED = "member_joined"
POST_CREATED = "post_created"
POST_READ = "post_read"
COMMENT_CREATED = "comment_created"
REACTION_CREATED = "reaction_created"
ANSWER_ACCEPTED = "answer_accepted"
POLL_VOTED = "poll_voted"
RSVP = "rsvp"
KUDOS_GIVEN = "kudos_given"
VERBS = (
    VISITED,
    MEMBER_JOINED,
    POST_CREATED,
    POST_READ,
    COMMENT_CREATED,
    REACTION_CREATED,
    ANSWER_ACCEPTED,
    POLL_VOTED,
    RSVP,
    KUDOS_GIVEN,
)

REACTION_KINDS = ("like", "celebrate", "insightful", "helpful", "support")
KUDOS_VALUES = ("helpful", "teamwork", "innovation", "customer_first", "leadership", "thank_you")
RECENT_DAYS = 10  # what members read and answer: the posts of the last days


@dataclass(frozen=True)
class Rates:
    """What a member of a type does on a day they visit (expected counts), and how often
    they visit. ``own_thread``: the share of their comments in their own threads;
    ``breadth``: the chance an action happens outside their home community;
    ``memberships``: how many communities they belong to (min, max)."""

    visit: float
    reads: float
    posts: float
    questions: float
    comments: float
    reactions: float
    kudos: float
    votes: float
    rsvps: float
    own_thread: float
    breadth: float
    memberships: tuple[int, int]


RATES = {
    "enthusiast": Rates(0.50, 2.5, 0.05, 0.01, 0.30, 0.9, 0.05, 0.6, 0.6, 0.10, 0.75, (4, 7)),
    "show_off": Rates(0.70, 1.2, 0.25, 0.00, 0.12, 0.03, 0.00, 0.05, 0.1, 0.75, 0.35, (3, 5)),
    "shy": Rates(0.35, 2.5, 0.00, 0.0002, 0.0003, 0.05, 0.002, 0.35, 0.2, 0.0, 0.6, (2, 5)),
    "indifferent": Rates(0.06, 1.0, 0.0, 0.0, 0.0, 0.04, 0.0, 0.05, 0.02, 0.0, 0.5, (5, 8)),
    "jaded": Rates(0.65, 3.0, 0.30, 0.01, 0.30, 0.25, 0.01, 0.2, 0.2, 0.45, 0.5, (3, 6)),
    "pragmatic": Rates(0.90, 3.0, 0.005, 0.3, 0.35, 0.15, 0.04, 0.05, 0.1, 0.80, 0.1, (2, 4)),
}
SILENT = ("shy", "indifferent")
PROLIFIC = ("show_off", "enthusiast")
DYNAMIC = ("enthusiast", "jaded", "pragmatic")  # the types whose activity moves over time
# Pragmatic members visit this often outside their bursts of need.
PRAGMATIC_QUIET_VISIT = 0.05
# Heavy tail of the writing level: Pareto shape (smaller = heavier) and cap.
LEVEL_SHAPE = 0.95
LEVEL_CAP = 80.0

DEPARTMENTS = {
    "Engineering": ["Software engineer", "Site reliability engineer", "Engineering manager"],
    "Sales": ["Account executive", "Sales director", "Sales development representative"],
    "Marketing": ["Content strategist", "Brand manager", "Product marketing manager"],
    "Human Resources": ["HR business partner", "Talent acquisition lead"],
    "Finance": ["Controller", "Financial analyst"],
    "Operations": ["Operations manager", "Supply chain planner", "Logistics coordinator"],
    "Customer Success": ["Customer success manager", "Support specialist"],
    "Legal": ["Legal counsel", "Compliance officer"],
    "Data": ["Data analyst", "Data engineer"],
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Camille Lucas Léa Hugo Chloé Louis Emma Gabriel Manon Arthur Inès Jules Sarah Adam "
    "Jade Raphaël Louise Nathan Alice Théo Zoé Paul Lina Tom Eva Noah Rose Ethan Anna Sacha "
    "Mila Maël Julia Victor Nina Oscar Clara Malo Lou Axel Olivia James Amelia Oliver Sofia "
    "Mateo Lucia Yasmine Karim Mehdi Amina Samuel Elena Marco Priya Arjun Mei Kenji Fatou "
    "Moussa Ingrid Lars"
)
LAST_NAMES = _words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
    "Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guerin "
    "Muller Henry Roussel Nicolas Perrin Smith Jones Taylor Brown Wilson Rossi Ferrari "
    "López Sánchez Haddad Benali Diallo Traoré Nguyen Tran Sato Kumar Patel Johansson Novak "
    "Kowalski"
)


@dataclass(frozen=True)
class CommunitySpec:
    """A community of the plan: matched by ``slug`` when it already exists.
    ``departments``: whose members gather there first (empty: everyone)."""

    slug: str
    name: str
    description: str = ""
    visibility: str = "public"
    join_policy: str = "open"
    departments: tuple[str, ...] = ()


DEFAULT_COMMUNITIES = (
    CommunitySpec("bench-general", "General", "Company-wide news and questions."),
    CommunitySpec(
        "bench-engineering",
        "Engineering Guild",
        "Architecture and tooling.",
        "public",
        "open",
        ("Engineering", "Data", "Operations"),
    ),
    CommunitySpec(
        "bench-customers",
        "Customer Voice",
        "What customers tell us.",
        "public",
        "open",
        ("Sales", "Customer Success", "Marketing"),
    ),
    CommunitySpec(
        "bench-data",
        "Data & Analytics",
        "Dashboards, SQL and models.",
        "public",
        "open",
        ("Data", "Finance", "Engineering"),
    ),
    CommunitySpec(
        "bench-people",
        "People & Culture",
        "Onboarding, learning, life at work.",
        "public",
        "open",
        ("Human Resources",),
    ),
    CommunitySpec(
        "bench-green", "Green Team", "Less waste, fewer flights, more bikes.", "public", "open"
    ),
    CommunitySpec(
        "bench-sales",
        "Sales Enablement",
        "Pitches, objections, wins.",
        "private",
        "request",
        ("Sales", "Marketing"),
    ),
    CommunitySpec(
        "bench-ops",
        "Operations Room",
        "Sites, suppliers and incidents.",
        "private",
        "request",
        ("Operations", "Finance", "Legal"),
    ),
)


@dataclass(frozen=True)
class Drift:
    """Behaves as ``before`` until ``day`` (exclusive), as ``after`` from then on."""

    before: str
    after: str
    day: int


@dataclass
class Member:
    """A generated member: see "The plan" in the module docstring."""

    index: int
    type: str
    behaviour: str
    drift: Drift | None
    secondary: str | None
    overlap: float
    level: float
    join_day: int | None
    communities: tuple[int, ...]
    department: str
    job_title: str
    display_name: str
    email_local: str
    # Per-member rates (noise and overlap applied), before and after a drift, and the
    # chance of a visit on a weekday (prolific writers come nearly every day).
    rates: dict[str, Rates] = field(repr=False, default_factory=dict)
    visits: dict[str, float] = field(repr=False, default_factory=dict)
    # Pragmatic members: the days of their bursts of need; enthusiasts: novelty bursts;
    # jaded: the peak day and decay.
    burst_days: tuple[int, ...] = field(repr=False, default=())
    peak_day: int = field(repr=False, default=0)
    join_second: int = field(repr=False, default=0)  # of the join day
    decay_days: float = field(repr=False, default=12.0)


class Event(NamedTuple):
    """One row of the activity log to be (member and community indexes of the plan):
    see the module docstring."""

    day: int
    second: int
    actor: int
    verb: str
    subject: int | None
    community: int | None
    object_kind: str
    object_ref: int | None


@dataclass(frozen=True, slots=True)
class PlannedPost:
    index: int
    day: int
    second: int
    author: int
    community: int
    kind: str  # discussion, question, poll, event
    topic: int  # which text of the phrase book


@dataclass(frozen=True, slots=True)
class PlannedComment:
    index: int
    day: int
    second: int
    author: int
    post: int
    parent: int | None
    role: str  # "answer" (to a question), "follow_up" (in one's own thread) or "comment"
    topic: int


@dataclass(frozen=True, slots=True)
class PlannedReaction:
    day: int
    second: int
    member: int
    post: int | None
    comment: int | None
    kind: str


@dataclass(frozen=True, slots=True)
class PlannedKudos:
    index: int
    day: int
    second: int
    giver: int
    recipient: int
    community: int | None
    value: str


@dataclass
class DayOutput:
    """What happened on one day: the content created and the log rows."""

    day: int
    posts: list[PlannedPost] = field(default_factory=list)
    comments: list[PlannedComment] = field(default_factory=list)
    reactions: list[PlannedReaction] = field(default_factory=list)
    kudos: list[PlannedKudos] = field(default_factory=list)
    ballots: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    rsvps: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    accepted: list[tuple[int, int]] = field(default_factory=list)  # (post, comment)
    events: list[Event] = field(default_factory=list)


@dataclass
class Plan:
    """Members, communities and everything that happened: see the module docstring."""

    seed: int
    days: int
    communities: list[CommunitySpec]
    members: list[Member]
    events: list[Event] = field(default_factory=list)
    posts: list[PlannedPost] = field(default_factory=list)
    comments: list[PlannedComment] = field(default_factory=list)
    reactions: list[PlannedReaction] = field(default_factory=list)
    kudos: list[PlannedKudos] = field(default_factory=list)
    # (day, second, voter, poll post, option position) and (day, second, member, event
    # post, answer)
    ballots: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    rsvps: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    accepted: dict[int, int] = field(default_factory=dict)  # question post -> comment

    def memberships(self) -> list[tuple[int, int]]:
        """(member, community) pairs."""
        return [(m.index, c) for m in self.members for c in m.communities]


# --- The behaviour model ---------------------------------------------------------------


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _jittered(rates: Rates, rng: random.Random, secondary: Rates | None, overlap: float) -> Rates:
    """The type's rates blended with ``overlap`` of a secondary type, each jittered
    (log-normal noise, sigma 0.25) so that no two members are alike."""
    values = {}
    for item in fields(Rates):
        name = item.name
        value = getattr(rates, name)
        if name == "memberships":
            values[name] = value
            continue
        if name in ("own_thread", "breadth"):
            if secondary is not None:
                value = (1 - overlap) * value + overlap * getattr(secondary, name)
            values[name] = min(1.0, max(0.0, value + rng.gauss(0, 0.05)))
            continue
        if secondary is not None:
            # A geometric blend, each rate moved at most tenfold towards the other type's:
            # a shy member with a touch of show-off posts now and then, not a quarter of
            # a show-off's posts; a pragmatic member with a shy streak still asks.
            ratio = max(getattr(secondary, name), RATE_FLOOR) / max(value, RATE_FLOOR)
            value = max(value, RATE_FLOOR) * min(10.0, max(0.1, ratio)) ** overlap
        values[name] = value * rng.lognormvariate(0, 0.25)
    values["visit"] = min(0.98, values["visit"])
    return Rates(**values)


def _members(
    rng: random.Random, size: int, days: int, communities: list[CommunitySpec]
) -> list[Member]:
    departments = list(DEPARTMENTS)
    members = []
    # The cohorts, at fixed shares so that even small plans hold every case.
    new_count = max(1, round(size * NEW_SHARE))
    drift_count = max(len(DRIFTS), round(size * DRIFT_SHARE))
    cohorts = [NEW] * new_count + ["drift"] * drift_count
    typed = size - len(cohorts)
    # Largest-remainder shares of the types, then shuffled into the cohorts.
    quotas = {t: int(typed * w) for t, w in TYPE_WEIGHTS.items()}
    leftover = typed - sum(quotas.values())
    for t in sorted(TYPE_WEIGHTS, key=lambda t: typed * TYPE_WEIGHTS[t] % 1, reverse=True):
        if leftover <= 0:
            break
        quotas[t] += 1
        leftover -= 1
    labels = [t for t, n in quotas.items() for _ in range(n)] + cohorts
    rng.shuffle(labels)
    drift_number = 0
    for index, label in enumerate(labels):
        drift = None
        join_day = None
        if label == NEW:
            behaviour = _weighted(rng, TYPE_WEIGHTS)
            join_day = rng.randrange(max(0, days - NEW_WINDOW_DAYS), days)
            truth = NEW
        elif label == "drift":
            before, after = DRIFTS[drift_number % len(DRIFTS)]
            drift_number += 1
            drift = Drift(before, after, days // 2 + rng.randint(-6, 6))
            behaviour = truth = after
        else:
            behaviour = truth = label
        secondary, overlap = None, 0.0
        if rng.random() < OVERLAP_SHARE:
            secondary = rng.choice(NEIGHBOURS[behaviour])
            overlap = rng.uniform(0.05, OVERLAP_MAX)
        department = rng.choice(departments)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        kinds = {behaviour} | ({drift.before} if drift else set())
        low = min(RATES[k].memberships[0] for k in kinds)
        high = max(RATES[k].memberships[1] for k in kinds)
        member = Member(
            index=index,
            type=truth,
            behaviour=behaviour,
            drift=drift,
            secondary=secondary,
            overlap=overlap,
            level=1.0,  # dealt below
            join_day=join_day,
            communities=_communities_of(rng, department, communities, rng.randint(low, high)),
            department=department,
            job_title=rng.choice(DEPARTMENTS[department]),
            display_name=f"{first} {last}",
            email_local=f"{_ascii(first)}.{_ascii(last)}.{index:06d}".lower(),
        )
        for kind in sorted(kinds):  # sorted: the same draws whatever the hash seed
            member.rates[kind] = _jittered(
                RATES[kind], rng, RATES[secondary] if secondary else None, overlap
            )
        member.burst_days = _bursts(rng, days, every=rng.uniform(10, 20))
        # The jaded peaked in the first third of the window, and have declined since.
        member.peak_day = drift.day if drift else rng.randrange(0, max(1, days * 3 // 10))
        member.decay_days = rng.uniform(7, 14)
        member.join_second = rng.randrange(8 * 3600, 10 * 3600)
        members.append(member)
    _levels_assign(rng, members)
    return members


def _levels_assign(rng: random.Random, members: list[Member]) -> None:
    """Heavy-tailed activity levels: the quantiles of a Pareto distribution dealt at
    random within each group (the writing types, the others), jittered; so even a
    plan of a few hundred members has its handful of prolific writers."""

    def kinds(member: Member) -> set[str]:
        return {member.behaviour} | ({member.drift.before} if member.drift else set())

    writers = [m for m in members if m.type != NEW and kinds(m) - set(SILENT)]
    ids = {m.index for m in writers}
    for group in (writers, [m for m in members if m.index not in ids]):
        # The highest levels go mostly to the prolific types (the top 1% of real
        # communities are their show-offs and enthusiasts).
        keys = {m.index: rng.random() + (0 if kinds(m) & set(PROLIFIC) else 0.5) for m in group}
        group.sort(key=lambda m: keys[m.index])
        count = len(group)
        for position, member in enumerate(group):
            quantile = (count - position - 0.5) / count
            level = (1 - quantile) ** (-1 / LEVEL_SHAPE)
            member.level = min(LEVEL_CAP, level * rng.lognormvariate(0, 0.15))
            for kind, rates in member.rates.items():
                boost = 1 if kind in SILENT else math.sqrt(max(1.0, member.level))
                member.visits[kind] = 1 - (1 - min(0.98, rates.visit)) ** boost


def _communities_of(
    rng: random.Random, department: str, communities: list[CommunitySpec], count: int
) -> tuple[int, ...]:
    """``count`` communities, those of the member's department first (weighted 4:1)."""
    count = min(count, len(communities))
    weights = [
        4.0 if department in spec.departments else (2.0 if not spec.departments else 0.5)
        for spec in communities
    ]
    chosen: list[int] = []
    while len(chosen) < count:
        pick = rng.choices(range(len(communities)), weights=weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    return tuple(chosen)


def _bursts(rng: random.Random, days: int, *, every: float) -> tuple[int, ...]:
    """Start days of bursts about ``every`` days apart (a jittered rhythm, so that the
    bursts spread over the whole window)."""
    out, day = [], rng.uniform(-every / 2, every)
    while day < days:
        out.append(int(day))
        day += every * rng.uniform(0.6, 1.4)
    return tuple(out)


def _intensity(member: Member, kind: str, day: int) -> tuple[float, float]:
    """(visit multiplier, action multiplier) of ``member`` behaving as ``kind`` on
    ``day``: the shape of the type over time."""
    if kind == "enthusiast":
        boost = sum(1.4 * math.exp(-(day - b) / 4) for b in member.burst_days if 0 <= day - b < 20)
        return 0.45 + boost, 0.6 + boost
    if kind == "jaded":
        if day <= member.peak_day:
            return 1.0, 1.0
        decay = math.exp(-(day - member.peak_day) / member.decay_days)
        return max(0.06, decay), max(0.02, decay)
    if kind == "pragmatic":
        in_burst = any(0 <= day - b < 3 for b in member.burst_days)
        return (1.0, 1.0) if in_burst else (PRAGMATIC_QUIET_VISIT / 0.9, 0.15)
    return 1.0, 1.0


class _World:
    """The state the model reads while it runs: recent posts per community, their
    comments, open questions, who voted where."""

    def __init__(self, communities: int):
        self.recent: list[deque[PlannedPost]] = [deque() for _ in range(communities)]
        # The same, by kind (questions, polls, events) and by author.
        self.recent_of_kind: dict[str, list[deque[PlannedPost]]] = {
            kind: [deque() for _ in range(communities)] for kind in ("question", "poll", "event")
        }
        self.recent_of_author: dict[int, deque[PlannedPost]] = defaultdict(deque)
        self.post_author: list[int] = []
        self.post_community: list[int] = []
        self.comment_author: list[int] = []
        self.comment_when: list[tuple[int, int]] = []
        self.comments_of: dict[int, list[int]] = defaultdict(list)
        self.top_comments_of: dict[int, list[int]] = defaultdict(list)
        self.open_questions: dict[int, list[int]] = defaultdict(list)  # asker -> posts
        self.accepted: set[int] = set()
        self.reacted: set[tuple[int, int, bool]] = set()
        self.voted: set[tuple[int, int]] = set()
        self.helped_by: dict[int, list[int]] = defaultdict(list)
        self.posts = 0
        self.comments = 0
        self.kudos = 0


def plan_days(plan: Plan, rng: random.Random):
    """Run the model over ``plan.members`` day by day: yields one :class:`DayOutput` per
    day (so the writer streams big plans without holding every event)."""
    world = _World(len(plan.communities))
    weekday0 = rng.randrange(7)
    for day in range(plan.days):
        out = DayOutput(day)
        weekend = (weekday0 + day) % 7 >= 5
        for queues in (world.recent, *world.recent_of_kind.values()):
            for community_posts in queues:
                while community_posts and community_posts[0].day < day - RECENT_DAYS:
                    community_posts.popleft()
        for member in plan.members:
            if member.join_day is not None and day < member.join_day:
                continue
            kind = member.behaviour
            if member.drift is not None and day < member.drift.day:
                kind = member.drift.before
            if member.join_day == day:
                for community in member.communities:
                    second = member.join_second
                    out.events.append(
                        Event(
                            day,
                            second,
                            member.index,
                            MEMBER_JOINED,
                            None,
                            community,
                            "community",
                            community,
                        )
                    )
            rates = member.rates[kind]
            visit_factor, act = _intensity(member, kind, day) if kind in DYNAMIC else (1.0, 1.0)
            if weekend:
                visit_factor *= 0.25
            if rng.random() < min(0.98, member.visits[kind] * visit_factor):
                _member_day(world, out, rng, member, kind, rates, act, day)
        out.events.sort(key=lambda event: (event[1], event[2]))
        yield out


def _member_day(world, out, rng, member: Member, kind: str, rates: Rates, act: float, day: int):
    """What ``member``, behaving as ``kind``, does on ``day``, a day they visit."""
    level = member.level
    index = member.index
    second = rng.randrange(7 * 3600, 20 * 3600)
    if member.join_day == day:
        second = max(second, member.join_second + 60)
    events = out.events
    events.append(Event(day, second, index, VISITED, None, None, "", None))

    def pick_community() -> int:
        if len(member.communities) == 1 or rng.random() >= rates.breadth:
            return member.communities[0]
        return rng.choice(member.communities)

    def later() -> int:
        nonlocal second
        second = min(86_399, second + rng.randrange(20, 900))
        return second

    def after(when: tuple[int, int]) -> int:
        """A moment later in the visit, and after ``when`` (a day, second) of today."""
        moment = later()
        if when[0] == day and moment <= when[1]:
            moment = min(86_399, when[1] + rng.randrange(30, 900))
        return moment

    # Reads: posts of the last days, not one's own, once per post and day.
    read_today: set[int] = set()
    for _ in range(_poisson(rng, rates.reads * min(act, 1.5))):
        community = pick_community()
        candidates = world.recent[community]
        if not candidates:
            continue
        post = candidates[rng.randrange(len(candidates))]
        if kind == "pragmatic" and post.kind != "question" and rng.random() < 0.6:
            continue  # targeted reading: questions first
        if post.author == index or post.index in read_today:
            continue
        read_today.add(post.index)
        events.append(
            Event(
                day,
                after((post.day, post.second)),
                index,
                POST_READ,
                post.author,
                community,
                "post",
                post.index,
            )
        )

    # Accepting an answer to one's open question (the log row is the answerer's).
    for question in list(world.open_questions.get(index, ())):
        answers = [c for c in world.comments_of[question] if world.comment_author[c] != index]
        if answers and rng.random() < (0.7 if kind == "pragmatic" else 0.35):
            comment = rng.choice(answers)
            answerer = world.comment_author[comment]
            world.open_questions[index].remove(question)
            world.accepted.add(question)
            world.helped_by[index].append(answerer)
            out.accepted.append((question, comment))
            events.append(
                Event(
                    day,
                    after(world.comment_when[comment]),
                    answerer,
                    ANSWER_ACCEPTED,
                    index,
                    world.post_community[question],
                    "comment",
                    comment,
                )
            )

    # Writing: posts, questions, comments; heavy-tailed by the member's level (the silent
    # types' level shows in their reading, hardly in their writing).
    writing = act * (math.sqrt(level) if kind in SILENT else level)
    for _ in range(min(6, _poisson(rng, rates.posts * writing))):
        roll = rng.random()
        post_kind = "discussion"
        if kind in ("enthusiast", "show_off", "jaded"):
            post_kind = "poll" if roll < 0.07 else ("event" if roll < 0.11 else "discussion")
        _post(world, out, rng, member, pick_community(), post_kind, day, later())
    for _ in range(
        min(4, _poisson(rng, rates.questions * (act if kind == "pragmatic" else writing)))
    ):
        community = member.communities[0] if kind == "pragmatic" else pick_community()
        _post(world, out, rng, member, community, "question", day, later())
    for _ in range(min(25, _poisson(rng, rates.comments * writing))):
        _comment(world, out, rng, member, kind, rates, pick_community(), day, after)

    # Reactions, kudos, votes and RSVPs: to others' content.
    for _ in range(min(30, _poisson(rng, rates.reactions * act * math.sqrt(level)))):
        community = pick_community()
        candidates = world.recent[community]
        if not candidates:
            continue
        post = candidates[rng.randrange(len(candidates))]
        on_comment = world.comments_of.get(post.index) and rng.random() < 0.3
        if on_comment:
            target = rng.choice(world.comments_of[post.index])
            author, key = world.comment_author[target], (index, target, True)
        else:
            target, author, key = post.index, post.author, (index, post.index, False)
        if author == index or key in world.reacted:
            continue
        world.reacted.add(key)
        reaction_kind = rng.choice(REACTION_KINDS)
        at = after(world.comment_when[target] if on_comment else (post.day, post.second))
        out.reactions.append(
            PlannedReaction(
                day,
                at,
                index,
                None if on_comment else target,
                target if on_comment else None,
                reaction_kind,
            )
        )
        events.append(
            Event(
                day,
                at,
                index,
                REACTION_CREATED,
                author,
                community,
                "comment" if on_comment else "post",
                target,
            )
        )
    for _ in range(min(3, _poisson(rng, rates.kudos * act * math.sqrt(level)))):
        helpers = world.helped_by.get(index)
        if helpers:
            recipient = helpers.pop()
        else:
            candidates = world.recent[pick_community()]
            if not candidates:
                continue
            recipient = candidates[rng.randrange(len(candidates))].author
        if recipient == index:
            continue
        shared = member.communities[0] if rng.random() < 0.3 else None
        at = later()
        kudos = PlannedKudos(
            world.kudos, day, at, index, recipient, shared, rng.choice(KUDOS_VALUES)
        )
        world.kudos += 1
        out.kudos.append(kudos)
        events.append(Event(day, at, index, KUDOS_GIVEN, recipient, shared, "kudos", kudos.index))
    for verb, rate, post_kind in ((POLL_VOTED, rates.votes, "poll"), (RSVP, rates.rsvps, "event")):
        if rng.random() >= min(1.0, rate * min(act, 1.5)):
            continue
        community = pick_community()
        open_ones = world.recent_of_kind[post_kind][community]
        if not open_ones:
            continue
        post = open_ones[rng.randrange(len(open_ones))]
        if post.author == index or (index, post.index) in world.voted:
            continue
        world.voted.add((index, post.index))
        at = after((post.day, post.second))
        if verb == POLL_VOTED:
            out.ballots.append((day, at, index, post.index, rng.randrange(3)))
        else:
            answer = rng.choices(("yes", "maybe", "no"), weights=(6, 2, 2))[0]
            out.rsvps.append((day, at, index, post.index, answer))
        events.append(Event(day, at, index, verb, post.author, community, post_kind, post.index))


def _post(world, out, rng, member, community, kind, day, second) -> None:
    post = PlannedPost(world.posts, day, second, member.index, community, kind, rng.randrange(1000))
    world.posts += 1
    world.post_author.append(member.index)
    world.post_community.append(community)
    world.recent[community].append(post)
    if kind in world.recent_of_kind:
        world.recent_of_kind[kind][community].append(post)
    world.recent_of_author[member.index].append(post)
    if kind == "question":
        world.open_questions[member.index].append(post.index)
    out.posts.append(post)
    out.events.append(
        Event(day, second, member.index, POST_CREATED, None, community, "post", post.index)
    )


def _comment(world, out, rng, member, kind, rates, community, day, after) -> None:
    index = member.index
    own_thread = rng.random() < rates.own_thread
    if own_thread:
        mine = world.recent_of_author[index]
        while mine and mine[0].day < day - RECENT_DAYS:
            mine.popleft()
        if not mine:
            return
        post = mine[rng.randrange(len(mine))]
    else:
        # Helpers go to unanswered questions first.
        questions = world.recent_of_kind["question"][community]
        if questions and kind in ("enthusiast", "jaded", "shy") and rng.random() < 0.5:
            candidates = questions
        else:
            candidates = world.recent[community]
        if not candidates:
            return
        post = candidates[rng.randrange(len(candidates))]
        if post.author == index or post.index in world.accepted:
            return
    parent = None
    subject = post.author
    # Replies go to top-level comments (one level of replies, as in Cercle).
    siblings = world.top_comments_of.get(post.index)
    if siblings and rng.random() < (0.5 if own_thread and kind == "pragmatic" else 0.25):
        parent = siblings[rng.randrange(len(siblings))]
        if world.comment_author[parent] == index:
            parent = None
        else:
            subject = world.comment_author[parent]
    when = world.comment_when[parent] if parent is not None else (post.day, post.second)
    second = after(when)
    if post.author == index:
        role = "follow_up"
    else:
        role = "answer" if post.kind == "question" else "comment"
    comment = PlannedComment(
        world.comments, day, second, index, post.index, parent, role, rng.randrange(1000)
    )
    world.comments += 1
    world.comment_author.append(index)
    world.comment_when.append((day, second))
    world.comments_of[post.index].append(comment.index)
    if parent is None:
        world.top_comments_of[post.index].append(comment.index)
    out.comments.append(comment)
    out.events.append(
        Event(
            day,
            second,
            index,
            COMMENT_CREATED,
            None if subject == index else subject,
            post.community,
            "comment",
            comment.index,
        )
    )


def plan_build(
    *,
    size: int,
    days: int = 90,
    seed: int = 0,
    communities: list[CommunitySpec] | tuple[CommunitySpec, ...] = DEFAULT_COMMUNITIES,
) -> Plan:
    """The whole plan of ``size`` members over ``days`` days (events in memory: for
    small sizes; :func:`generate` streams). Deterministic in its arguments."""
    plan = plan_members(size=size, days=days, seed=seed, communities=communities)
    for out in plan_days(plan, random.Random(f"{seed}:days")):
        _collect(plan, out)
    return plan


def plan_members(
    *,
    size: int,
    days: int = 90,
    seed: int = 0,
    communities: list[CommunitySpec] | tuple[CommunitySpec, ...] = DEFAULT_COMMUNITIES,
) -> Plan:
    """The members of the plan and their communities, without their activity yet."""
    if size < 1 or days < 1 or not communities:
        raise ValueError("A plan needs at least one member, one day and one community.")
    communities = list(communities)
    rng = random.Random(f"{seed}:members")
    return Plan(seed, days, communities, _members(rng, size, days, communities))


def _collect(plan: Plan, out: DayOutput) -> None:
    plan.events.extend(out.events)
    plan.posts.extend(out.posts)
    plan.comments.extend(out.comments)
    plan.reactions.extend(out.reactions)
    plan.kudos.extend(out.kudos)
    plan.ballots.extend(out.ballots)
    plan.rsvps.extend(out.rsvps)
    plan.accepted.update(out.accepted)


@dataclass
class Participation:
    """How content is spread over members: ``posters_share``, the share of members who
    ever wrote a post or a comment; ``top_share``, the share of that content written by
    the top 1% of members (at least one member)."""

    members: int
    posters: int
    content: int
    posters_share: float
    top_share: float


def participation_of(content_by_member: Counter, members: int) -> Participation:
    counts = sorted(content_by_member.values(), reverse=True)
    total = sum(counts)
    top = max(1, members // 100)
    posters = sum(1 for count in counts if count)
    return Participation(
        members=members,
        posters=posters,
        content=total,
        posters_share=posters / members if members else 0.0,
        top_share=sum(counts[:top]) / total if total else 0.0,
    )


def plan_participation(plan: Plan) -> Participation:
    content = Counter(post.author for post in plan.posts)
    content.update(comment.author for comment in plan.comments)
    return participation_of(content, len(plan.members))


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# --- Texts of the generated content ----------------------------------------------------

# What posts are about, in each language (the templates below name one).
SUBJECTS = {
    "en": (
        "the Lyon site",
        "the Q3 roadmap",
        "the new CRM",
        "the customer portal",
        "the spring release",
        "the hiring plan",
        "the supplier review",
        "the onboarding kit",
        "the sales kick-off",
        "the data platform",
        "the budget review",
        "the support backlog",
    ),
    "fr": (
        "le site de Lyon",
        "la feuille de route du T3",
        "le nouveau CRM",
        "le portail client",
        "la version de printemps",
        "le plan de recrutement",
        "la revue fournisseurs",
        "le kit d'accueil",
        "le séminaire commercial",
        "la plateforme de données",
        "la revue budgétaire",
        "le backlog du support",
    ),
}
TEMPLATED_DISCUSSIONS = (
    (
        "en",
        "Update on {subject}",
        "Quick update on {subject}: we are **on track**, next milestone in two weeks. "
        "Questions welcome.",
    ),
    (
        "en",
        "Ideas wanted for {subject}",
        "We are collecting ideas for {subject}. What would make the biggest difference for "
        "you? Reply below or vote with a reaction.",
    ),
    (
        "en",
        "Proud of the team: {subject} is live",
        "After weeks of work, {subject} is live. Thanks to everyone who tested it "
        "*before* launch. #wins",
    ),
    (
        "fr",
        "Point d'étape sur {subject}",
        "Petit point sur {subject} : tout avance, prochaine étape dans deux semaines. "
        "Vos questions sont bienvenues.",
    ),
    (
        "fr",
        "Retour d'expérience : {subject}",
        "Ce qui a marché pour {subject} :\n\n- des points courts\n- une seule liste de "
        "tâches\n- des démos tôt\n\nEt chez vous ?",
    ),
)
TEMPLATED_QUESTIONS = (
    (
        "en",
        "Who owns {subject}?",
        "I need a contact for {subject} before Friday. Who should I ask?",
    ),
    (
        "en",
        "Where are the documents for {subject}?",
        "Looking for the latest documents on {subject}. Are they on the intranet?",
    ),
    (
        "fr",
        "Qui s'occupe de {subject} ?",
        "J'ai une question sur {subject} : qui est la bonne personne à contacter ?",
    ),
    (
        "fr",
        "Où trouver les documents sur {subject} ?",
        "Je cherche la dernière version des documents sur {subject}. Une idée ?",
    ),
)
DISCUSSIONS = (
    (
        "Retour sur l'atelier de mardi",
        "Merci à tous pour l'atelier ! Les **supports** sont en "
        "ligne, et on refait une session en juin. #atelier",
    ),
    (
        "What we learnt from the Q2 retro",
        "Three things stood out:\n\n1. fewer handovers\n2. "
        "earlier demos\n3. one shared backlog\n\nWhat would you add? #retro",
    ),
    (
        "Notre nouveau tableau de bord",
        "Le tableau de bord de l'équipe est enfin prêt : "
        "*une seule page*, mise à jour chaque matin. Vos avis sont bienvenus. #dashboard",
    ),
    (
        "Lunch & learn recap",
        "Slides and recording of Friday's lunch & learn are in the files. "
        "Next topic: negotiation basics. #learning",
    ),
    (
        "Our team just shipped the new onboarding",
        "Proud of this one: new joiners get a "
        "**buddy**, a checklist and a first-week plan. #onboarding",
    ),
    (
        "Idée : un canal pour les petites victoires",
        "Et si on partageait ici les petites "
        "victoires de la semaine ? Je commence : le rapport mensuel passe de 2 jours à 2 heures.",
    ),
    (
        "Reading list for the summer",
        "A few books that changed how I work: *Team Topologies*, "
        "*The Culture Map*, *Thinking in Systems*. Yours? #reading",
    ),
    (
        "Photos from the offsite",
        "What a week in Lyon! Thanks to the organisers. Photos are in the shared album. #offsite",
    ),
    (
        "Bilan carbone des déplacements",
        "Les trajets en train ont remplacé 40 % des vols ce "
        "trimestre. Prochaine étape : les visioconférences pour les réunions courtes. #green",
    ),
    (
        "A checklist for customer calls",
        "Before each call: read the last three tickets, check "
        "the renewal date, prepare one question about their goals. #customers",
    ),
    (
        "Mon premier mois dans l'équipe",
        "Un mois déjà ! Merci pour l'accueil. Ce qui m'a le plus "
        "aidé : les fiches pratiques et les cafés avec l'équipe support.",
    ),
    (
        "Draft: guidelines for meeting-free Fridays",
        "Proposal: no internal meetings on Friday "
        "mornings, async updates instead. Comments welcome before the 15th. #focus",
    ),
)
QUESTIONS = (
    (
        "Where is the latest pricing sheet?",
        "I need the 2026 pricing sheet for a proposal due "
        "tomorrow. Does anyone know where it lives? #sales",
    ),
    (
        "Qui connaît bien l'outil de planification ?",
        "Je cherche quelqu'un qui a déjà configuré "
        "des plannings récurrents dans l'outil. Des conseils ? #planning",
    ),
    (
        "How do I request access to the data warehouse?",
        "Which form do I fill in to get read access to the warehouse, and who approves it? #data",
    ),
    (
        "Comment déclarer une note de frais à l'étranger ?",
        "Les frais sont en dollars : faut-il convertir soi-même ou l'outil le fait ? #finance",
    ),
    (
        "Any template for a project kick-off?",
        "Starting a new project next week: is there a kick-off template everyone uses? #projects",
    ),
    (
        "Who can review a supplier contract this week?",
        "A short supplier contract needs a legal review by Friday. Who should I ask? #legal",
    ),
    (
        "Quelle est la procédure pour un nouvel arrivant ?",
        "Un stagiaire arrive lundi : compte, badge, ordinateur... par quoi commencer ? #onboarding",
    ),
    (
        "Best way to share large files with a customer?",
        "Email bounces above 20 MB. What do others use for big exports? #tools",
    ),
)
POLLS = (
    (
        "Which day for the next meetup?",
        "Pick the day that suits you best. #meetup",
        ("Tuesday", "Wednesday", "Thursday"),
    ),
    (
        "Format préféré pour les formations ?",
        "Aidez-nous à choisir le format des prochaines sessions. #formation",
        ("En présentiel", "En ligne", "Les deux"),
    ),
    (
        "What should the next brown-bag be about?",
        "Vote for the topic. #learning",
        ("SQL tips", "Public speaking", "Time management"),
    ),
)
EVENTS = (
    (
        "Brown-bag: writing good documentation",
        "Bring your lunch and your worst README. #documentation",
    ),
    (
        "Afterwork de l'équipe",
        "On se retrouve jeudi au café d'en face, tout le monde est bienvenu !",
    ),
    ("Town hall Q&A", "Send your questions in advance in the comments. #townhall"),
)
COMMENTS = (
    "Great summary, thanks for sharing!",
    "Merci, très utile.",
    "We tried something similar in our team, happy to compare notes.",
    "+1, I would add a short **demo** at the end.",
    "Bonne idée, je relaie à mon équipe.",
    "Do you have the slides somewhere?",
    "Super initiative, bravo !",
    "Interesting. How long did it take to set up?",
    "Je suis partant pour la prochaine session.",
    "Agreed, and let us keep it short.",
)
ANSWERS = (
    "It is on the intranet, under *Resources > Templates*.",
    "Demande à l'équipe support, ils ont un formulaire dédié.",
    "I did this last month: open a ticket with IT, approval takes a day.",
    "Le plus simple : l'outil convertit automatiquement, garde juste le justificatif.",
    "Ask the legal team's shared inbox, they answer within 48 hours.",
    "We use the shared drive with an expiring link, works well.",
)
FOLLOW_UPS = (
    "Thanks, that is exactly what I needed!",
    "Merci beaucoup, c'est réglé.",
    "Found it, thanks. One more thing: who approves it?",
    "Parfait, merci pour la réponse rapide.",
)
KUDOS_MESSAGES = (
    "Thanks for the quick answer, it saved my afternoon.",
    "Merci pour ton aide sur ce dossier !",
    "Great teamwork on this one.",
    "Bravo pour la présentation, très claire.",
)


# --- The bulk writer -------------------------------------------------------------------


@dataclass
class GroundTruth:
    """What :func:`generate` wrote: ``members`` maps each written user id to its
    :class:`Member` (``.type``, ``.behaviour``, ``.drift``...); ``community_ids`` lists the
    community id of each ``plan.communities`` entry; ``start`` is the first day of the
    window (day 0), ``counts`` the rows written per table, ``participation`` the content
    shares, ``seconds`` how long writing took. ``plan`` holds the members and
    communities but not the events (streamed to the database day by day: rebuild them
    with :func:`plan_build` when a test needs them in memory)."""

    plan: Plan
    start: date
    members: dict[int, Member]
    community_ids: list[int]
    counts: Counter
    participation: Participation
    seconds: float
    user_ids: list[int]  # the user id of each plan member, by member index
    seconds_by_table: Counter = field(default_factory=Counter)  # time spent writing


class _RowWriter:
    """Appends rows with explicit ids and dates: COPY on PostgreSQL, a many-row INSERT
    elsewhere. Dates are written as given (``auto_now_add`` applies to ORM saves only)."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.counts: Counter = Counter()
        self.seconds: Counter = Counter()  # time spent writing, per table
        self._templates: dict = {}

    def next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def _template(self, model, attnames: tuple[str, ...]):
        key = (model, attnames)
        if key not in self._templates:
            from django.db import models as django_models

            by_attname = {f.attname: f for f in model._meta.concrete_fields}
            rest = [f for f in model._meta.concrete_fields if f.attname not in attnames]
            tail = tuple(f.get_default() for f in rest)
            columns = [by_attname[name].column for name in attnames] + [f.column for f in rest]
            dates = [
                position
                for position, name in enumerate(attnames)
                if isinstance(by_attname[name], django_models.DateTimeField)
            ]
            quote = self.connection.ops.quote_name
            table = quote(model._meta.db_table)
            names = ", ".join(quote(column) for column in columns)
            if self.postgres:
                sql = f"COPY {table} ({names}) FROM STDIN"
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            self._templates[key] = (sql, tail, dates)
        return self._templates[key]

    def write(self, model, attnames: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        sql, tail, dates = self._template(model, attnames)
        self.counts[model._meta.label] += len(rows)
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row + tail)
                self.seconds[model._meta.label] += time.perf_counter() - started
                return
            adapt = self.connection.ops.adapt_datetimefield_value
            prepared = []
            for row in rows:
                if dates:
                    row = list(row)
                    for position in dates:
                        row[position] = adapt(row[position])
                    row = tuple(row)
                prepared.append(row + tail)
            cursor.executemany(sql, prepared)
        self.seconds[model._meta.label] += time.perf_counter() - started

    def reset_sequences(self, models) -> None:
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with self.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def generate(
    *,
    size: int,
    days: int = 90,
    seed: int = 0,
    communities: list[CommunitySpec] | tuple[CommunitySpec, ...] = DEFAULT_COMMUNITIES,
    end: date | None = None,
    email_domain: str = "members.bench",
    password: str = "!",
    progress=None,
) -> GroundTruth:
    """Write a plan of ``size`` members over the ``days`` days ending on ``end`` (today,
    UTC, by default): users (``<first>.<last>.<index>@<email_domain>``, with department,
    job title, join date and last seen), the communities missing by slug, memberships,
    posts (with polls and events), comments, accepted answers, reactions, ballots,
    RSVPs, kudos and the activity log, each dated as planned (never after now).

    Bulk and set-based: users in ``bulk_create`` batches, every other table by COPY on
    PostgreSQL (a many-row INSERT elsewhere) with explicit ids, then the id sequences are
    reset. Runs in one transaction; meant to run alone on its tables (the ids are taken
    after the current maximum). The services are not called: no notifications, live
    events or subscriber deliveries. ``progress(day, counts)``, if given, is called after
    each day is written."""
    from django.db import connection, transaction

    started = time.perf_counter()
    plan = plan_members(size=size, days=days, seed=seed, communities=communities)
    with transaction.atomic():
        write = _BulkWrite(plan, connection, end=end, seed=seed)
        write.members(email_domain=email_domain, password=password)
        write.communities()
        write.memberships()
        for out in plan_days(plan, random.Random(f"{seed}:days")):
            write.day(out)
            if progress is not None:
                progress(out.day, write.rows.counts)
        write.totals()
        committing = time.perf_counter()
    # Deferred foreign keys are checked at the commit: part of the cost of the rows.
    write.rows.seconds["commit"] += time.perf_counter() - committing
    return GroundTruth(
        plan=plan,
        start=write.start,
        members={write.user_ids[m.index]: m for m in plan.members},
        community_ids=write.community_ids,
        counts=write.rows.counts,
        participation=participation_of(write.content_by_member, len(plan.members)),
        seconds=time.perf_counter() - started,
        user_ids=write.user_ids,
        seconds_by_table=write.rows.seconds,
    )


class _BulkWrite:
    """The steps of :func:`generate`, which holds the transaction. Maps plan indexes to
    database ids: members and communities by lookup, content by offset (``post_base +
    post index``...), polls and events by what was written."""

    def __init__(self, plan: Plan, connection, *, end: date | None, seed: int):
        from django.utils import timezone

        from communities.models import Comment, Poll, PollBallot, PollOption, Post, Reaction
        from communities.models import Event as CommunityEvent
        from communities.models import Rsvp as RsvpModel
        from metrics.models import Activity
        from profiles.models import Kudos

        self.plan = plan
        self.rng = random.Random(f"{seed}:write")
        self.rows = _RowWriter(connection)
        now = timezone.now()
        end = end or now.astimezone(UTC).date()
        self.start = end - timedelta(days=plan.days - 1)
        self.origin = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        self.latest = now - timedelta(minutes=1)
        self.models = {
            "post": Post,
            "comment": Comment,
            "poll": Poll,
            "option": PollOption,
            "event": CommunityEvent,
            "reaction": Reaction,
            "ballot": PollBallot,
            "ballot_option": PollBallot.options.through,
            "rsvp": RsvpModel,
            "kudos": Kudos,
            "kudos_recipient": Kudos.recipients.through,
            "activity": Activity,
        }
        self.next_ids = {name: self.rows.next_id(model) for name, model in self.models.items()}
        self.post_base = self.next_ids["post"]
        self.comment_base = self.next_ids["comment"]
        self.kudos_base = self.next_ids["kudos"]
        self.user_ids: list[int] = []
        self.community_ids: list[int] = []
        self.joined: list[datetime] = []
        self.owners: dict[int, int] = {}  # community index -> member index, when created
        self.poll_of: dict[int, tuple[int, list[int]]] = {}  # post -> (poll id, option ids)
        self.event_of: dict[int, int] = {}  # post -> event id
        self.accepted: dict[int, int] = {}  # post -> comment
        self.content_by_member: Counter = Counter()
        self._html: dict[str, str] = {}

    def moment(self, day: int, second: int) -> datetime:
        """When ``second`` of ``day`` of the window is (never after now)."""
        day_start = self.origin + timedelta(days=day)
        value = day_start + timedelta(seconds=second)
        if value <= self.latest:
            return value
        # Today's activity, squeezed into the part of the day already gone, in order.
        return day_start + max(self.latest - day_start, timedelta(0)) * (second / 86_400)

    def html(self, text: str) -> str:
        from communities.markdown import render_markdown

        if text not in self._html:
            self._html[text] = render_markdown(text)
        return self._html[text]

    def take(self, name: str) -> int:
        value = self.next_ids[name]
        self.next_ids[name] += 1
        return value

    def members(self, *, email_domain: str, password: str) -> None:
        """Users, joined before the window (up to two years) or on their join day."""
        from django.contrib.auth import get_user_model

        User = get_user_model()
        rng = self.rng
        self.joined = [
            self.moment(m.join_day, m.join_second)
            if m.join_day is not None
            else self.origin - timedelta(days=rng.randrange(15, 730), seconds=rng.randrange(86_400))
            for m in self.plan.members
        ]
        started = time.perf_counter()
        users = User.objects.bulk_create(
            (
                User(
                    email=f"{m.email_local}@{email_domain}",
                    display_name=m.display_name,
                    department=m.department,
                    job_title=m.job_title,
                    password=password,
                    date_joined=self.joined[m.index],
                )
                for m in self.plan.members
            ),
            batch_size=2000,
        )
        if all(user.pk is not None for user in users):
            self.user_ids = [user.pk for user in users]
        else:  # a backend that does not return ids from bulk inserts
            emails = [user.email for user in users]
            by_email = {}
            for offset in range(0, len(emails), 500):
                chunk = emails[offset : offset + 500]
                by_email.update(User.objects.filter(email__in=chunk).values_list("email", "pk"))
            self.user_ids = [by_email[email] for email in emails]
        self.rows.counts[User._meta.label] += len(users)
        self.rows.seconds[User._meta.label] += time.perf_counter() - started

    def communities(self) -> None:
        """Communities reused by slug, or created (by their most engaged member, long
        before the window)."""
        from communities.models import Community

        plan = self.plan
        existing = Community.objects.in_bulk([s.slug for s in plan.communities], field_name="slug")
        missing = []
        for position, spec in enumerate(plan.communities):
            if spec.slug in existing:
                continue
            people = [m for m in plan.members if position in m.communities] or plan.members[:1]
            owner = max(people, key=lambda m: (m.join_day is None, m.level))
            self.owners[position] = owner.index
            missing.append(
                Community(
                    name=spec.name,
                    slug=spec.slug,
                    description=spec.description,
                    visibility=spec.visibility,
                    join_policy=spec.join_policy,
                    created_by_id=self.user_ids[owner.index],
                )
            )
        if missing:
            Community.objects.bulk_create(missing)
            Community.objects.filter(slug__in=[c.slug for c in missing]).update(
                created_at=self.origin - timedelta(days=800)
            )
            self.rows.counts[Community._meta.label] += len(missing)
        by_slug = dict(
            Community.objects.filter(slug__in=[s.slug for s in plan.communities]).values_list(
                "slug", "pk"
            )
        )
        self.community_ids = [by_slug[spec.slug] for spec in plan.communities]

    def memberships(self) -> None:
        """Active memberships from the join date; the creator of a created community owns
        it, and its first long-standing member manages it."""
        from communities.models import Membership

        columns = ("id", "community_id", "user_id", "role", "joined_at", "updated_at")
        managed: set[int] = set()
        next_id = self.rows.next_id(Membership)
        rows = []
        for member in self.plan.members:
            when = self.joined[member.index]
            for community in member.communities:
                role = Membership.Role.MEMBER
                if self.owners.get(community) == member.index:
                    role = Membership.Role.OWNER
                elif (
                    community in self.owners
                    and community not in managed
                    and member.join_day is None
                ):
                    role = Membership.Role.MANAGER
                    managed.add(community)
                rows.append(
                    (
                        next_id,
                        self.community_ids[community],
                        self.user_ids[member.index],
                        str(role),
                        when,
                        when,
                    )
                )
                next_id += 1
            if len(rows) >= 20_000:
                self.rows.write(Membership, columns, rows)
                rows = []
        self.rows.write(Membership, columns, rows)
        self.models["membership"] = Membership  # for the sequence reset

    def day(self, out: DayOutput) -> None:
        """One day of the plan: its content, then the log rows pointing to it."""
        self._posts(out.posts)
        self._comments(out.comments)
        self._reactions_and_kudos(out)
        self._ballots_and_rsvps(out)
        self.accepted.update(out.accepted)
        self._activities(out.events)

    def _posts(self, posts: list[PlannedPost]) -> None:
        post_rows, polls, options, events = [], [], [], []
        for post in posts:
            when = self.moment(post.day, post.second)
            post_id = self.post_base + post.index
            if post.kind == "question":
                title, body = _text(QUESTIONS, TEMPLATED_QUESTIONS, post.topic)
            elif post.kind == "poll":
                title, body, labels = POLLS[post.topic % len(POLLS)]
                poll_id = self.take("poll")
                option_ids = [self.take("option") for _ in labels]
                self.poll_of[post.index] = (poll_id, option_ids)
                polls.append((poll_id, post_id, when + timedelta(days=7)))
                options.extend(
                    (option_id, poll_id, label, position)
                    for position, (option_id, label) in enumerate(
                        zip(option_ids, labels, strict=True)
                    )
                )
            elif post.kind == "event":
                title, body = EVENTS[post.topic % len(EVENTS)]
                event_id = self.take("event")
                self.event_of[post.index] = event_id
                starts = (when + timedelta(days=3 + post.topic % 7)).replace(
                    hour=12, minute=30, second=0, microsecond=0
                )
                events.append(
                    (event_id, post_id, starts, starts + timedelta(hours=1), "Europe/Paris")
                )
            else:
                title, body = _text(DISCUSSIONS, TEMPLATED_DISCUSSIONS, post.topic)
            self.content_by_member[post.author] += 1
            post_rows.append(
                (
                    post_id,
                    self.community_ids[post.community],
                    self.user_ids[post.author],
                    post.kind,
                    title,
                    body,
                    self.html(body),
                    when,
                    when,
                )
            )
        models, write = self.models, self.rows.write
        write(
            models["post"],
            (
                "id",
                "community_id",
                "author_id",
                "kind",
                "title",
                "body",
                "body_html",
                "created_at",
                "updated_at",
            ),
            post_rows,
        )
        write(models["poll"], ("id", "post_id", "closes_at"), polls)
        write(models["option"], ("id", "poll_id", "label", "position"), options)
        write(models["event"], ("id", "post_id", "starts_at", "ends_at", "timezone"), events)

    def _comments(self, comments: list[PlannedComment]) -> None:
        rows = []
        for comment in comments:
            texts = {"answer": ANSWERS, "follow_up": FOLLOW_UPS}.get(comment.role, COMMENTS)
            body = texts[comment.topic % len(texts)]
            self.content_by_member[comment.author] += 1
            rows.append(
                (
                    self.comment_base + comment.index,
                    self.post_base + comment.post,
                    self.user_ids[comment.author],
                    None if comment.parent is None else self.comment_base + comment.parent,
                    body,
                    self.html(body),
                    self.moment(comment.day, comment.second),
                )
            )
        self.rows.write(
            self.models["comment"],
            ("id", "post_id", "author_id", "parent_id", "body", "body_html", "created_at"),
            rows,
        )

    def _reactions_and_kudos(self, out: DayOutput) -> None:
        user_ids, community_ids = self.user_ids, self.community_ids
        reactions = [
            (
                self.take("reaction"),
                None if r.post is None else self.post_base + r.post,
                None if r.comment is None else self.comment_base + r.comment,
                user_ids[r.member],
                r.kind,
                self.moment(r.day, r.second),
            )
            for r in out.reactions
        ]
        kudos = [
            (
                self.kudos_base + k.index,
                user_ids[k.giver],
                k.value,
                KUDOS_MESSAGES[k.index % len(KUDOS_MESSAGES)],
                None if k.community is None else community_ids[k.community],
                self.moment(k.day, k.second),
            )
            for k in out.kudos
        ]
        recipients = [
            (self.take("kudos_recipient"), self.kudos_base + k.index, user_ids[k.recipient])
            for k in out.kudos
        ]
        write = self.rows.write
        write(
            self.models["reaction"],
            ("id", "post_id", "comment_id", "user_id", "kind", "created_at"),
            reactions,
        )
        write(
            self.models["kudos"],
            ("id", "giver_id", "value", "message", "community_id", "created_at"),
            kudos,
        )
        write(self.models["kudos_recipient"], ("id", "kudos_id", "user_id"), recipients)

    def _ballots_and_rsvps(self, out: DayOutput) -> None:
        ballots, chosen = [], []
        for day, second, voter, post, option in out.ballots:
            ballot_id = self.take("ballot")
            poll_id, option_ids = self.poll_of[post]
            ballots.append((ballot_id, poll_id, self.user_ids[voter], self.moment(day, second)))
            chosen.append((self.take("ballot_option"), ballot_id, option_ids[option]))
        rsvps = []
        for day, second, member, post, answer in out.rsvps:
            when = self.moment(day, second)
            rsvps.append(
                (self.take("rsvp"), self.event_of[post], self.user_ids[member], answer, when, when)
            )
        write = self.rows.write
        write(self.models["ballot"], ("id", "poll_id", "voter_id", "created_at"), ballots)
        write(self.models["ballot_option"], ("id", "pollballot_id", "polloption_id"), chosen)
        write(
            self.models["rsvp"],
            ("id", "event_id", "user_id", "answer", "created_at", "updated_at"),
            rsvps,
        )

    def _activities(self, events: list[Event]) -> None:
        user_ids, community_ids = self.user_ids, self.community_ids
        object_id = {
            "post": lambda ref: self.post_base + ref,
            "comment": lambda ref: self.comment_base + ref,
            "kudos": lambda ref: self.kudos_base + ref,
            "poll": lambda ref: self.poll_of[ref][0],
            "event": lambda ref: self.event_of[ref],
            "community": lambda ref: community_ids[ref],
        }
        rows = []
        for day, second, actor, verb, subject, community, kind, ref in events:
            when = self.moment(day, second)
            rows.append(
                (
                    self.take("activity"),
                    user_ids[actor],
                    verb,
                    None if subject is None else user_ids[subject],
                    None if community is None else community_ids[community],
                    kind,
                    object_id[kind](ref) if kind else None,
                    when,
                )
            )
        self.rows.write(
            self.models["activity"],
            (
                "id",
                "actor_id",
                "verb",
                "subject_id",
                "community_id",
                "object_type",
                "object_id",
                "created_at",
            ),
            rows,
        )

    def totals(self) -> None:
        """What follows from the content, set-based: comment counts, accepted answers,
        poll tallies, when members were last seen; then the id sequences move on."""
        from django.contrib.auth import get_user_model
        from django.db.models import Count, OuterRef, Subquery, Value
        from django.db.models.functions import Coalesce

        started = time.perf_counter()
        User = get_user_model()
        Post, Comment = self.models["post"], self.models["comment"]
        PollOption = self.models["option"]
        written = self.rows.counts[Post._meta.label]
        Post.objects.filter(pk__gte=self.post_base, pk__lt=self.post_base + written).update(
            comment_count=Coalesce(
                Subquery(
                    Comment.objects.filter(post=OuterRef("pk"))
                    .order_by()
                    .values("post")
                    .annotate(total=Count("pk"))
                    .values("total")
                ),
                Value(0),
            )
        )
        Post.objects.bulk_update(
            [
                Post(pk=self.post_base + post, accepted_answer_id=self.comment_base + comment)
                for post, comment in self.accepted.items()
            ],
            ["accepted_answer"],
            batch_size=1000,
        )
        chosen = self.models["ballot_option"]
        first_option = self.next_ids["option"] - self.rows.counts[PollOption._meta.label]
        PollOption.objects.filter(pk__gte=first_option).update(
            vote_count=Coalesce(
                Subquery(
                    chosen.objects.filter(polloption=OuterRef("pk"))
                    .order_by()
                    .values("polloption")
                    .annotate(total=Count("pk"))
                    .values("total")
                ),
                Value(0),
            )
        )
        Activity = self.models["activity"]
        last_visit = Subquery(
            Activity.objects.filter(actor=OuterRef("pk"), verb=VISITED)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        for offset in range(0, len(self.user_ids), 900):
            chunk = self.user_ids[offset : offset + 900]
            User.objects.filter(pk__in=chunk).update(last_seen_at=last_visit)
        self.rows.reset_sequences(list(self.models.values()))
        self.rows.seconds["totals"] += time.perf_counter() - started


def _text(fixed, templated, topic: int) -> tuple[str, str]:
    """The title and body of a post: one of the fixed texts, or a template about one of
    the subjects of its language."""
    if topic % 3 == 0:
        return fixed[(topic // 3) % len(fixed)]
    language, title, body = templated[topic % len(templated)]
    subjects = SUBJECTS[language]
    subject = subjects[(topic // len(templated)) % len(subjects)]
    return title.format(subject=subject), body.format(subject=subject)


def main(argv=None) -> None:
    import argparse
    import os
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument(
        "--email-domain", default="members.bench", help="Generated members' email domain."
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="Delete the members of --email-domain (and their activity) first.",
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    users = get_user_model().objects.filter(email__endswith=f"@{args.email_domain}")
    if users.exists():
        if not args.replace:
            parser.exit(1, f"Members of @{args.email_domain} exist: pass --replace.\n")
        _delete_generated(users)

    started = time.perf_counter()

    def progress(day, counts):
        if day % 10 == 9 or day == args.days - 1:
            print(
                f"  day {day + 1}/{args.days}: {counts['metrics.Activity']:,} activities "
                f"({time.perf_counter() - started:.0f} s)"
            )

    truth = generate(
        size=args.members,
        days=args.days,
        seed=args.seed,
        email_domain=args.email_domain,
        progress=progress,
    )
    shares = truth.participation
    print(f"Database: {connection.vendor}; written in {truth.seconds:.1f} s")
    for label, count in sorted(truth.counts.items()):
        print(f"  {label:32} {count:>12,} rows {truth.seconds_by_table[label]:>8.1f} s")
    for step in ("totals", "commit"):
        print(f"  {step:32} {'':>17} {truth.seconds_by_table[step]:>8.1f} s")
    rate = truth.counts["metrics.Activity"] / truth.seconds if truth.seconds else 0
    print(f"  activities per second: {rate:,.0f}")
    print(f"Types: {dict(Counter(m.type for m in truth.members.values()))}")
    print(
        f"Participation: {shares.posters_share:.1%} of members ever posted or commented; "
        f"the top 1% wrote {shares.top_share:.1%} of the content ({shares.content:,} items)."
    )


def _delete_generated(users) -> None:
    """Delete generated members and what they wrote (posts are protected from a plain
    cascade of their authors)."""
    from communities.models import Comment, Community, Post

    Comment.objects.filter(post__author__in=users).delete()
    Comment.objects.filter(author__in=users).delete()
    Post.objects.filter(author__in=users).delete()
    Community.objects.filter(
        created_by__in=users, slug__in=[s.slug for s in DEFAULT_COMMUNITIES]
    ).delete()
    users.delete()


if __name__ == "__main__":
    main()
