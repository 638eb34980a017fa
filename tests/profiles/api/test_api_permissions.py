"""Who may call each profiles endpoint: any signed-in member (allowed rows), nobody
anonymous (denied rows: 401, which tells a mobile client to log in again)."""

import pytest

from profiles.models import Badge
from tests.factories import UserFactory, make_community, make_member
from tests.profiles.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    owner = UserFactory()
    community = make_community(owner=owner, name="Guild")
    colleague = make_member(community, UserFactory())
    Badge.objects.create(code="mentor", name="Mentor", description="d", is_manual=True)
    return {"owner": owner, "colleague": colleague, "community": community}


def _calls(world):
    colleague = world["colleague"].pk
    slug = world["community"].slug
    return [
        ("get", "/api/v1/me/", None, 200),
        ("patch", "/api/v1/me/", {"location": "Lyon"}, 200),
        ("delete", "/api/v1/me/avatar/", None, 204),
        ("get", "/api/v1/profiles/", None, 200),
        ("get", f"/api/v1/profiles/{colleague}/", None, 200),
        ("post", f"/api/v1/profiles/{colleague}/follow/", None, 200),
        ("delete", f"/api/v1/profiles/{colleague}/follow/", None, 200),
        ("get", f"/api/v1/profiles/{colleague}/followers/", None, 200),
        ("get", f"/api/v1/profiles/{colleague}/following/", None, 200),
        ("get", f"/api/v1/profiles/{colleague}/connection/", None, 200),
        ("get", f"/api/v1/profiles/{colleague}/timeline/", None, 200),
        ("post", "/api/v1/topics/python/follow/", None, 200),
        ("delete", "/api/v1/topics/python/follow/", None, 200),
        ("get", "/api/v1/kudos/", None, 200),
        (
            "post",
            "/api/v1/kudos/",
            {"recipients": [colleague], "value": "helpful", "message": "Thanks"},
            201,
        ),
        ("get", "/api/v1/badges/", None, 200),
        ("get", "/api/v1/badges/mentor/holders/", None, 200),
        ("get", "/api/v1/experts/?topic=python", None, 200),
        ("get", "/api/v1/people-you-may-know/", None, 200),
        ("get", f"/api/v1/communities/{slug}/leaderboard/", None, 200),
    ]


CALL_COUNT = 20


@pytest.mark.parametrize("index", range(CALL_COUNT))
@pytest.mark.parametrize("who", ["member", "anonymous"])
def test_endpoint_allows_members_and_denies_anonymous_callers(world, api_client, who, index):
    calls = _calls(world)
    assert len(calls) == CALL_COUNT
    method, url, data, allowed_status = calls[index]
    client = client_for(UserFactory()) if who == "member" else api_client
    response = getattr(client, method)(url, data, format="json")
    expected = allowed_status if who == "member" else 401
    assert response.status_code == expected, response.content
