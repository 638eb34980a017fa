"""What API fuzzing found, as a client notices it: OPTIONS answers on every view,
absurdly nested JSON is a 400, the schema says which fields may be null and which
errors every operation may answer, and removing the avatar is a 204."""

import json

import pytest
from rest_framework.test import APIClient

from communities.models import Invitation
from communities.services.invitations import invitation_create
from notifications.services.conversations import conversation_start
from tests.factories import UserFactory, app_session_token, make_community, make_member
from tests.profiles.api.conftest import png_upload

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"


def _nested_array(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def schema(client):
    response = client.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


# OPTIONS --------------------------------------------------------------------------------


def test_options_answers_on_action_views_that_take_no_body(member_api_client, user, other_user):
    community = make_community(owner=other_user)
    make_member(community, user)
    conversation = conversation_start(
        creator=user, participant_ids=[other_user.pk], body="Hello"
    ).conversation
    invitation_create(inviter=other_user, community=community, emails=["new@acme.example"])
    invitation = Invitation.objects.get()
    for url in [
        f"/api/v1/communities/{community.slug}/leave/",
        f"/api/v1/communities/{community.slug}/notification-level/",
        f"/api/v1/conversations/{conversation.pk}/read/",
        f"/api/v1/conversations/{conversation.pk}/leave/",
        f"/api/v1/invitations/{invitation.pk}/decline/",
        "/api/v1/me/avatar/",
    ]:
        response = member_api_client.options(url)
        assert response.status_code == 200, (url, response.content)
        assert response.json()["name"], url
        assert "application/json" in response.json()["renders"], url


def test_options_still_describes_the_fields_of_views_with_a_serializer(member_api_client):
    body = member_api_client.options("/api/v1/communities/").json()
    assert "slug" in body["actions"]["POST"]


def test_options_without_login_is_401_not_500(api_client):
    assert api_client.options("/api/v1/invitations/1/decline/").status_code == 401


# Deeply nested JSON ----------------------------------------------------------------------


def test_json_nested_thousands_of_levels_deep_is_400_with_a_message(member_api_client):
    response = member_api_client.post(
        "/api/v1/posts/", data=_nested_array(5000), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]


def test_json_just_over_the_depth_limit_is_400_and_at_the_limit_reaches_validation(
    member_api_client,
):
    too_deep = {"community": json.loads(_nested_array(32))}
    response = member_api_client.post("/api/v1/posts/", too_deep, format="json")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]

    at_the_limit = {"community": json.loads(_nested_array(31))}
    response = member_api_client.post("/api/v1/posts/", at_the_limit, format="json")
    assert response.status_code == 400
    assert "community" in response.json()  # a field message: the parser let it through


def test_deeply_nested_json_to_the_mobile_login_is_400(client):
    response = client.post(
        "/_allauth/app/v1/auth/login", data=_nested_array(5000), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid"


def test_mobile_login_with_ordinary_json_still_works(client, user):
    assert app_session_token(user)


# The schema ------------------------------------------------------------------------------


def test_schema_says_which_fields_may_be_null(schema):
    components = schema["components"]["schemas"]
    assert components["CommunityOutput"]["properties"]["parent"]["nullable"] is True
    assert components["CommentOutput"]["properties"]["placeholder"]["nullable"] is True
    assert components["CommentReply"]["properties"]["placeholder"]["nullable"] is True


def test_top_level_community_answers_null_parent(member_api_client, user):
    community = make_community(owner=user)
    body = member_api_client.get(f"/api/v1/communities/{community.slug}/").json()
    assert body["parent"] is None


def test_every_operation_that_needs_a_login_documents_401(schema, api_client):
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if path != "/api/v1/"
    ]
    assert len(operations) > 80
    for path, method, operation in operations:
        assert "401" in operation["responses"], (method, path)
        assert "403" in operation["responses"], (method, path)
    error = schema["paths"]["/api/v1/me/"]["get"]["responses"]["401"]
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    # ...and that is what an outsider gets.
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_unknown_api_address_is_a_json_404(member_api_client):
    response = member_api_client.get("/api/v1/communities/not a slug/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_page_size_out_of_range_is_400_not_ignored(member_api_client, schema):
    for page_size in ["0", "101", "ten", "-1"]:
        response = member_api_client.get("/api/v1/communities/", {"page_size": page_size})
        assert response.status_code == 400, page_size
        assert "page_size" in response.json()
    assert member_api_client.get("/api/v1/communities/", {"page_size": 100}).status_code == 200
    parameters = schema["paths"]["/api/v1/communities/"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_invite_answers_the_list_the_schema_describes(member_api_client, user, schema):
    community = make_community(owner=user)
    response = member_api_client.post(
        f"/api/v1/communities/{community.slug}/invite/",
        {"emails": ["new@acme.example"]},
        format="json",
    )
    assert response.status_code == 201
    assert isinstance(response.json(), list)
    documented = schema["paths"]["/api/v1/communities/{slug}/invite/"]["post"]["responses"]
    assert documented["201"]["content"]["application/json"]["schema"]["type"] == "array"


# The avatar -------------------------------------------------------------------------------


def test_removing_the_avatar_is_204_no_content(user):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=app_session_token(user))
    client.put("/api/v1/me/avatar/", {"avatar": png_upload()}, format="multipart")
    response = client.delete("/api/v1/me/avatar/")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get("/api/v1/me/").json()["avatar"] is None


def test_schema_documents_the_avatar_removal_as_204(schema):
    responses = schema["paths"]["/api/v1/me/avatar/"]["delete"]["responses"]
    assert "204" in responses
    assert "200" not in responses


def test_outsider_gets_the_documented_401_body(api_client):
    # An outsider gets 401 everywhere, with the documented error body.
    other = UserFactory()
    response = api_client.get(f"/api/v1/profiles/{other.pk}/")
    assert response.status_code == 401
    assert set(response.json()) <= {"detail", "code"}


# JSON types ------------------------------------------------------------------------------


def test_a_number_where_the_schema_says_boolean_or_text_is_400(member_api_client, user):
    response = member_api_client.patch("/api/v1/me/", {"show_in_leaderboards": 0}, format="json")
    assert response.status_code == 400
    assert response.json() == {"show_in_leaderboards": ["Expected a boolean."]}
    response = member_api_client.patch("/api/v1/me/", {"display_name": 5}, format="json")
    assert response.status_code == 400
    assert response.json() == {"display_name": ["Expected a string."]}
    user.refresh_from_db()
    assert user.show_in_leaderboards is True
    assert user.display_name == "Camille Martin"


def test_the_right_json_types_are_still_accepted(member_api_client):
    response = member_api_client.patch(
        "/api/v1/me/", {"show_in_leaderboards": False, "display_name": "Camille M."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["show_in_leaderboards"] is False


def test_an_object_sent_whole_in_a_multipart_form_is_400_not_dropped(member_api_client, user):
    community = make_community(owner=user)
    response = member_api_client.post(
        "/api/v1/posts/",
        {
            "community": community.slug,
            "kind": "discussion",
            "title": "Hello",
            "body": "Hi",
            "event": '{"ends_at": "2030-01-01T00:00:00Z"}',
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "event" in response.json()


def test_a_query_boolean_must_read_true_or_false_and_pages_are_given_once(member_api_client):
    assert member_api_client.get("/api/v1/communities/?mine=true").status_code == 200
    response = member_api_client.get("/api/v1/communities/?mine=1")
    assert response.status_code == 400
    assert "mine" in response.json()
    response = member_api_client.get("/api/v1/communities/?page=1&page=2")
    assert response.status_code == 400
    assert "page" in response.json()


def test_a_multipart_body_with_no_readable_part_is_400(member_api_client, user):
    community = make_community(owner=user)
    boundary = "a222103b9b30"
    response = member_api_client.generic(
        "PATCH",
        f"/api/v1/communities/{community.slug}/",
        data=f"--{boundary}\r\n[]--{boundary}--\r\n",
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert "no part could be read" in response.json()["detail"]
