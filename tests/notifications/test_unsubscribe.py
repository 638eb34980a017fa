"""One-click unsubscribe: a signed link that works without login, only for its owner,
never by a mere GET, and refuses a tampered token with a clear 400."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from notifications.models import NotificationSettings
from notifications.unsubscribe import Scope, unsubscribe_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url_for(user, scope=Scope.EMAIL):
    return reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk, scope=scope)]
    )


def settings_of(user):
    return NotificationSettings.objects.filter(user=user).first()


def test_get_without_login_asks_for_confirmation_and_changes_nothing(client, user):
    response = client.get(url_for(user))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Stop notification emails?" in body
    assert user.email in body
    assert f'action="{url_for(user)}"' in body and 'method="post"' in body
    assert settings_of(user) is None


def test_head_changes_nothing(client, user):
    assert client.head(url_for(user)).status_code == 200
    assert settings_of(user) is None


def test_post_without_login_turns_notification_email_off(client, user):
    response = client.post(url_for(user))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    settings = settings_of(user)
    assert settings.email_enabled is False
    assert settings.digest_frequency == NotificationSettings.DigestFrequency.WEEKLY


def test_one_click_post_from_a_mail_client_works_without_csrf_token(user):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        url_for(user),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert settings_of(user).email_enabled is False


def test_the_digest_link_stops_the_digest_only(client, user):
    NotificationSettings.objects.create(
        user=user, digest_frequency=NotificationSettings.DigestFrequency.DAILY
    )

    page = client.get(url_for(user, Scope.DIGEST))
    assert "Stop the digest?" in page.content.decode()
    response = client.post(url_for(user, Scope.DIGEST))

    assert response.status_code == 200
    settings = settings_of(user)
    assert settings.digest_frequency == NotificationSettings.DigestFrequency.OFF
    assert settings.email_enabled is True


def test_unsubscribing_twice_is_harmless(client, user):
    assert client.post(url_for(user)).status_code == 200
    assert client.post(url_for(user)).status_code == 200
    assert NotificationSettings.objects.filter(user=user).count() == 1
    assert settings_of(user).email_enabled is False


def test_the_link_only_ever_changes_its_owner(client, user, other_user):
    client.force_login(other_user)

    response = client.post(url_for(user))

    assert response.status_code == 200
    assert user.email in response.content.decode()
    assert settings_of(user).email_enabled is False
    assert settings_of(other_user) is None


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="signature"),
        pytest.param(lambda token: "x" + token, id="payload"),
        pytest.param(lambda token: "garbage", id="garbage"),
        pytest.param(lambda token: token.split(":")[0], id="unsigned"),
        pytest.param(lambda token: "é" + token, id="non-ascii"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_answers_400_and_changes_nothing(client, user, tamper, method):
    token = tamper(unsubscribe_token(user_id=user.pk, scope=Scope.EMAIL))

    response = getattr(client, method)(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 400
    body = response.content.decode()
    assert "This unsubscribe link is not valid" in body
    assert "Nothing was changed" in body
    assert settings_of(user) is None


def test_a_token_signed_for_something_else_is_refused(client, user):
    foreign = signing.dumps({"u": user.pk, "s": "email"})  # no unsubscribe salt
    other_salt = signing.dumps({"u": user.pk, "s": "email"}, salt="profiles.something")
    bad_scope = signing.dumps({"u": user.pk, "s": "everything"}, salt="notifications.unsubscribe")

    for token in (foreign, other_salt, bad_scope):
        response = client.post(reverse("notifications:unsubscribe", args=[token]))
        assert response.status_code == 400

    assert settings_of(user) is None


def test_the_token_of_a_deleted_member_is_refused(client):
    gone = UserFactory()
    url = url_for(gone)
    gone.delete()

    assert client.post(url).status_code == 400


def test_other_methods_are_not_allowed(client, user):
    assert client.put(url_for(user)).status_code == 405
    assert settings_of(user) is None


def test_an_unknown_scope_cannot_be_signed(user):
    with pytest.raises(ValueError):
        unsubscribe_token(user_id=user.pk, scope="everything")
