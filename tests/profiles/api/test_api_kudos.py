"""/api/v1/kudos/: giving kudos and reading them by giver or recipient."""

import pytest

from communities.models import Community, Post
from profiles.models import Kudos
from profiles.recognition.kudos import kudos_give, kudos_hide
from tests.factories import UserFactory, make_community, make_member
from tests.profiles.api.conftest import client_for

pytestmark = pytest.mark.django_db

KUDOS = "/api/v1/kudos/"


def _give(client, recipients, **extra):
    payload = {"recipients": recipients, "value": "helpful", "message": "Thanks!", **extra}
    return client.post(KUDOS, payload, format="json")


def test_give_kudos_to_colleagues(member_api_client, user, other_user):
    third = UserFactory(display_name="Zoé Petit")
    response = _give(member_api_client, [other_user.pk, third.pk], message="Great release")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["giver"]["id"] == user.pk
    assert {r["id"] for r in body["recipients"]} == {other_user.pk, third.pk}
    assert (body["value"], body["message"], body["community"]) == (
        "helpful",
        "Great release",
        None,
    )
    assert Kudos.objects.get().recipients.count() == 2


def test_kudos_to_yourself_is_400_with_a_field_message(member_api_client, user, other_user):
    response = _give(member_api_client, [other_user.pk, user.pk])
    assert response.status_code == 400
    assert response.json()["recipients"] == ["You cannot give kudos to yourself."]
    assert not Kudos.objects.exists()


def test_over_the_daily_cap_is_429_with_the_reason(member_api_client, settings):
    settings.CERCLE_KUDOS_DAILY_CAP = 2
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    assert _give(member_api_client, [first.pk, second.pk]).status_code == 201

    response = _give(member_api_client, [third.pk])
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited"
    assert "at most 2 colleagues a day" in body["detail"]
    assert "0 left" in body["detail"]
    assert Kudos.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "bribery"}, "value"),
        ({"message": ""}, "message"),
        ({"message": "x" * 1001}, "message"),
        ({"recipients": []}, "recipients"),
        ({"recipients": "everyone"}, "recipients"),
        ({"recipients": [987654]}, "recipients"),
        ({"recipients": [2**70]}, "recipients"),
        ({"community": "no-such-place"}, "community"),
    ],
)
def test_malformed_kudos_are_400_and_write_nothing(member_api_client, other_user, payload, field):
    data = {"recipients": [other_user.pk], "value": "helpful", "message": "Thanks!", **payload}
    response = member_api_client.post(KUDOS, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Kudos.objects.exists()


def test_kudos_shared_in_a_community_publishes_a_post(user, other_user):
    community = make_community(owner=user, name="Guild")
    make_member(community, other_user)
    response = _give(client_for(user), [other_user.pk], community=community.slug)
    assert response.status_code == 201
    assert response.json()["community"]["slug"] == community.slug
    post = Post.objects.get(pk=response.json()["post"])
    assert post.community == community and post.author == user


def test_sharing_kudos_where_you_are_not_a_member_is_403(member_api_client, other_user):
    community = make_community(name="Not mine")
    response = _give(member_api_client, [other_user.pk], community=community.slug)
    assert response.status_code == 403
    assert not Kudos.objects.exists()


def test_sharing_kudos_in_a_secret_community_you_cannot_see_is_400(member_api_client, other_user):
    secret = make_community(name="Hush", visibility=Community.Visibility.SECRET)
    response = _give(member_api_client, [other_user.pk], community=secret.slug)
    assert response.status_code == 400
    assert "community" in response.json()


def test_list_filters_by_giver_and_recipient(member_api_client, user, other_user):
    third = UserFactory()
    kudos_give(giver=user, recipients=[other_user], value="helpful", message="One")
    kudos_give(giver=other_user, recipients=[third], value="teamwork", message="Two")
    kudos_give(giver=third, recipients=[user, other_user], value="innovation", message="Three")

    def messages(query):
        response = member_api_client.get(KUDOS, query)
        assert response.status_code == 200
        return [k["message"] for k in response.json()["results"]]

    assert messages({}) == ["Three", "Two", "One"]
    assert messages({"giver": other_user.pk}) == ["Two"]
    assert messages({"recipient": other_user.pk}) == ["Three", "One"]
    assert messages({"giver": third.pk, "recipient": user.pk}) == ["Three"]
    assert messages({"recipient": 987654}) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"giver": "me"}, "giver"), ({"recipient": "-3"}, "recipient"), ({"from": "1"}, "from")],
)
def test_malformed_or_unknown_kudos_filters_are_400(member_api_client, query, field):
    response = member_api_client.get(KUDOS, query)
    assert response.status_code == 400
    assert field in response.json()


def test_hidden_kudos_are_not_listed(member_api_client, user, other_user):
    staff = UserFactory(is_staff=True)
    kudos = kudos_give(giver=other_user, recipients=[user], value="helpful", message="Hidden")
    kudos_hide(actor=staff, kudos=kudos)
    assert member_api_client.get(KUDOS).json()["results"] == []


# Who may read kudos shared in a community: the community's readers only.
@pytest.mark.parametrize(
    ("visibility", "viewer", "listed"),
    [
        (Community.Visibility.PUBLIC, "member", True),
        (Community.Visibility.PUBLIC, "outsider", True),
        (Community.Visibility.PRIVATE, "member", True),
        (Community.Visibility.PRIVATE, "outsider", False),
        (Community.Visibility.SECRET, "member", True),
        (Community.Visibility.SECRET, "outsider", False),
        (Community.Visibility.SECRET, "recipient_outsider", False),
    ],
)
def test_kudos_shared_in_a_community_are_listed_to_its_readers_only(visibility, viewer, listed):
    giver = UserFactory()
    community = make_community(owner=giver, visibility=visibility)
    member = make_member(community)
    recipient_outsider = UserFactory()
    kudos_give(
        giver=giver,
        recipients=[member, recipient_outsider],
        value="helpful",
        message="Shared praise",
        community=community,
    )
    people = {"member": member, "outsider": UserFactory(), "recipient_outsider": recipient_outsider}
    results = client_for(people[viewer]).get(KUDOS).json()["results"]
    assert [k["message"] for k in results] == (["Shared praise"] if listed else [])
