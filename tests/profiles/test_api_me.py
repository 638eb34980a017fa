"""/api/v1/me/ with each way of authenticating: browser session, mobile session token."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
APP_LOGIN = "/_allauth/app/v1/auth/login"


def test_me_without_authentication_is_401(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_me_with_the_browser_session_cookie(client, user, password):
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    response = client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "camille@acme.example"
    assert body["display_name"] == "Camille Martin"


def _app_login(client, email, password):
    return client.post(
        APP_LOGIN,
        data=json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )


def test_mobile_app_logs_in_headless_and_uses_its_session_token(client, api_client, user, password):
    login = _app_login(client, user.email, password)
    assert login.status_code == 200
    token = login.json()["meta"]["session_token"]
    assert token

    response = api_client.get(ME, HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_forged_session_token_is_401(api_client, user):
    response = api_client.get(ME, HTTP_X_SESSION_TOKEN="forged-token-value")
    assert response.status_code == 401


def test_headless_login_with_a_wrong_password_is_400_with_a_message(client, user):
    response = _app_login(client, user.email, "wrong-password")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["code"] == "email_password_mismatch"
    assert errors[0]["message"]


def test_headless_login_with_malformed_json_is_400(client, user):
    response = client.post(APP_LOGIN, data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_member_updates_their_own_display_name(member_api_client, user):
    response = member_api_client.patch(ME, {"display_name": "Camille M.", "job_title": "Lead"})
    assert response.status_code == 200
    assert response.json()["display_name"] == "Camille M."
    user.refresh_from_db()
    assert (user.display_name, user.job_title) == ("Camille M.", "Lead")


def test_blank_display_name_is_a_field_error(member_api_client, user):
    response = member_api_client.patch(ME, {"display_name": "  "})
    assert response.status_code == 400
    assert "display_name" in response.json()
    user.refresh_from_db()
    assert user.display_name == "Camille Martin"


def test_malformed_json_to_the_api_is_400_not_500(member_api_client):
    response = member_api_client.generic(
        "PATCH", ME, data="{'display_name': oops", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_email_cannot_be_changed_through_me(member_api_client, user):
    response = member_api_client.patch(ME, {"email": "hijack@evil.example"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "camille@acme.example"


def test_api_root_lists_the_entry_points(api_client):
    body = api_client.get("/api/v1/").json()
    assert body["me"].endswith("/api/v1/me/")
    assert body["auth"].endswith("/_allauth/app/v1/auth/login")
