"""The scale-data generator: members who behave like their profile type, on a fixed
seed, with the participation shape of real communities, and its bulk writer."""

import os
from collections import Counter, defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from bench.generator import (
    DRIFTS,
    NEW,
    NEW_WINDOW_DAYS,
    TYPES,
    VERBS,
    generate,
    plan_build,
    plan_participation,
)
from communities.models import Comment, Community, PollOption, Post
from metrics.models import Activity
from profiles.models import User

WRITES = ("post_created", "comment_created")


@pytest.fixture(scope="module")
def plan():
    return plan_build(size=600, seed=11)


def _per_member(plan, *, since=0, until=None):
    until = plan.days if until is None else until
    counts = defaultdict(Counter)
    for event in plan.events:
        if since <= event.day < until:
            counts[event.actor][event.verb] += 1
    return counts


def _mean(plan, counts, member_type, verbs):
    members = [m for m in plan.members if m.type == member_type]
    return sum(counts[m.index][verb] for m in members for verb in verbs) / len(members)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    first, again = plan_build(size=150, seed=3), plan_build(size=150, seed=3)
    other = plan_build(size=150, seed=4)

    assert first.events == again.events
    assert [(m.type, m.drift, m.communities) for m in first.members] == [
        (m.type, m.drift, m.communities) for m in again.members
    ]
    assert first.posts == again.posts and first.comments == again.comments
    assert first.events != other.events


def test_every_type_the_new_cohort_and_each_drift_are_in_a_small_plan(plan):
    types = Counter(m.type for m in plan.members)
    assert set(types) == {*TYPES, NEW}
    assert all(types[t] >= 15 for t in TYPES)
    drifts = {(m.drift.before, m.drift.after) for m in plan.members if m.drift}
    assert drifts == set(DRIFTS)
    assert all(m.type == m.drift.after for m in plan.members if m.drift)
    assert {e.verb for e in plan.events} == set(VERBS)


def test_new_members_joined_in_the_last_two_weeks_and_did_nothing_before(plan):
    newcomers = {m.index: (m.join_day, m.join_second) for m in plan.members if m.type == NEW}
    assert newcomers
    assert all(day >= plan.days - NEW_WINDOW_DAYS for day, _ in newcomers.values())
    for event in plan.events:
        if event.actor in newcomers:
            assert (event.day, event.second) >= newcomers[event.actor]
    joined = Counter(e.actor for e in plan.events if e.verb == "member_joined")
    assert set(joined) == set(newcomers)


@pytest.mark.parametrize("seed", [1, 2])
def test_few_members_write_and_the_top_one_percent_write_most(seed):
    shares = plan_participation(plan_build(size=1000, seed=seed))

    assert shares.posters_share < 0.25  # under a quarter of members ever post
    assert shares.posters_share > 0.10
    assert shares.top_share > 0.40  # the top 1% write most of the content


def test_each_type_behaves_as_the_practice_describes_it(plan):
    counts = _per_member(plan)

    def mean(member_type, *verbs):
        return _mean(plan, counts, member_type, verbs)

    # The shy read a lot and write almost nothing; the indifferent barely come.
    assert mean("shy", "post_read") > 5 * mean("indifferent", "post_read")
    assert mean("shy", *WRITES) < 0.5
    assert mean("indifferent", "visited") == min(mean(t, "visited") for t in TYPES)
    # Show-offs post the most and react the least per post.
    assert mean("show_off", "post_created") == max(mean(t, "post_created") for t in TYPES)
    assert mean("show_off", "reaction_created") < 0.2 * mean("show_off", "post_created")
    # Enthusiasts react, praise and answer others the most.
    for verb in ("reaction_created", "kudos_given", "answer_accepted"):
        assert mean("enthusiast", verb) == max(mean(t, verb) for t in TYPES), verb
    # Enthusiasts act across more of their communities than show-offs and pragmatic members.
    places = defaultdict(set)
    for event in plan.events:
        if event.community is not None and event.verb != "member_joined":
            places[event.actor].add(event.community)

    def breadth(member_type):
        members = [m for m in plan.members if m.type == member_type]
        return sum(len(places[m.index]) for m in members) / len(members)

    assert breadth("enthusiast") > breadth("show_off")
    assert breadth("enthusiast") > breadth("pragmatic")
    # Pragmatic members ask: most of their posts are questions, and they get answers.
    questions = Counter(p.author for p in plan.posts if p.kind == "question")
    pragmatic = [m.index for m in plan.members if m.type == "pragmatic"]
    asked = sum(questions[i] for i in pragmatic)
    assert asked > 0.7 * sum(counts[i]["post_created"] for i in pragmatic)
    answered_askers = Counter(e.subject for e in plan.events if e.verb == "answer_accepted")
    assert sum(answered_askers[i] for i in pragmatic) >= len(pragmatic) / 2


def test_the_jaded_decline_after_a_peak_and_the_pragmatic_come_in_bursts(plan):
    early = _per_member(plan, until=plan.days // 3)
    late = _per_member(plan, since=2 * plan.days // 3)
    jaded = [m for m in plan.members if m.type == "jaded" and m.drift is None]
    early_writes = sum(early[m.index][v] for m in jaded for v in WRITES)
    late_writes = sum(late[m.index][v] for m in jaded for v in WRITES)
    assert late_writes < early_writes / 4

    # Pragmatic members' visits cluster: most of them fall on days next to another visit.
    visits = defaultdict(set)
    for event in plan.events:
        if event.verb == "visited":
            visits[event.actor].add(event.day)
    clustered = total = 0
    for member in plan.members:
        if member.type != "pragmatic":
            continue
        days = visits[member.index]
        total += len(days)
        clustered += sum(1 for d in days if d - 1 in days or d + 1 in days)
    assert clustered > 0.6 * total


def test_drifters_change_behaviour_at_their_switch_day(plan):
    drifters = [m for m in plan.members if m.drift]
    by_pair = defaultdict(list)
    for member in drifters:
        by_pair[(member.drift.before, member.drift.after)].append(member)

    def daily(member, verbs, since, until):
        return sum(
            1
            for e in plan.events
            if e.actor == member.index and e.verb in verbs and since <= e.day < until
        ) / max(1, until - since)

    for member in by_pair[("enthusiast", "jaded")] + by_pair[("show_off", "jaded")]:
        switch = member.drift.day
        before = daily(member, (*WRITES, "reaction_created"), 0, switch)
        after = daily(member, (*WRITES, "reaction_created"), switch + 10, plan.days)
        assert after < before / 2, member
    won_over = by_pair[("pragmatic", "enthusiast")]
    assert won_over
    for member in won_over:
        switch = member.drift.day
        before = daily(member, ("reaction_created", "kudos_given"), 0, switch)
        after = daily(member, ("reaction_created", "kudos_given"), switch, plan.days)
        assert after > 2 * before, member


def test_events_address_the_member_the_activity_log_would(plan):
    post_author = {p.index: p.author for p in plan.posts}
    post_when = {p.index: (p.day, p.second) for p in plan.posts}
    comment = {c.index: c for c in plan.comments}
    for event in plan.events:
        assert event.subject != event.actor
        if event.verb == "post_read":
            assert event.subject == post_author[event.object_ref]
            assert (event.day, event.second) >= post_when[event.object_ref]
        elif event.verb == "comment_created":
            made = comment[event.object_ref]
            if made.parent is not None:  # one level of replies
                assert comment[made.parent].parent is None
                assert comment[made.parent].post == made.post
            parent_author = comment[made.parent].author if made.parent is not None else None
            expected = parent_author if parent_author is not None else post_author[made.post]
            assert event.subject == (None if expected == event.actor else expected)
        elif event.verb == "answer_accepted":
            answer = comment[event.object_ref]
            assert event.actor == answer.author
            assert event.subject == post_author[answer.post]
            assert plan.accepted[answer.post] == answer.index
        elif event.verb in ("post_created", "visited", "member_joined"):
            assert event.subject is None


@pytest.mark.django_db
def test_generate_writes_the_planned_rows_on_their_days():
    end = date(2026, 3, 31)
    truth = generate(size=80, days=30, seed=5, end=end)
    plan = plan_build(size=80, days=30, seed=5)
    user_of = truth.user_ids

    assert truth.start == end - timedelta(days=29)
    assert Activity.objects.count() == len(plan.events) == truth.counts["metrics.Activity"]
    written = Counter(
        (a.actor_id, a.verb, a.subject_id, a.created_at.date())
        for a in Activity.objects.only("actor_id", "verb", "subject_id", "created_at")
    )
    planned = Counter(
        (
            user_of[e.actor],
            e.verb,
            None if e.subject is None else user_of[e.subject],
            truth.start + timedelta(days=e.day),
        )
        for e in plan.events
    )
    assert written == planned
    assert {truth.members[user_of[m.index]].type for m in plan.members} == {
        m.type for m in plan.members
    }

    assert Post.objects.count() == len(plan.posts)
    assert Comment.objects.count() == len(plan.comments)
    for post in Post.objects.filter(comment_count__gt=0)[:20]:
        assert post.comment_count == post.comments.count()
    assert Post.objects.filter(accepted_answer__isnull=False).count() == len(plan.accepted)
    assert Post.objects.exclude(body_html="").count() == len(plan.posts)
    read = Activity.objects.filter(verb="post_read").first()
    assert read.object_type == "post"
    assert read.subject_id == Post.objects.get(pk=read.object_id).author_id
    assert read.created_at >= Post.objects.get(pk=read.object_id).created_at
    assert User.objects.exclude(department="").count() == 80
    member = User.objects.filter(activities__verb="visited").first()
    last_visit = member.activities.filter(verb="visited").order_by("-created_at").first()
    assert member.last_seen_at == last_visit.created_at
    for option in PollOption.objects.all():
        assert option.vote_count == option.ballots.count()
    assert PollOption.objects.filter(vote_count__gt=0).exists()
    assert Community.objects.count() == len(plan.communities)

    # New rows after a bulk write get fresh ids (the sequences moved on).
    extra = Activity.objects.create(actor_id=user_of[0], verb="visited")
    assert extra.pk > max(Activity.objects.exclude(pk=extra.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_seed_demo_adds_generated_colleagues_once():
    call_command("seed_demo", members=40, stdout=StringIO())
    counts = (
        User.objects.count(),
        Community.objects.count(),
        Post.objects.count(),
        Comment.objects.count(),
        Activity.objects.count(),
    )
    call_command("seed_demo", members=40, stdout=StringIO())

    assert (
        User.objects.count(),
        Community.objects.count(),
        Post.objects.count(),
        Comment.objects.count(),
        Activity.objects.count(),
    ) == counts
    generated = User.objects.filter(email__regex=r"\.[0-9]{6}@acme\.example$")
    assert generated.count() == 40
    assert Community.objects.filter(slug__in=["general", "green-team", "new-joiners"]).count() == 3
    general = Community.objects.get(slug="general")
    assert general.memberships.filter(user__in=generated).exists()
    history = Activity.objects.filter(actor__in=generated)
    oldest = history.order_by("created_at").first().created_at
    assert oldest.date() <= date.today() - timedelta(days=60)
    assert Post.objects.filter(author__in=generated).exclude(body_html="").exists()


def test_the_plan_does_not_depend_on_the_interpreter_hash_seed():
    import subprocess
    import sys

    script = (
        "import hashlib; from bench.generator import plan_build; "
        "print(hashlib.sha256(repr(plan_build(size=120, seed=5).events).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2", "3")
    }
    assert len(digests) == 1
