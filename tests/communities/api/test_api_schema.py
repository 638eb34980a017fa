"""The OpenAPI schema documents the communities API without a warning, and the API root
links to its resources."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_and_lists_the_endpoints(tmp_path):
    target = tmp_path / "schema.json"
    # --fail-on-warn turns any warning (an undocumented field, an enum clash) into an error.
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
    for path in [
        "/api/v1/communities/",
        "/api/v1/communities/{slug}/",
        "/api/v1/communities/{slug}/members/",
        "/api/v1/communities/{slug}/members/{user_id}/role/",
        "/api/v1/communities/{slug}/members/{user_id}/ban/",
        "/api/v1/communities/{slug}/join/",
        "/api/v1/communities/{slug}/leave/",
        "/api/v1/communities/{slug}/request/",
        "/api/v1/communities/{slug}/requests/",
        "/api/v1/communities/{slug}/requests/{request_id}/approve/",
        "/api/v1/communities/{slug}/requests/{request_id}/decline/",
        "/api/v1/communities/{slug}/invite/",
        "/api/v1/communities/{slug}/elections/",
        "/api/v1/communities/{slug}/elections/{election_id}/vote/",
        "/api/v1/communities/{slug}/elections/{election_id}/close/",
        "/api/v1/invitations/",
        "/api/v1/invitations/{invitation_id}/accept/",
        "/api/v1/invitations/{invitation_id}/decline/",
        "/api/v1/posts/",
        "/api/v1/posts/{post_id}/",
        "/api/v1/posts/{post_id}/comments/",
        "/api/v1/posts/{post_id}/reactions/",
        "/api/v1/posts/{post_id}/poll/vote/",
        "/api/v1/posts/{post_id}/rsvp/",
        "/api/v1/posts/{post_id}/accept-answer/",
        "/api/v1/posts/{post_id}/flag/",
        "/api/v1/comments/{comment_id}/",
        "/api/v1/comments/{comment_id}/reactions/",
        "/api/v1/comments/{comment_id}/flag/",
        "/api/v1/moderation/flags/",
        "/api/v1/moderation/flags/{flag_id}/resolve/",
        "/api/v1/topics/",
    ]:
        assert path in paths, path
    stream_parameters = {p["name"] for p in paths["/api/v1/posts/"]["get"]["parameters"]}
    assert stream_parameters >= {
        "community",
        "author",
        "kind",
        "topic",
        "created_after",
        "created_before",
        "cursor",
    }
    directory_parameters = {p["name"] for p in paths["/api/v1/communities/"]["get"]["parameters"]}
    assert directory_parameters >= {"mine", "visibility", "topic", "search", "page"}
    create = schema["components"]["schemas"]["PostCreateInput"]["properties"]
    assert create["body"]["description"]


def test_api_root_links_to_the_communities_resources(api_client):
    body = api_client.get("/api/v1/").json()
    assert body["communities"].endswith("/api/v1/communities/")
    assert body["posts"].endswith("/api/v1/posts/")
    assert body["topics"].endswith("/api/v1/topics/")
    assert body["invitations"].endswith("/api/v1/invitations/")
    assert body["moderation_flags"].endswith("/api/v1/moderation/flags/")
