"""/api/v1/metrics/members/{id}/profile-type/: a member's type for the managers of their
community (and superusers), with why, since when, the last weeks and the override; POST
sets an override with a reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import ProfileLabel, ProfileTypeOverride, ProfileTypeWeek
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import UserFactory, make_community, make_member
from tests.metrics.api.conftest import SUNDAY, client_as

pytestmark = pytest.mark.django_db


def url(user) -> str:
    return f"/api/v1/metrics/members/{user.pk}/profile-type/"


def _labels(user, community, *, weeks: int = 1, type="shy", computed_type=None):
    """``weeks`` weekly labels up to :data:`SUNDAY`, the same type each week."""
    for back in range(weeks - 1, -1, -1):
        ProfileLabel.objects.create(
            user=user,
            community=community,
            week=SUNDAY - timedelta(weeks=back),
            computed_type=computed_type or type,
            type=type,
            since=SUNDAY - timedelta(weeks=weeks - 1),
            reasons=[["reads_writes", {"reads": 212, "writes": 1}], ["reads_top_quarter", {}]],
            signals={"reads": 212},
        )


# --- Who may see a type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", 200),
        ("owner", 200),
        ("manager", 200),
        ("moderator", 403),
        ("member", 403),  # the member themselves included
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_a_members_type_is_for_the_communitys_managers(cast, superuser, role, expected):
    _labels(cast.member, cast.community)

    response = client_as(role, cast, superuser).get(
        url(cast.member), {"community": cast.community.slug}
    )

    assert response.status_code == expected, response.content
    body = response.json()
    if expected == 200:
        assert body["type"] == "shy"
    else:
        assert "type" not in body
        assert "shy" not in response.content.decode()


def test_a_member_never_sees_a_colleagues_type(cast):
    _labels(cast.owner, cast.community, type="enthusiast")

    response = client_for(cast.member).get(url(cast.owner), {"community": cast.community.slug})

    assert response.status_code == 403
    assert "enthusiast" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"), [("superuser", 200), ("owner", 403), ("member", 403), ("anonymous", 401)]
)
def test_organisation_wide_types_are_for_superusers(cast, superuser, role, expected):
    _labels(cast.member, None, type="pragmatic")

    response = client_as(role, cast, superuser).get(url(cast.member))

    assert response.status_code == expected, response.content
    if expected == 200:
        assert (response.json()["type"], response.json()["community"]) == ("pragmatic", None)


@pytest.mark.parametrize(("role", "expected"), [("owner", 200), ("member", 403), ("outsider", 404)])
def test_a_secret_community_is_unknown_to_outsiders(secret_cast, superuser, role, expected):
    _labels(secret_cast.member, secret_cast.community)

    response = client_as(role, secret_cast, superuser).get(
        url(secret_cast.member), {"community": secret_cast.community.slug}
    )

    assert response.status_code == expected
    if expected == 404:
        assert response.json()["community"]


def test_a_manager_cannot_look_at_someone_outside_their_community(cast):
    stranger = UserFactory()
    other = make_community()
    make_member(other, stranger)
    _labels(stranger, other)
    _labels(stranger, None)

    response = client_for(cast.owner).get(url(stranger), {"community": cast.community.slug})

    assert response.status_code == 404
    assert response.json()["detail"] == "No such member in this community."


def test_a_manager_cannot_reach_another_communitys_types_through_their_own(cast):
    other = make_community()
    _labels(cast.member, other)

    response = client_for(cast.owner).get(url(cast.member), {"community": other.slug})

    assert response.status_code == 403


def test_an_unknown_member_is_404(superuser):
    response = client_for(superuser).get("/api/v1/metrics/members/987654/profile-type/")

    assert response.status_code == 404


# --- What managers see ---------------------------------------------------------------------


def test_managers_see_the_type_why_since_when_the_last_weeks_and_the_override(cast):
    _labels(cast.member, cast.community, weeks=14, type="shy")
    ProfileTypeOverride.objects.create(
        user=cast.member,
        community=cast.community,
        type="pragmatic",
        reason="Answers by email, I know her",
        computed_type="shy",
        author=cast.manager,
    )
    # an ended override is history, not shown
    ProfileTypeOverride.objects.create(
        user=cast.member,
        community=cast.community,
        type="jaded",
        reason="old",
        computed_type="shy",
        author=cast.owner,
        ended_at=timezone.now(),
    )

    response = client_for(cast.owner).get(url(cast.member), {"community": cast.community.slug})

    assert response.status_code == 200
    body = response.json()
    override = body.pop("override")
    history = body.pop("history")
    assert body == {
        "member": {"id": cast.member.pk, "display_name": cast.member.display_name},
        "community": cast.community.slug,
        "type": "pragmatic",
        "label": "Pragmatic",
        "computed_type": "shy",
        "since": str(SUNDAY - timedelta(weeks=13)),
        "evaluated_on": str(SUNDAY),
        "reasons": ["read 212 posts, wrote 1 post or reply", "reads put them in the top quarter"],
    }
    assert len(history) == 12
    assert history[0] == {"week": str(SUNDAY - timedelta(weeks=11)), "type": "shy"}
    assert history[-1] == {"week": str(SUNDAY), "type": "shy"}
    assert override["type"] == "pragmatic"
    assert override["reason"] == "Answers by email, I know her"
    assert override["author"] == cast.manager.display_name
    assert override["created_at"]


def test_a_member_not_evaluated_yet_has_no_type(cast):
    response = client_for(cast.owner).get(url(cast.member), {"community": cast.community.slug})

    assert response.status_code == 200
    body = response.json()
    assert (body["type"], body["label"], body["evaluated_on"], body["override"]) == (
        None,
        None,
        None,
        None,
    )
    assert (body["history"], body["reasons"]) == ([], [])


# --- Overrides -----------------------------------------------------------------------------


def test_a_manager_overrides_a_type_with_a_reason(cast):
    _labels(cast.member, cast.community, type="shy")
    ProfileTypeWeek.objects.create(community=cast.community, week=SUNDAY, type="shy", members=1)

    response = client_for(cast.manager).post(
        f"{url(cast.member)}?community={cast.community.slug}",
        {"type": "pragmatic", "reason": "  She answers by phone  "},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["computed_type"]) == ("pragmatic", "shy")
    assert body["override"]["reason"] == "She answers by phone"
    assert body["override"]["author"] == cast.manager.display_name
    override = ProfileTypeOverride.objects.get(user=cast.member, ended_at__isnull=True)
    assert (override.community, override.author, override.type) == (
        cast.community,
        cast.manager,
        "pragmatic",
    )
    # the week's figures follow the correction at once
    weeks = ProfileTypeWeek.objects.filter(community=cast.community, week=SUNDAY)
    assert {week.type: week.members for week in weeks if week.members} == {"pragmatic": 1}


def test_a_new_override_ends_the_open_one(cast):
    _labels(cast.member, cast.community, type="shy")
    client = client_for(cast.owner)
    target = f"{url(cast.member)}?community={cast.community.slug}"

    client.post(target, {"type": "pragmatic", "reason": "first"}, format="json")
    response = client.post(target, {"type": "enthusiast", "reason": "second"}, format="json")

    assert response.status_code == 201
    assert response.json()["type"] == "enthusiast"
    overrides = ProfileTypeOverride.objects.filter(user=cast.member)
    assert overrides.count() == 2
    assert overrides.filter(ended_at__isnull=True).get().reason == "second"


def test_a_superuser_overrides_organisation_wide(cast, superuser):
    _labels(cast.member, None, type="indifferent")

    response = client_for(superuser).post(
        url(cast.member), {"type": "shy", "reason": "Reads everything"}, format="json"
    )

    assert response.status_code == 201
    assert ProfileTypeOverride.objects.get(user=cast.member).community is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "pragmatic"}, "reason"),
        ({"type": "pragmatic", "reason": ""}, "reason"),
        ({"type": "pragmatic", "reason": "   "}, "reason"),
        ({"type": "wizard", "reason": "Because"}, "type"),
        ({"type": "new", "reason": "Because"}, "type"),
        ({"reason": "Because"}, "type"),
        ({"type": "pragmatic", "reason": "x" * 1001}, "reason"),
        ({"type": 3, "reason": "Because"}, "type"),
    ],
)
def test_a_bad_override_names_the_field_and_writes_nothing(cast, payload, field):
    _labels(cast.member, cast.community)

    response = client_for(cast.owner).post(
        f"{url(cast.member)}?community={cast.community.slug}", payload, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert not ProfileTypeOverride.objects.exists()


def test_a_member_not_evaluated_yet_cannot_be_overridden(cast):
    response = client_for(cast.owner).post(
        f"{url(cast.member)}?community={cast.community.slug}",
        {"type": "shy", "reason": "Reads a lot"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["user"] == ["This member has not been evaluated yet."]
    assert not ProfileTypeOverride.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("moderator", 403), ("member", 403), ("outsider", 403), ("anonymous", 401)],
)
def test_only_managers_override(cast, superuser, role, expected):
    _labels(cast.member, cast.community)

    response = client_as(role, cast, superuser).post(
        f"{url(cast.member)}?community={cast.community.slug}",
        {"type": "enthusiast", "reason": "I like them"},
        format="json",
    )

    assert response.status_code == expected
    assert not ProfileTypeOverride.objects.exists()


def test_an_override_in_an_unknown_community_is_404_and_writes_nothing(cast, superuser):
    _labels(cast.member, cast.community)

    response = client_for(superuser).post(
        f"{url(cast.member)}?community=nowhere", {"type": "shy", "reason": "x"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["community"] == ["No community “nowhere” that you can see."]
    assert not ProfileTypeOverride.objects.exists()


# --- Labelling off ---------------------------------------------------------------------------


def test_with_labelling_off_there_is_no_type_to_read_or_set(cast, settings):
    settings.CERCLE_PROFILE_TYPES = False
    _labels(cast.member, cast.community)
    client = client_for(cast.owner)
    target = f"{url(cast.member)}?community={cast.community.slug}"

    read = client.get(target)
    write = client.post(target, {"type": "enthusiast", "reason": "Because"}, format="json")

    for response in (read, write):
        assert response.status_code == 404
        assert response.json() == {
            "detail": "Profile types are turned off in this organisation.",
            "code": "profile_types_disabled",
        }
    assert not ProfileTypeOverride.objects.exists()


def test_with_labelling_off_members_are_still_refused(cast, settings):
    settings.CERCLE_PROFILE_TYPES = False

    response = client_for(cast.member).get(url(cast.member), {"community": cast.community.slug})

    assert response.status_code == 403


# --- Query counts --------------------------------------------------------------------------


def _community_of(n: int):
    cast = make_cast()
    for _ in range(n):
        colleague = make_member(cast.community)
        _labels(colleague, cast.community, weeks=3)
    _labels(cast.member, cast.community, weeks=n)
    ProfileTypeOverride.objects.create(
        user=cast.member,
        community=cast.community,
        type="pragmatic",
        reason="known",
        computed_type="shy",
        author=cast.manager,
    )
    return cast


@pytest.mark.parametrize("members", [1, 20])
def test_reading_a_type_costs_the_same_whatever_the_community_size(
    members, django_assert_num_queries
):
    cast = _community_of(members)
    client = client_for(cast.owner)

    # the community, the asker's role, the member, their labels, the open override
    with django_assert_num_queries(5):
        response = client.get(url(cast.member), {"community": cast.community.slug})

    assert response.status_code == 200


@pytest.mark.parametrize("members", [1, 20])
def test_setting_a_type_costs_the_same_whatever_the_community_size(
    members, django_assert_num_queries
):
    cast = _community_of(members)
    client = client_for(cast.owner)

    with django_assert_num_queries(15):
        response = client.post(
            f"{url(cast.member)}?community={cast.community.slug}",
            {"type": "enthusiast", "reason": "Because"},
            format="json",
        )

    assert response.status_code == 201


def test_the_reasons_read_in_the_managers_language(cast):
    _labels(cast.member, cast.community)

    response = client_for(cast.owner).get(
        url(cast.member), {"community": cast.community.slug}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 200
    assert response.json()["reasons"] == [
        "a lu 212 publications, a écrit 1 publication ou réponse",
        "ses lectures le placent dans le quart supérieur",
    ]
