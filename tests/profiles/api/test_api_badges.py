"""/api/v1/badges/ (definitions) and /api/v1/badges/{code}/holders/."""

import pytest

from profiles.models import Badge, BadgeAward
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(db):
    return Badge.objects.create(
        code="mentor", name="Mentor", description="Guides newcomers", icon="🧭", is_manual=True
    )


def test_badge_definitions_with_holder_counts(member_api_client, mentor):
    for level in (1, 2):
        BadgeAward.objects.create(badge=mentor, user=UserFactory(), level=level)
    response = member_api_client.get("/api/v1/badges/", {"page_size": 100})
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert rows["mentor"] == {
        "code": "mentor",
        "name": "Mentor",
        "description": "Guides newcomers",
        "icon": "🧭",
        "levels": [],
        "is_manual": True,
        "holder_count": 2,
    }


def test_rule_based_badges_are_listed(member_api_client):
    from profiles.recognition.badges import badges_ensure_definitions

    badges_ensure_definitions()
    codes = {
        row["code"]
        for row in member_api_client.get("/api/v1/badges/", {"page_size": 100}).json()["results"]
    }
    assert {"first_post", "helpful", "connector"} <= codes


def test_badge_holders_with_level_and_reason(member_api_client, mentor):
    ada = UserFactory(display_name="Ada")
    gone = UserFactory(display_name="Gone", is_active=False)
    BadgeAward.objects.create(badge=mentor, user=ada, level=1, reason="Onboarded five people")
    BadgeAward.objects.create(badge=mentor, user=gone, level=1)
    response = member_api_client.get("/api/v1/badges/mentor/holders/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["member"]["display_name"], r["level"], r["reason"]) for r in rows] == [
        ("Ada", 1, "Onboarded five people")
    ]


def test_holders_of_an_unknown_badge_is_404(member_api_client):
    response = member_api_client.get("/api/v1/badges/nope/holders/")
    assert response.status_code == 404
    assert response.json()["detail"] == "This badge does not exist."


def test_badges_need_authentication(api_client, mentor):
    assert api_client.get("/api/v1/badges/").status_code == 401
    assert api_client.get("/api/v1/badges/mentor/holders/").status_code == 401
