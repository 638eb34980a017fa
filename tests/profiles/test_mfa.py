"""Every member can protect their account with TOTP, and login then asks for the code."""

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    import time

    from allauth.mfa import app_settings

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return str(hotp_value(secret, counter)).zfill(app_settings.TOTP_DIGITS)


def test_member_activates_totp_and_login_then_requires_the_code(client, user, password):
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    # Changing security settings asks for the password once more.
    assert client.get(reverse("mfa_activate_totp")).url.startswith(
        reverse("account_reauthenticate")
    )
    client.post(reverse("account_reauthenticate"), {"password": password})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Authenticator" in page.content.decode()
    secret = client.session["mfa.totp.secret"]

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    client.logout()
    login = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert login.status_code == 302
    assert login.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = get_adapter().decrypt(totp.data["secret"])
    done = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_two_factor_page_is_part_of_the_account_settings(client, user):
    client.force_login(user)
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-label="Account settings"' in html
    assert reverse("mfa_activate_totp") in html
