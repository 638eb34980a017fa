"""The OpenAPI schema documents the metrics API without a warning, and the API root links
to it."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_documents_every_metrics_answer(tmp_path):
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
    paths = schema["paths"]
    participation = paths["/api/v1/metrics/participation/"]["get"]
    assert {p["name"] for p in participation["parameters"]} >= {"community", "by", "period"}
    assert set(participation["responses"]) >= {"200", "400", "401", "403", "404"}
    answer = participation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/Participation"}
    assert schema["components"]["schemas"]["Participation"]["oneOf"] == [
        {"$ref": "#/components/schemas/ParticipationByType"},
        {"$ref": "#/components/schemas/ParticipationPlain"},
    ]
    profile_type = paths["/api/v1/metrics/members/{user_id}/profile-type/"]
    assert set(profile_type["get"]["responses"]) >= {"200", "400", "401", "403", "404"}
    assert set(profile_type["post"]["responses"]) >= {"201", "400", "401", "403", "404"}
    activity = paths["/api/v1/metrics/activity/me/"]["get"]
    assert set(activity["responses"]) >= {"200", "400", "401"}


def test_the_api_root_links_to_the_metrics(api_client):
    body = api_client.get("/api/v1/").json()

    assert body["participation"].endswith("/api/v1/metrics/participation/")
    assert body["my_activity"].endswith("/api/v1/metrics/activity/me/")
