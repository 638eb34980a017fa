"""GET /api/v1/metrics/participation/: a community's participation for its managers, the
organisation's for superusers, by profile type or plain, over a period."""

from datetime import timedelta

import pytest

from communities.models import Community
from metrics.models import CommunityDay, MemberDay, ProfileTypeWeek
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import UserFactory, make_member
from tests.metrics.api.conftest import SUNDAY, TODAY, client_as

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/participation/"


def _type_week(community, week, type, **figures):
    return ProfileTypeWeek.objects.create(community=community, week=week, type=type, **figures)


# --- Who may see what --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", 200),
        ("owner", 200),
        ("manager", 200),
        ("moderator", 403),
        ("member", 403),
        ("banned", 403),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_a_communitys_figures_are_for_its_managers_and_superusers(cast, superuser, role, expected):
    _type_week(cast.community, SUNDAY, "shy", members=3, active_members=2, reads=40)

    response = client_as(role, cast, superuser).get(URL, {"community": cast.community.slug})

    assert response.status_code == expected, response.content
    body = response.json()
    if expected == 200:
        assert body["community"] == cast.community.slug
        assert {row["type"]: row["members"] for row in body["types"]}["shy"] == 3
    else:
        assert "types" not in body
        assert body["detail"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", 200),
        ("owner", 403),
        ("manager", 403),
        ("member", 403),
        ("anonymous", 401),
    ],
)
def test_organisation_wide_figures_are_for_superusers_only(cast, superuser, role, expected):
    _type_week(None, SUNDAY, "shy", members=30, reads=900)

    response = client_as(role, cast, superuser).get(URL)

    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["community"] is None
        assert response.json()["members"] == 30
    else:
        assert "types" not in response.json()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("superuser", 200), ("owner", 200), ("manager", 200), ("member", 403), ("outsider", 404)],
)
def test_a_secret_community_is_unknown_to_outsiders(secret_cast, superuser, role, expected):
    response = client_as(role, secret_cast, superuser).get(
        URL, {"community": secret_cast.community.slug}
    )

    assert response.status_code == expected, response.content
    if expected == 404:
        body = response.json()
        assert body["community"] == [
            f"No community “{secret_cast.community.slug}” that you can see."
        ]
        assert "types" not in body


def test_a_private_community_answers_its_outsiders_403_not_404(superuser):
    cast = make_cast(visibility=Community.Visibility.PRIVATE)

    response = client_for(cast.outsider).get(URL, {"community": cast.community.slug})

    assert response.status_code == 403


# --- By profile type ---------------------------------------------------------------------


def test_by_profile_type_gives_each_types_members_shares_and_output(cast):
    community = cast.community
    _type_week(community, SUNDAY - timedelta(weeks=1), "enthusiast", members=2, posts=3, comments=9)
    _type_week(
        community,
        SUNDAY,
        "enthusiast",
        members=3,
        active_members=3,
        contributors=2,
        posts=1,
        comments=4,
        replies_to_others=3,
        reactions_given=7,
        kudos_given=1,
        reads=10,
    )
    _type_week(community, SUNDAY, "shy", members=9, active_members=6, reads=120)
    # before the period: not counted
    _type_week(community, SUNDAY - timedelta(weeks=8), "enthusiast", members=1, posts=50)

    response = client_for(cast.manager).get(
        URL, {"community": community.slug, "by": "profile_type", "period": "4w"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["by"] == "profile_type"
    assert body["period"] == {
        "first": str(TODAY - timedelta(weeks=4) + timedelta(days=1)),
        "last": str(TODAY),
        "name": "4w",
    }
    assert body["evaluated_on"] == str(SUNDAY)
    assert body["members"] == 12
    by_type = {row["type"]: row for row in body["types"]}
    assert list(by_type) == [
        "enthusiast",
        "show_off",
        "shy",
        "indifferent",
        "jaded",
        "pragmatic",
        "new",
    ]
    assert by_type["enthusiast"] == {
        "type": "enthusiast",
        "label": "Enthusiast",
        "hidden": False,
        "members": 3,
        "share": 0.25,
        "active_share": 1.0,
        "contributors": 2,
        "content": 17,
        "replies_to_others": 3,
        "reactions_given": 7,
        "kudos_given": 1,
        "reads": 10,
        "weeks": [
            {
                "week": str(SUNDAY - timedelta(weeks=1)),
                "members": 2,
                "active_members": 0,
                "content": 12,
            },
            {"week": str(SUNDAY), "members": 3, "active_members": 3, "content": 5},
        ],
    }
    assert by_type["shy"]["active_share"] == pytest.approx(0.6667, abs=1e-4)
    assert by_type["jaded"]["members"] == 0


def test_organisation_wide_groups_under_the_minimum_are_hidden(superuser, settings):
    settings.CERCLE_METRICS_MIN_GROUP = 5
    _type_week(None, SUNDAY, "show_off", members=4, posts=40)
    _type_week(None, SUNDAY, "shy", members=30, reads=900)

    body = client_for(superuser).get(URL, {"by": "profile_type"}).json()

    by_type = {row["type"]: row for row in body["types"]}
    show_off = by_type["show_off"]
    assert show_off["hidden"] is True
    assert [show_off[name] for name in ("members", "share", "content", "reads")] == [None] * 4
    assert show_off["weeks"] == []
    assert by_type["shy"]["hidden"] is False
    assert by_type["shy"]["reads"] == 900


def test_a_communitys_managers_see_its_small_groups(cast, settings):
    settings.CERCLE_METRICS_MIN_GROUP = 5
    _type_week(cast.community, SUNDAY, "show_off", members=2, posts=10)

    body = client_for(cast.owner).get(URL, {"community": cast.community.slug}).json()

    show_off = next(row for row in body["types"] if row["type"] == "show_off")
    assert (show_off["hidden"], show_off["members"], show_off["content"]) == (False, 2, 10)


# --- Plain participation -----------------------------------------------------------------


def test_plain_participation_of_a_community_week_by_week(cast):
    community = cast.community
    monday = TODAY - timedelta(days=7)  # Monday 30 November: the last whole week
    for offset, (active, joined, content, delay) in enumerate(
        [(3, 1, 5, 600), (2, 0, 2, 1800), (4, 2, 7, None)]
    ):
        CommunityDay.objects.create(
            community=community,
            day=monday + timedelta(days=offset),
            active_members=active,
            new_members=joined,
            content=content,
            median_first_reply_seconds=delay,
        )
    CommunityDay.objects.create(community=community, day=TODAY, content=1, new_members=1)
    # another community's day: not counted
    CommunityDay.objects.create(community=make_cast().community, day=monday, content=99)
    # the same member on two days counts once in the week
    MemberDay.objects.create(user=cast.member, community=community, day=monday, posts=1)
    MemberDay.objects.create(
        user=cast.member, community=community, day=monday + timedelta(days=1), reads=1
    )
    MemberDay.objects.create(user=cast.owner, community=community, day=monday, comments=2)
    MemberDay.objects.create(user=cast.owner, community=None, day=monday, visits=1)
    MemberDay.objects.create(user=cast.manager, community=community, day=TODAY, reads=2)

    response = client_for(cast.manager).get(
        URL, {"community": community.slug, "by": "none", "period": "2026-11-30..2026-12-07"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "by": "none",
        "community": community.slug,
        "period": {"first": "2026-11-30", "last": "2026-12-07", "name": "2026-11-30..2026-12-07"},
        "active_members": 3,
        "content": 15,
        "new_members": 4,
        "weeks": [
            {
                "week": "2026-12-06",
                "first": "2026-11-30",
                "last": "2026-12-06",
                "active_members": 2,
                "content": 14,
                "new_members": 3,
                "median_first_reply_seconds": 1200,
            },
            {
                "week": "2026-12-13",
                "first": "2026-12-07",
                "last": "2026-12-07",
                "active_members": 1,
                "content": 1,
                "new_members": 1,
                "median_first_reply_seconds": None,
            },
        ],
    }


def test_plain_participation_of_the_organisation_reads_the_organisation_rows(cast, superuser):
    monday = TODAY - timedelta(days=7)
    MemberDay.objects.create(user=cast.member, community=None, day=monday, posts=2, comments=1)
    MemberDay.objects.create(user=cast.owner, community=None, day=monday, visits=1)
    # a community row is already in the organisation row: not counted twice
    MemberDay.objects.create(user=cast.member, community=cast.community, day=monday, posts=2)

    body = client_for(superuser).get(URL, {"by": "none", "period": "4w"}).json()

    assert body["community"] is None
    assert (body["active_members"], body["content"], body["new_members"]) == (2, 3, None)
    assert body["weeks"][-2] == {
        "week": "2026-12-06",
        "first": "2026-11-30",
        "last": "2026-12-06",
        "active_members": 2,
        "content": 3,
        "new_members": None,
        "median_first_reply_seconds": None,
    }
    assert len(body["weeks"]) == 5  # four weeks up to a Monday touch five Sunday-ending weeks


# --- Labelling off -----------------------------------------------------------------------


def test_with_labelling_off_by_profile_type_is_refused_on_by(cast, settings):
    settings.CERCLE_PROFILE_TYPES = False
    _type_week(cast.community, SUNDAY, "shy", members=3)

    response = client_for(cast.owner).get(
        URL, {"community": cast.community.slug, "by": "profile_type"}
    )

    assert response.status_code == 400
    assert "turned off" in response.json()["by"][0]


def test_with_labelling_off_participation_is_plain_by_default(cast, settings):
    settings.CERCLE_PROFILE_TYPES = False
    _type_week(cast.community, SUNDAY, "shy", members=3)

    body = client_for(cast.owner).get(URL, {"community": cast.community.slug}).json()

    assert body["by"] == "none"
    assert "types" not in body
    assert "weeks" in body


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "field", "message"),
    [
        ({"by": "department"}, 400, "by", '"department" is not a valid choice.'),
        (
            {"period": "3 months"},
            400,
            "period",
            "Use 4w, 13w, 26w, 52w, or a range of days as YYYY-MM-DD..YYYY-MM-DD.",
        ),
        (
            {"period": "2026-11-01..2026-12-31"},
            400,
            "period",
            "The period ends in the future; there are no figures yet.",
        ),
        (
            {"period": "2026-11-10..2026-11-01"},
            400,
            "period",
            "The period ends before it starts.",
        ),
        (
            {"community": "no-such-guild"},
            404,
            "community",
            "No community “no-such-guild” that you can see.",
        ),
    ],
)
def test_bad_input_names_the_field(cast, superuser, params, status, field, message):
    params = {"community": cast.community.slug, **params}

    response = client_for(superuser).get(URL, params)

    assert response.status_code == status, response.content
    assert response.json()[field] == [message]


def test_a_period_given_twice_is_refused(cast):
    response = client_for(cast.owner).get(
        f"{URL}?community={cast.community.slug}&period=4w&period=13w"
    )

    assert response.status_code == 400
    assert "period" in response.json()


# --- Query counts --------------------------------------------------------------------------


def _community_with_members(n: int):
    cast = make_cast()
    community = cast.community
    for _ in range(n):
        member = make_member(community, UserFactory())
        for day in (TODAY - timedelta(days=3), TODAY - timedelta(days=10)):
            MemberDay.objects.create(user=member, community=community, day=day, posts=1)
            MemberDay.objects.create(user=member, community=None, day=day, posts=1, visits=1)
    for week in (SUNDAY, SUNDAY - timedelta(weeks=1)):
        _type_week(community, week, "shy", members=n, reads=n)
        _type_week(None, week, "shy", members=n, reads=n)
        CommunityDay.objects.create(community=community, day=week, active_members=n, content=n)
    return cast


# (asker, params): queries, whatever the number of members
QUERY_COUNTS = {
    # the community, the asker's role in it, the figures
    "community by type": ("owner", {"by": "profile_type"}, 3),
    "community plain": ("owner", {"by": "none"}, 5),
    "organisation by type": ("superuser", {"by": "profile_type"}, 1),
    "organisation plain": ("superuser", {"by": "none"}, 2),
}


@pytest.mark.parametrize("members", [1, 20])
@pytest.mark.parametrize("case", list(QUERY_COUNTS))
def test_query_count_does_not_grow_with_members(
    case, members, superuser, django_assert_num_queries
):
    role, params, queries = QUERY_COUNTS[case]
    cast = _community_with_members(members)
    if role != "superuser":
        params = {**params, "community": cast.community.slug}
    client = client_as(role, cast, superuser)

    with django_assert_num_queries(queries):
        response = client.get(URL, params)

    assert response.status_code == 200, response.content
