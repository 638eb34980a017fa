"""The participation rollups count what members did, per member, community and UTC day,
from the activity log written by the real services; running again changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.services.comments import comment_create
from metrics.models import CommunityDay, MemberDay, RollupState
from metrics.rollups import rollups_rebuild, rollups_update, utc_midnight
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.metrics.rollup_helpers import (
    DAY_1,
    DAY_2,
    DAY_3,
    EXPECTED_COMMUNITY_DAYS,
    EXPECTED_MEMBER_DAYS,
    at,
    build_scenario,
    community_day_table,
    late_first_reply,
    member_day_table,
    rollup_tables,
)

pytestmark = pytest.mark.django_db


def test_member_days_count_each_counter_per_community_and_organisation_wide():
    build_scenario()
    rollups_update(now=at(DAY_3, 1))
    assert member_day_table() == EXPECTED_MEMBER_DAYS


def test_community_days_count_members_content_and_the_median_first_reply():
    build_scenario()
    rollups_update(now=at(DAY_3, 1))
    assert community_day_table() == EXPECTED_COMMUNITY_DAYS


def test_each_rollup_records_how_far_it_is_filled():
    build_scenario()
    filled = rollups_update(now=at(DAY_3, 1))
    # Ten minutes of settling by default.
    assert filled == {"member_days": at(DAY_3, 0, 50), "community_days": at(DAY_3, 0, 50)}
    states = {state.name: state for state in RollupState.objects.all()}
    assert {state.status for state in states.values()} == {RollupState.Status.DONE}
    assert states["member_days"].filled_through == at(DAY_3, 0, 50)


def test_running_again_gives_identical_rows():
    build_scenario()
    rollups_update(now=at(DAY_3, 1))
    first = rollup_tables()
    ids = set(MemberDay.objects.values_list("pk", flat=True))
    rollups_update(now=at(DAY_3, 1))
    rollups_update(now=at(DAY_3, 6))
    assert rollup_tables() == first == (EXPECTED_MEMBER_DAYS, EXPECTED_COMMUNITY_DAYS)
    # The open day was recomputed whole (new rows), not added to.
    assert MemberDay.objects.count() == len(ids)


def test_filling_a_little_at_a_time_gives_the_same_rows_as_at_once():
    build_scenario()
    for moment in (at(DAY_1, 9, 45), at(DAY_1, 14), at(DAY_2, 0, 5), at(DAY_2, 9, 45)):
        rollups_update(now=moment)
    partial = member_day_table()
    assert partial[("alice", "Lyon", DAY_1)] == EXPECTED_MEMBER_DAYS[("alice", "Lyon", DAY_1)]
    # Only dave's post of 9:30 was settled on day 2, not carol's reply at 10:00.
    assert partial[("dave", "Lyon", DAY_2)] == {"posts": 1}
    rollups_update(now=at(DAY_3, 1))
    assert rollup_tables() == (EXPECTED_MEMBER_DAYS, EXPECTED_COMMUNITY_DAYS)


def test_a_rebuild_gives_the_same_rows_as_the_incremental_fill():
    build_scenario()
    rollups_update(now=at(DAY_1, 12))
    rollups_update(now=at(DAY_3, 1))
    incremental = rollup_tables()
    MemberDay.objects.all().delete()
    CommunityDay.objects.all().delete()
    assert rollups_rebuild(since=DAY_1, now=at(DAY_3, 1)) == 3
    assert rollup_tables() == incremental


def test_a_first_reply_days_later_updates_the_community_day_of_the_post():
    world = build_scenario()
    rollups_update(now=at(DAY_3, 1))
    late_first_reply(world)
    rollups_update(now=at(DAY_3, 12))
    days = community_day_table()
    # 30 min, 2 h and now 42 h for the poll: the median is the question's 2 h.
    assert days[("Lyon", DAY_1)] == (4, 4, 8, 7200)
    assert days[("Lyon", DAY_3)] == (1, 0, 1, None)


def test_a_reply_after_the_first_reply_window_does_not_count():
    world = build_scenario()
    with time_machine.travel(at(DAY_1, 16) + timedelta(days=7, minutes=1), tick=False):
        comment_create(author=world.carol, post=world.poll_post, body="Late")
    rollups_update(now=at(DAY_1, 16) + timedelta(days=8))
    assert community_day_table()[("Lyon", DAY_1)] == (4, 4, 8, 4500)


def test_days_past_the_first_reply_window_are_no_longer_recomputed():
    build_scenario()
    rollups_update(now=at(DAY_3, 1))
    later = at(DAY_3, 1) + timedelta(days=10)
    with CaptureQueriesContext(connection) as first:
        rollups_update(now=later)
    with CaptureQueriesContext(connection) as second:
        rollups_update(now=later)
    # Once caught up, a run redoes the open member day and the 7 + 1 community days.
    assert len(second.captured_queries) < len(first.captured_queries)
    deletes = [q["sql"] for q in second.captured_queries if q["sql"].startswith("DELETE")]
    # One DELETE per rollup and day redone: the open member day, 8 community days.
    assert len(deletes) == 1 + 8
    assert not [sql for sql in deletes if str(DAY_1) in sql or str(DAY_2) in sql]


def _members_posting_and_replying(community, owner, count: int) -> None:
    with time_machine.travel(at(DAY_1, 8), tick=False):
        members = [make_member(community) for _ in range(count)]
    with time_machine.travel(at(DAY_1, 9), tick=False):
        for member in members:
            post = make_post(community, author=member)
            comment_create(author=owner, post=post, body="Welcome")


def _fill_queries() -> int:
    MemberDay.objects.all().delete()
    CommunityDay.objects.all().delete()
    RollupState.objects.all().delete()
    with CaptureQueriesContext(connection) as context:
        rollups_update(now=at(DAY_2, 1))
    return len(context.captured_queries)


def test_the_fill_runs_the_same_queries_whatever_the_number_of_members():
    owner = UserFactory()
    with time_machine.travel(at(DAY_1, 8), tick=False):
        community = make_community(owner=owner)
    _members_posting_and_replying(community, owner, 1)
    with_one = _fill_queries()
    assert MemberDay.objects.filter(day=DAY_1, community__isnull=True).count() == 2
    _members_posting_and_replying(community, owner, 15)
    with_sixteen = _fill_queries()
    assert MemberDay.objects.filter(day=DAY_1, community__isnull=True).count() == 17
    assert with_sixteen == with_one


def test_no_activity_leaves_the_rollups_empty_and_filled_through_the_horizon():
    filled = rollups_update(now=at(DAY_1, 12))
    assert filled["member_days"] == at(DAY_1, 11, 50)
    assert not MemberDay.objects.exists()
    assert utc_midnight(DAY_1) < RollupState.objects.get(name="community_days").filled_through
