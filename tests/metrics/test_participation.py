"""Participation by profile type as managers read it: periods, shares, small groups hidden
organisation-wide, figures week by week."""

from datetime import date, timedelta

import pytest

from metrics.models import ProfileTypeWeek
from metrics.participation import PeriodInvalid, participation_by_type, period_parse
from tests.factories import make_community

TODAY = date(2026, 12, 7)
SUNDAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        (None, date(2026, 9, 8), TODAY),
        ("4w", date(2026, 11, 10), TODAY),
        ("2026-10-01..2026-11-30", date(2026, 10, 1), date(2026, 11, 30)),
    ],
)
def test_periods_are_named_windows_or_ranges_of_days(value, first, last):
    period = period_parse(value, today=TODAY)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3 months", "Use 4w, 13w, 26w, 52w, or a range of days as YYYY-MM-DD..YYYY-MM-DD."),
        ("2026-02-30..2026-03-10", "Not a date: day is out of range for month."),
        ("2026-11-10..2026-11-01", "The period ends before it starts."),
        ("2026-11-01..2026-12-31", "The period ends in the future; there are no figures yet."),
        ("2020-01-01..2026-01-01", "A period is at most two years."),
    ],
)
def test_a_period_that_cannot_be_shown_says_why(value, message):
    with pytest.raises(PeriodInvalid) as invalid:
        period_parse(value, today=TODAY)
    assert str(invalid.value) == message


def _week(community, week, type, **figures):
    return ProfileTypeWeek.objects.create(community=community, week=week, type=type, **figures)


@pytest.mark.django_db
def test_members_shares_and_what_each_type_produced_over_the_period():
    community = make_community(name="Data guild")
    _week(community, SUNDAY - timedelta(weeks=1), "enthusiast", members=2, posts=3, comments=9)
    _week(community, SUNDAY, "enthusiast", members=3, active_members=3, posts=1, comments=4)
    _week(community, SUNDAY, "shy", members=9, active_members=6, reads=120)

    result = participation_by_type(
        community_id=community.pk, period=period_parse("4w", today=TODAY)
    )

    assert result.evaluated_on == SUNDAY
    assert result.members == 12
    by_type = {row.type: row for row in result.types}
    assert (by_type["enthusiast"].members, by_type["enthusiast"].share) == (3, 0.25)
    assert by_type["enthusiast"].content == 17
    assert [week["content"] for week in by_type["enthusiast"].weeks] == [12, 5]
    assert by_type["shy"].active_share == pytest.approx(0.6667, abs=1e-4)
    # a community's manager sees small groups: they know their members
    assert not any(row.hidden for row in result.types)


@pytest.mark.django_db
def test_organisation_wide_groups_under_the_minimum_are_hidden(settings):
    settings.CERCLE_METRICS_MIN_GROUP = 5
    _week(None, SUNDAY, "show_off", members=4, posts=40)
    _week(None, SUNDAY, "shy", members=30, reads=900)

    result = participation_by_type(community_id=None, period=period_parse("4w", today=TODAY))

    by_type = {row.type: row for row in result.types}
    assert by_type["show_off"].hidden
    assert by_type["show_off"].members is None and by_type["show_off"].content is None
    assert by_type["shy"].members == 30 and not by_type["shy"].hidden


@pytest.mark.django_db
def test_participation_is_one_query(django_assert_num_queries):
    for n in range(8):
        _week(None, SUNDAY - timedelta(weeks=n), "shy", members=10)
    with django_assert_num_queries(1):
        participation_by_type(community_id=None, period=period_parse("13w", today=TODAY))
