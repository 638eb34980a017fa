"""/api/v1/me/ and /api/v1/me/avatar/: a member reads and edits their own profile."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from profiles.models import Skill
from tests.factories import UserFactory
from tests.profiles.api.conftest import client_for, png_upload

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
AVATAR = "/api/v1/me/avatar/"


def test_me_shows_the_profile_fields(member_api_client, user):
    body = member_api_client.get(ME).json()
    assert body["email"] == user.email
    assert body["skills"] == []
    assert body["languages"] == []
    assert body["avatar"] is None
    assert body["show_in_leaderboards"] is True
    assert body["time_zone"] == "UTC"


def test_member_updates_skills_interests_languages_bio_and_more(member_api_client, user):
    Skill.objects.create(name="Python")
    response = member_api_client.patch(
        ME,
        {
            "skills": ["python", "Kubernetes"],
            "interests": ["Climbing"],
            "languages": ["fr", "EN"],
            "bio": "I like **tests**.<script>alert(1)</script>",
            "location": "Lyon",
            "time_zone": "Europe/Paris",
            "show_in_leaderboards": False,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    # "python" matched the existing skill case-insensitively: no duplicate.
    assert sorted(body["skills"]) == ["Kubernetes", "Python"]
    assert Skill.objects.filter(name__iexact="python").count() == 1
    assert body["interests"] == ["Climbing"]
    assert body["languages"] == ["fr", "en"]
    assert "<strong>tests</strong>" in body["bio_html"]
    assert "<script>" not in body["bio_html"]
    assert (body["location"], body["time_zone"]) == ("Lyon", "Europe/Paris")
    assert body["show_in_leaderboards"] is False
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris" and user.show_in_leaderboards is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"languages": ["klingon"]}, "languages"),
        ({"languages": "fr"}, "languages"),
        ({"skills": [""]}, "skills"),
        ({"skills": ["x" * 81]}, "skills"),
        ({"show_in_leaderboards": "perhaps"}, "show_in_leaderboards"),
        ({"bio": "b" * 5001}, "bio"),
    ],
)
def test_malformed_profile_changes_are_400_and_write_nothing(
    member_api_client, user, payload, field
):
    response = member_api_client.patch(ME, {**payload, "location": "Oslo"}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    user.refresh_from_db()
    assert user.location == ""


def test_avatar_upload_is_resized_and_served_at_a_protected_address(member_api_client, user):
    response = member_api_client.put(AVATAR, {"avatar": png_upload((300, 200))}, format="multipart")
    assert response.status_code == 200, response.json()
    url = response.json()["avatar"]
    assert url.endswith(f"/api/v1/profiles/{user.pk}/avatar/")
    assert "/media/" not in url

    colleague = client_for(UserFactory())
    served = colleague.get(f"/api/v1/profiles/{user.pk}/avatar/")
    assert served.status_code == 200
    assert served["Content-Type"] in {"image/jpeg", "image/png"}
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.size == (256, 256)


def test_avatar_is_not_served_to_anonymous_callers(api_client, member_api_client, user):
    member_api_client.put(AVATAR, {"avatar": png_upload()}, format="multipart")
    assert api_client.get(f"/api/v1/profiles/{user.pk}/avatar/").status_code == 401


def test_avatar_that_is_not_an_image_is_400(member_api_client, user):
    fake = SimpleUploadedFile("me.png", b"definitely not a picture", content_type="image/png")
    response = member_api_client.put(AVATAR, {"avatar": fake}, format="multipart")
    assert response.status_code == 400
    assert "picture" in response.json()["avatar"][0]
    user.refresh_from_db()
    assert not user.avatar


def test_svg_avatar_is_400(member_api_client, user):
    svg = SimpleUploadedFile(
        "me.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', content_type="image/svg+xml"
    )
    response = member_api_client.put(AVATAR, {"avatar": svg}, format="multipart")
    assert response.status_code == 400
    assert "SVG" in response.json()["avatar"][0]


def test_avatar_too_big_is_400(member_api_client, user, settings):
    settings.CERCLE_AVATAR_MAX_BYTES = 100
    response = member_api_client.put(AVATAR, {"avatar": png_upload((400, 400))}, format="multipart")
    assert response.status_code == 400
    assert "too large" in response.json()["avatar"][0]
    user.refresh_from_db()
    assert not user.avatar


def test_avatar_upload_without_a_file_is_400(member_api_client):
    response = member_api_client.put(AVATAR, {}, format="multipart")
    assert response.status_code == 400
    assert "avatar" in response.json()


def test_avatar_removed(member_api_client, user):
    member_api_client.put(AVATAR, {"avatar": png_upload()}, format="multipart")
    response = member_api_client.delete(AVATAR)
    assert response.status_code == 204
    assert response.content == b""
    assert member_api_client.get(ME).json()["avatar"] is None
    user.refresh_from_db()
    assert not user.avatar
    assert member_api_client.get(f"/api/v1/profiles/{user.pk}/avatar/").status_code == 404
