"""Every member can protect their account with TOTP, and login then asks for the code."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    """What the member's authenticator app shows now: RFC 6238 with its usual parameters
    (SHA-1, 30 s, 6 digits), which are allauth's defaults."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 1_000_000).zfill(6)


def _secret_shown(html: str) -> str:
    """The secret the activation page shows, for the member to type into their app."""
    field = re.search(r'id="authenticator_secret"\s+value="([A-Z2-7]+)"', html)
    assert field, "the activation page shows no authenticator secret"
    return field.group(1)


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
    secret = _secret_shown(page.content.decode())

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
