"""Following people and #topics through the API."""

import pytest

from profiles.models import Follow, TopicFollow
from tests.factories import UserFactory
from tests.profiles.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_follow_and_unfollow_a_colleague(member_api_client, user, other_user):
    url = f"/api/v1/profiles/{other_user.pk}/follow/"
    response = member_api_client.post(url)
    assert response.status_code == 200
    assert response.json()["following"] is True
    assert "Lucas Bernard" in response.json()["detail"]
    # Following again is harmless.
    assert member_api_client.post(url).status_code == 200
    assert Follow.objects.filter(follower=user, followed=other_user).count() == 1

    response = member_api_client.delete(url)
    assert response.status_code == 200
    assert response.json()["following"] is False
    assert not Follow.objects.filter(follower=user, followed=other_user).exists()
    assert member_api_client.delete(url).status_code == 200


def test_following_yourself_is_400(member_api_client, user):
    response = member_api_client.post(f"/api/v1/profiles/{user.pk}/follow/")
    assert response.status_code == 400
    assert response.json()["detail"] == "You cannot follow yourself."
    assert not Follow.objects.exists()


def test_following_a_deactivated_or_unknown_member_is_404(member_api_client):
    gone = UserFactory(is_active=False)
    assert member_api_client.post(f"/api/v1/profiles/{gone.pk}/follow/").status_code == 404
    assert member_api_client.post("/api/v1/profiles/987654/follow/").status_code == 404
    assert not Follow.objects.exists()


def test_anonymous_cannot_follow(api_client, other_user):
    assert api_client.post(f"/api/v1/profiles/{other_user.pk}/follow/").status_code == 401


def test_followers_and_following_lists(user, other_user):
    third = UserFactory(display_name="Zoé Petit")
    client_for(user).post(f"/api/v1/profiles/{other_user.pk}/follow/")
    client_for(third).post(f"/api/v1/profiles/{other_user.pk}/follow/")
    client = client_for(third)

    followers = client.get(f"/api/v1/profiles/{other_user.pk}/followers/").json()
    assert {p["display_name"] for p in followers["results"]} == {"Camille Martin", "Zoé Petit"}
    following = client.get(f"/api/v1/profiles/{user.pk}/following/").json()
    assert [p["display_name"] for p in following["results"]] == ["Lucas Bernard"]
    assert client.get(f"/api/v1/profiles/{third.pk}/followers/").json()["results"] == []


def test_follow_lists_of_unknown_member_are_404(member_api_client):
    assert member_api_client.get("/api/v1/profiles/424242/followers/").status_code == 404
    assert member_api_client.get("/api/v1/profiles/424242/following/").status_code == 404


def test_follow_and_unfollow_a_topic(member_api_client, user):
    response = member_api_client.post("/api/v1/topics/DevOps/follow/")
    assert response.status_code == 200
    assert response.json() == {"topic": "devops", "following": True}
    assert TopicFollow.objects.filter(user=user, topic__name="devops").exists()

    response = member_api_client.delete("/api/v1/topics/devops/follow/")
    assert response.status_code == 200
    assert response.json() == {"topic": "devops", "following": False}
    assert not TopicFollow.objects.filter(user=user).exists()


@pytest.mark.parametrize("name", ["42", "a" * 80, "no%20spaces"])
def test_malformed_topic_names_are_400(member_api_client, name):
    response = member_api_client.post(f"/api/v1/topics/{name}/follow/")
    assert response.status_code == 400
    assert "topic" in response.json()
    assert not TopicFollow.objects.exists()
