"""/api/v1/profiles/ (the directory) and /api/v1/profiles/{id}/ (a profile)."""

import pytest

from communities.models import Community
from profiles.models import Badge, BadgeAward, Follow
from profiles.recognition.kudos import kudos_give
from profiles.services import user_profile_update
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.profiles.api.conftest import client_for

pytestmark = pytest.mark.django_db

DIRECTORY = "/api/v1/profiles/"


def _names(response) -> list[str]:
    return [person["display_name"] for person in response.json()["results"]]


@pytest.fixture
def people(db):
    ada = UserFactory(display_name="Ada Lovelace", department="Research", job_title="Analyst")
    user_profile_update(
        user=ada, skills=["Python", "Maths"], interests=["Poetry"], location="London"
    )
    grace = UserFactory(display_name="Grace Hopper", department="Engineering")
    user_profile_update(user=grace, skills=["COBOL"], interests=["Sailing"], location="New York")
    gone = UserFactory(display_name="Gone Member", is_active=False)
    return ada, grace, gone


def test_directory_lists_active_members_only(member_api_client, people):
    response = member_api_client.get(DIRECTORY)
    assert response.status_code == 200
    names = _names(response)
    assert {"Ada Lovelace", "Grace Hopper", "Camille Martin"} <= set(names)
    assert "Gone Member" not in names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "lovelace"}, ["Ada Lovelace"]),
        ({"search": "analyst"}, ["Ada Lovelace"]),
        ({"department": "research"}, ["Ada Lovelace"]),
        ({"skill": "cobol"}, ["Grace Hopper"]),
        ({"interest": "Poetry"}, ["Ada Lovelace"]),
        ({"location": "york"}, ["Grace Hopper"]),
        ({"skill": "Haskell"}, []),
        ({"department": "Research", "skill": "COBOL"}, []),
    ],
)
def test_directory_filters(member_api_client, people, query, expected):
    response = member_api_client.get(DIRECTORY, query)
    assert response.status_code == 200
    assert _names(response) == expected


def test_directory_rows_say_how_the_viewer_relates(member_api_client, user, people):
    ada, _grace, _gone = people
    Follow.objects.create(follower=user, followed=ada)
    row = member_api_client.get(DIRECTORY, {"search": "Ada"}).json()["results"][0]
    assert row["is_followed"] is True
    assert row["follows_you"] is False
    assert row["follower_count"] == 1
    assert row["avatar"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"skil": "Python"}, "skil"),
        ({"team": "Research"}, "team"),
        ({"search": "x" * 121}, "search"),
    ],
)
def test_unknown_or_malformed_filters_are_400(member_api_client, query, field):
    response = member_api_client.get(DIRECTORY, query)
    assert response.status_code == 400
    assert field in response.json()


def test_directory_pages(member_api_client, people):
    body = member_api_client.get(DIRECTORY, {"page_size": 1}).json()
    assert body["count"] >= 3
    assert len(body["results"]) == 1
    assert body["next"]


def test_directory_needs_authentication(api_client):
    assert api_client.get(DIRECTORY).status_code == 401


def test_profile_shows_skills_badges_kudos_and_reputation(member_api_client, user, people):
    ada, grace, _gone = people
    user_profile_update(user=ada, bio="Wrote the *first* program.", languages=["en", "fr"])
    kudos_give(giver=grace, recipients=[ada], value="helpful", message="Thanks for the maths")
    kudos_give(giver=user, recipients=[ada], value="innovation", message="Brilliant")
    badge = Badge.objects.create(
        code="pioneer", name="Pioneer", description="First", is_manual=True
    )
    BadgeAward.objects.create(badge=badge, user=ada, level=1, reason="The first")

    response = member_api_client.get(f"/api/v1/profiles/{ada.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Ada Lovelace"
    assert body["skills"] == ["Maths", "Python"]
    assert body["interests"] == ["Poetry"]
    assert body["languages"] == ["en", "fr"]
    assert "<em>first</em>" in body["bio_html"]
    assert [b["code"] for b in body["badges"]] == ["pioneer"]
    assert body["kudos_received"] == {
        "total": 2,
        "givers": 2,
        "by_value": {"helpful": 1, "innovation": 1},
    }
    reputation = body["reputation"]
    kudos_line = next(line for line in reputation["breakdown"] if line["code"] == "kudos_peers")
    assert kudos_line["count"] == 2
    assert reputation["total"] == sum(line["points"] for line in reputation["breakdown"]) > 0


def test_reputation_hidden_from_others_when_public_recognition_is_off(
    member_api_client, user, people, settings
):
    settings.CERCLE_PUBLIC_RECOGNITION = False
    ada, _grace, _gone = people
    assert member_api_client.get(f"/api/v1/profiles/{ada.pk}/").json()["reputation"] is None
    # The member still sees their own score.
    own = member_api_client.get(f"/api/v1/profiles/{user.pk}/").json()
    assert own["reputation"]["public"] is False


def test_profile_of_unknown_or_deactivated_member_is_404(member_api_client, people):
    _ada, _grace, gone = people
    assert member_api_client.get(f"/api/v1/profiles/{gone.pk}/").status_code == 404
    assert member_api_client.get("/api/v1/profiles/999999/").status_code == 404
    assert member_api_client.get(f"/api/v1/profiles/{2**70}/").status_code == 404


def test_profile_does_not_reveal_secret_communities_or_their_posts(user, member_api_client):
    author = UserFactory(display_name="Secret Keeper")
    secret = make_community(owner=author, name="Hidden Lab", visibility=Community.Visibility.SECRET)
    make_post(secret, author=author, title="Classified plans")
    public = make_community(owner=author, name="Open Forum")
    make_post(public, author=author, title="Hello all")

    body = member_api_client.get(f"/api/v1/profiles/{author.pk}/").json()
    assert [c["name"] for c in body["communities"]] == ["Open Forum"]
    assert [c["post"]["title"] for c in body["recent_contributions"]] == ["Hello all"]

    make_member(secret, user)
    body = member_api_client.get(f"/api/v1/profiles/{author.pk}/").json()
    assert {c["name"] for c in body["communities"]} == {"Open Forum", "Hidden Lab"}
    assert {c["post"]["title"] for c in body["recent_contributions"]} == {
        "Hello all",
        "Classified plans",
    }


def test_profile_of_a_colleague_is_readable_by_any_member(people):
    ada, grace, _gone = people
    assert client_for(grace).get(f"/api/v1/profiles/{ada.pk}/").status_code == 200


def test_kudos_summary_counts_only_kudos_the_viewer_may_read(member_api_client, user):
    giver = UserFactory()
    secret = make_community(owner=giver, visibility=Community.Visibility.SECRET)
    praised = make_member(secret, UserFactory())
    kudos_give(
        giver=giver, recipients=[praised], value="helpful", message="Secret", community=secret
    )
    kudos_give(giver=giver, recipients=[praised], value="teamwork", message="Open")

    summary = member_api_client.get(f"/api/v1/profiles/{praised.pk}/").json()["kudos_received"]
    assert summary == {"total": 1, "givers": 1, "by_value": {"teamwork": 1}}
    summary = client_for(giver).get(f"/api/v1/profiles/{praised.pk}/").json()["kudos_received"]
    assert summary["by_value"] == {"helpful": 1, "teamwork": 1}
