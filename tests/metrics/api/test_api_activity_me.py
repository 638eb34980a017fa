"""GET /api/v1/metrics/activity/me/: the asking member's own activity, what they gave and
received, week by week; never a profile type."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from metrics.models import MemberDay, ProfileLabel
from tests.communities.api.conftest import client_for
from tests.factories import UserFactory, make_community
from tests.metrics.api.conftest import SUNDAY, TODAY

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/activity/me/"


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


def test_anonymous_callers_are_asked_to_log_in():
    response = APIClient().get(URL)

    assert response.status_code == 401


def test_a_member_sees_what_they_gave_and_received_and_nothing_of_others():
    me, colleague = UserFactory(), UserFactory()
    community = make_community()
    monday = TODAY - timedelta(days=7)
    MemberDay.objects.create(
        user=me,
        community=None,
        day=monday,
        posts=3,
        questions=1,
        replies_to_others=2,
        reactions_given=4,
        kudos_given=1,
        accepted_answers_given=1,
        polls_voted=1,
        rsvps=1,
        replies_received=5,
        reactions_received=6,
        kudos_received=2,
        accepted_answers_received=1,
        reads=10,
        visits=1,
    )
    MemberDay.objects.create(
        user=me, community=None, day=TODAY, reads=2, visits=1, kudos_received=1
    )
    # the community row is already in the organisation row
    MemberDay.objects.create(user=me, community=community, day=monday, posts=3)
    # a colleague's day, and a day of mine before the period
    MemberDay.objects.create(user=colleague, community=None, day=monday, posts=50)
    MemberDay.objects.create(user=me, community=None, day=TODAY - timedelta(weeks=5), posts=40)
    ProfileLabel.objects.create(
        user=me,
        community=None,
        week=SUNDAY,
        computed_type="show_off",
        type="show_off",
        since=SUNDAY,
    )

    response = client_for(me).get(URL, {"period": "4w"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"]["name"] == "4w"
    assert body["given"] == {
        "posts": 3,
        "questions": 1,
        "replies_to_others": 2,
        "reactions": 4,
        "kudos": 1,
        "answers_accepted": 1,
        "polls_voted": 1,
        "rsvps": 1,
    }
    assert body["received"] == {"replies": 5, "reactions": 6, "kudos": 3, "accepted_answers": 1}
    assert (body["reads"], body["visits"], body["active_days"]) == (12, 2, 2)
    assert [week["week"] for week in body["weeks"]] == [
        "2026-11-15",
        "2026-11-22",
        "2026-11-29",
        "2026-12-06",
        "2026-12-13",
    ]
    assert body["weeks"][3] == {
        "week": "2026-12-06",
        "first": "2026-11-30",
        "last": "2026-12-06",
        "given": 3 + 1 + 2 + 4 + 1 + 1 + 1 + 1,
        "received": 5 + 6 + 2 + 1,
        "reads": 10,
        "visits": 1,
    }
    assert body["weeks"][4]["received"] == 1
    # never a type, not even their own
    assert not {"type", "computed_type", "label"} & _keys(body)
    assert "show_off" not in response.content.decode()


def test_a_member_with_no_activity_gets_zeros():
    body = client_for(UserFactory()).get(URL).json()

    assert body["period"]["name"] == "13w"
    assert set(body["given"].values()) == {0}
    assert body["active_days"] == 0
    assert all(week["given"] == 0 for week in body["weeks"])


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("yesterday", "Use 4w, 13w, 26w, 52w, or a range of days as YYYY-MM-DD..YYYY-MM-DD."),
        ("2026-12-01..2027-01-01", "The period ends in the future; there are no figures yet."),
        ("2026-02-30..2026-03-10", "Not a date: day is out of range for month."),
    ],
)
def test_a_bad_period_is_refused_on_period(period, message):
    response = client_for(UserFactory()).get(URL, {"period": period})

    assert response.status_code == 400
    assert response.json() == {"period": [message]}


@pytest.mark.parametrize("members", [1, 20])
def test_query_count_does_not_grow_with_members_or_days(members, django_assert_num_queries):
    me = UserFactory()
    for back in range(members * 3):
        MemberDay.objects.create(user=me, community=None, day=TODAY - timedelta(days=back), reads=1)
    for _ in range(members):
        MemberDay.objects.create(user=UserFactory(), community=None, day=TODAY, posts=1)
    client = client_for(me)

    with django_assert_num_queries(1):
        response = client.get(URL, {"period": "13w"})

    assert response.status_code == 200
    assert response.json()["reads"] == members * 3
