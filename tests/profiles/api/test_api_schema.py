"""The OpenAPI schema documents the profiles API without a warning, and the API root
links to its resources."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/me/",
    "/api/v1/me/avatar/",
    "/api/v1/profiles/",
    "/api/v1/profiles/{user_id}/",
    "/api/v1/profiles/{user_id}/avatar/",
    "/api/v1/profiles/{user_id}/follow/",
    "/api/v1/profiles/{user_id}/followers/",
    "/api/v1/profiles/{user_id}/following/",
    "/api/v1/profiles/{user_id}/connection/",
    "/api/v1/profiles/{user_id}/timeline/",
    "/api/v1/topics/{name}/follow/",
    "/api/v1/kudos/",
    "/api/v1/badges/",
    "/api/v1/badges/{code}/holders/",
    "/api/v1/experts/",
    "/api/v1/people-you-may-know/",
    "/api/v1/communities/{slug}/leaderboard/",
]


def test_schema_generates_without_warnings_and_lists_the_profile_endpoints(tmp_path):
    target = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(target),
    )
    schema = json.loads(target.read_text())
    for path in PATHS:
        assert path in schema["paths"], path
    directory = {p["name"] for p in schema["paths"]["/api/v1/profiles/"]["get"]["parameters"]}
    assert directory >= {"search", "department", "skill", "interest", "location", "page"}
    kudos = {p["name"] for p in schema["paths"]["/api/v1/kudos/"]["get"]["parameters"]}
    assert kudos >= {"giver", "recipient", "cursor"}
    assert "429" in schema["paths"]["/api/v1/kudos/"]["post"]["responses"]
    assert schema["components"]["schemas"]["KudosCreateInput"]["properties"]["value"]["description"]


def test_api_root_links_to_the_profile_resources(api_client):
    body = api_client.get("/api/v1/").json()
    assert body["profiles"].endswith("/api/v1/profiles/")
    assert body["kudos"].endswith("/api/v1/kudos/")
    assert body["badges"].endswith("/api/v1/badges/")
    assert body["experts"].endswith("/api/v1/experts/")
    assert body["people_you_may_know"].endswith("/api/v1/people-you-may-know/")
