"""Signing up and logging in through the browser forms."""

import pytest
from django.urls import reverse

from profiles.models import User

pytestmark = pytest.mark.django_db


def _signup(client, email, display_name="New Colleague", password="A-long-pass-phrase-42"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": display_name,
            "password1": password,
            "password2": password,
        },
    )


def test_signup_is_open_when_no_domain_is_configured(client, settings):
    settings.CERCLE_SIGNUP_DOMAINS = []
    response = _signup(client, "someone@anywhere.example")
    assert response.status_code == 302
    user = User.objects.get(email="someone@anywhere.example")
    assert user.display_name == "New Colleague"
    assert client.get(reverse("home")).context["user"] == user


def test_signup_with_a_company_domain_is_allowed(client, settings):
    settings.CERCLE_SIGNUP_DOMAINS = ["acme.example", "acme-group.example"]
    response = _signup(client, "Jane.Doe@ACME-group.example")
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="jane.doe@acme-group.example").exists()


def test_signup_from_another_domain_gets_a_form_error(client, settings):
    settings.CERCLE_SIGNUP_DOMAINS = ["acme.example"]
    response = _signup(client, "intruder@gmail.example")
    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert errors == ["Sign up with your company email address (@acme.example)."]
    assert "Sign up with your company email address" in response.content.decode()
    assert not User.objects.filter(email="intruder@gmail.example").exists()


def test_duplicate_signup_is_refused_with_a_clear_error(client, user):
    response = _signup(client, user.email)
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert User.objects.filter(email=user.email).count() == 1


def test_signup_requires_a_display_name(client):
    response = _signup(client, "nameless@acme.example", display_name="")
    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not User.objects.filter(email="nameless@acme.example").exists()


def test_login_with_email_and_password_opens_a_session(client, user, password):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert "Hello, Camille Martin" in home.content.decode()


@pytest.mark.parametrize(
    "login, password",
    [("camille@acme.example", "wrong-password"), ("nobody@acme.example", "whatever-it-is")],
    ids=["wrong-password", "unknown-email"],
)
def test_bad_credentials_get_a_form_error_not_a_session(client, user, login, password):
    response = client.post(reverse("account_login"), {"login": login, "password": password})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
