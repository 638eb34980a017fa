"""Weekly profile-type evaluation: labels with their reasons, stable week to week, kept as
history, corrected by managers, and the weekly participation figures by type."""

from datetime import UTC, date, datetime, timedelta

import pytest

from metrics.models import MemberDay, ProfileLabel, ProfileTypeOverride, ProfileTypeWeek
from metrics.profile_labels import (
    OverrideRefused,
    ProfileTypesDisabled,
    evaluation_due,
    profile_labels_evaluate,
    profile_type_override,
)
from metrics.profile_types import reasons_text
from tests.factories import UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db

SUNDAY = date(2026, 11, 29)
JOINED = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _member(community=None):
    user = UserFactory()
    type(user).objects.filter(pk=user.pk).update(date_joined=JOINED)
    if community is not None:
        make_member(community, user)
        community.memberships.filter(user=user).update(joined_at=JOINED)
    return user


def _days(user, community, *, first: date, last: date, **counters):
    """One rollup row per day from ``first`` to ``last``, organisation-wide and in
    ``community``, with the same counters."""
    day = first
    while day <= last:
        for scope in (None, community):
            MemberDay.objects.create(user=user, community=scope, day=day, **counters)
        day += timedelta(days=1)


def _shy(user, community, *, through=SUNDAY):
    _days(user, community, first=through - timedelta(days=59), last=through, reads=3, visits=1)


def _enthusiast(user, community, *, first, last):
    _days(
        user,
        community,
        first=first,
        last=last,
        comments=2,
        replies_to_others=2,
        reactions_given=2,
        kudos_given=1,
        reads=4,
        visits=1,
    )


@pytest.fixture
def community():
    return make_community(name="Data guild")


def _label(user, community=None, week=SUNDAY):
    return ProfileLabel.objects.get(user=user, community=community, week=week)


def test_each_member_gets_a_type_with_its_reasons_everywhere_they_belong(community):
    shy, enthusiast, quiet = _member(community), _member(community), _member(community)
    _shy(shy, community)
    _enthusiast(enthusiast, community, first=SUNDAY - timedelta(days=80), last=SUNDAY)

    profile_labels_evaluate(as_of=SUNDAY)

    assert _label(shy).type == "shy"
    assert reasons_text(_label(shy).reasons)[0] == "read 180 posts, wrote 0 posts or replies"
    assert _label(shy, community).type == "shy"
    assert _label(enthusiast).type == "enthusiast"
    assert _label(enthusiast, community).type == "enthusiast"
    assert _label(quiet).type == "indifferent"
    assert _label(shy).signals["reads"] == 180


def test_the_weekly_figures_count_each_type_and_what_it_did(community):
    shy, enthusiast = _member(community), _member(community)
    _shy(shy, community)
    _enthusiast(enthusiast, community, first=SUNDAY - timedelta(days=80), last=SUNDAY)

    profile_labels_evaluate(as_of=SUNDAY)

    week = ProfileTypeWeek.objects.get(community=community, week=SUNDAY, type="enthusiast")
    assert (week.members, week.active_members, week.contributors) == (1, 1, 1)
    # seven days of two replies each
    assert (week.comments, week.replies_to_others, week.reactions_given) == (14, 14, 14)
    shy_week = ProfileTypeWeek.objects.get(community=community, week=SUNDAY, type="shy")
    assert (shy_week.members, shy_week.contributors, shy_week.reads) == (1, 0, 21)


def test_running_the_same_week_again_changes_nothing(community):
    shy = _member(community)
    _shy(shy, community)

    profile_labels_evaluate(as_of=SUNDAY)
    first = list(ProfileLabel.objects.values_list("user", "community", "type", "reasons"))
    profile_labels_evaluate(as_of=SUNDAY)

    assert list(ProfileLabel.objects.values_list("user", "community", "type", "reasons")) == first
    assert ProfileTypeWeek.objects.filter(week=SUNDAY, community=community).count() == 7


def test_a_drop_in_engagement_is_published_only_once_it_held_three_weeks(community):
    member = _member(community)
    # busy until six weeks before, then almost nothing
    _enthusiast(
        member, community, first=SUNDAY - timedelta(days=120), last=SUNDAY - timedelta(days=42)
    )
    _days(
        member,
        community,
        first=SUNDAY - timedelta(days=41),
        last=SUNDAY,
        reads=1,
        visits=1,
    )
    weeks = [SUNDAY - timedelta(weeks=n) for n in (5, 4, 3, 2, 1, 0)]
    for week in weeks:
        profile_labels_evaluate(as_of=week)

    history = [
        (_label(member, week=week).computed_type, _label(member, week=week).type) for week in weeks
    ]
    assert history[0] == ("enthusiast", "enthusiast")
    # the rules see the decline once the busy days have left most of the last 30...
    assert [computed for computed, _ in history] == ["enthusiast"] * 2 + ["jaded"] * 4
    # ...and managers see it once three weekly evaluations agreed
    assert [published for _, published in history] == ["enthusiast"] * 4 + ["jaded"] * 2
    assert _label(member).since == weeks[4]


def test_a_manager_override_shows_in_the_figures_and_ends_when_behaviour_changes(community):
    manager = community.memberships.get().user
    member = _member(community)
    _shy(member, community)
    profile_labels_evaluate(as_of=SUNDAY)

    override = profile_type_override(
        author=manager,
        user=member,
        community=community,
        type="pragmatic",
        reason="Answers by phone; asks in the guild's meetups",
    )

    assert override.computed_type == "shy"
    figures = dict(
        ProfileTypeWeek.objects.filter(community=community, week=SUNDAY).values_list(
            "type", "members"
        )
    )
    assert figures["pragmatic"] == 1 and figures["shy"] == 0

    # the following week the same behaviour: the override holds
    next_sunday = SUNDAY + timedelta(days=7)
    _days(member, community, first=SUNDAY + timedelta(days=1), last=next_sunday, reads=3)
    profile_labels_evaluate(as_of=next_sunday)
    override.refresh_from_db()
    assert override.ended_at is None

    # then they start replying and reacting: computed enthusiast, the override ends
    later = next_sunday + timedelta(days=7)
    _enthusiast(member, community, first=next_sunday + timedelta(days=1), last=later)
    profile_labels_evaluate(as_of=later)
    override.refresh_from_db()
    assert override.ended_at is not None
    assert _label(member, community, later).type == "enthusiast"


@pytest.mark.parametrize(
    ("type", "reason", "field"),
    [("pragmatic", "  ", "reason"), ("wizard", "Because", "type"), ("new", "Because", "type")],
)
def test_an_override_needs_a_real_type_and_a_reason_and_writes_nothing(
    community, type, reason, field
):
    member = _member(community)
    _shy(member, community)
    profile_labels_evaluate(as_of=SUNDAY)

    with pytest.raises(OverrideRefused) as refused:
        profile_type_override(
            author=member, user=member, community=community, type=type, reason=reason
        )

    assert refused.value.field == field
    assert not ProfileTypeOverride.objects.exists()


def test_a_member_never_evaluated_cannot_be_overridden(community):
    member = _member(community)
    with pytest.raises(OverrideRefused) as refused:
        profile_type_override(
            author=member, user=member, community=community, type="shy", reason="Quiet"
        )
    assert refused.value.field == "user"


def test_labelling_turned_off_writes_nothing(community, settings):
    settings.CERCLE_PROFILE_TYPES = False
    _shy(_member(community), community)

    with pytest.raises(ProfileTypesDisabled):
        profile_labels_evaluate(as_of=SUNDAY)

    assert not ProfileLabel.objects.exists()
    assert not ProfileTypeWeek.objects.exists()


@pytest.mark.parametrize(
    ("filled_through", "expected"),
    [
        (datetime(2026, 11, 30, 0, 0, tzinfo=UTC), date(2026, 11, 29)),  # Monday midnight
        (datetime(2026, 12, 2, 15, 0, tzinfo=UTC), date(2026, 11, 29)),  # Wednesday
        (datetime(2026, 11, 29, 23, 0, tzinfo=UTC), date(2026, 11, 22)),  # Sunday not over
    ],
)
def test_the_week_to_evaluate_is_the_last_sunday_fully_counted(db, filled_through, expected):
    assert evaluation_due(filled_through=filled_through) == expected


def test_a_week_already_evaluated_is_not_due_again(community):
    _shy(_member(community), community)
    profile_labels_evaluate(as_of=SUNDAY)
    assert evaluation_due(filled_through=datetime(2026, 11, 30, 1, tzinfo=UTC)) is None


def test_evaluation_queries_do_not_grow_with_members(community, django_assert_max_num_queries):
    def evaluate(week) -> int:
        with django_assert_max_num_queries(30) as captured:
            profile_labels_evaluate(as_of=week)
        return len(captured)

    for _ in range(2):
        _shy(_member(community), community)
    few = evaluate(SUNDAY)
    for _ in range(15):
        _shy(_member(community), community)
    many = evaluate(SUNDAY)

    # the owner joined after that Sunday: not judged
    assert ProfileLabel.objects.filter(week=SUNDAY).count() == 2 * 17
    assert few == many


def test_the_weekly_task_evaluates_the_last_counted_sunday_once(community):
    from metrics.models import RollupState
    from metrics.tasks import profile_types_evaluate

    assert profile_types_evaluate() is None  # the rollups never filled: nothing to judge
    _shy(_member(community), community)
    RollupState.objects.create(
        name=RollupState.Name.MEMBER_DAYS, filled_through=datetime(2026, 12, 1, 8, tzinfo=UTC)
    )

    assert profile_types_evaluate() == "2026-11-29"
    assert profile_types_evaluate() is None
    assert ProfileLabel.objects.filter(week=SUNDAY, community__isnull=True).count() == 1


def test_reasons_read_in_the_language_of_whoever_reads_them(community):
    from django.utils import translation

    shy = _member(community)
    _shy(shy, community)
    profile_labels_evaluate(as_of=SUNDAY)  # as the beat task does: in the default language

    stored = _label(shy).reasons
    with translation.override("fr"):
        assert reasons_text(stored)[0] == "a lu 180 publications, a écrit 0 publication ou réponse"
    assert reasons_text(stored)[0] == "read 180 posts, wrote 0 posts or replies"
