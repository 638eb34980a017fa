"""user_avatar_set / user_avatar_remove: only real pictures, resized to a square."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from config.errors import ValidationError
from profiles.services import user_avatar_remove, user_avatar_set
from tests.profiles.factories_profiles import picture_upload

pytestmark = pytest.mark.django_db


def _stored(user) -> Image.Image:
    with default_storage.open(user.avatar.name) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_photo_becomes_a_square_jpeg_of_the_configured_size(user, settings):
    settings.CERCLE_AVATAR_SIZE = (128, 128)
    user_avatar_set(user=user, upload=picture_upload(size=(640, 480), image_format="JPEG"))
    user.refresh_from_db()
    assert user.avatar.name.startswith("avatars/")
    image = _stored(user)
    assert (image.format, image.size) == ("JPEG", (128, 128))


def test_a_transparent_picture_stays_png(user):
    user_avatar_set(user=user, upload=picture_upload(mode="RGBA", color=(0, 0, 0, 0)))
    image = _stored(user)
    assert (image.format, image.size, image.mode) == ("PNG", (256, 256), "RGBA")


def test_replacing_the_avatar_deletes_the_old_file_on_commit(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user_avatar_set(user=user, upload=picture_upload())
    first = user.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        user_avatar_set(user=user, upload=picture_upload(image_format="GIF"))
    assert user.avatar.name != first
    assert not default_storage.exists(first)
    assert default_storage.exists(user.avatar.name)


def test_remove_clears_the_avatar_and_the_file(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_avatar_set(user=user, upload=picture_upload())
    name = user.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        user_avatar_remove(user=user)
    user.refresh_from_db()
    assert not user.avatar
    assert not default_storage.exists(name)
    user_avatar_remove(user=user)  # idempotent


def test_a_rolled_back_replacement_keeps_the_old_file(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_avatar_set(user=user, upload=picture_upload())
    first = user.avatar.name
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        user_avatar_set(user=user, upload=picture_upload())
        raise RuntimeError
    assert callbacks == []
    assert default_storage.exists(first)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("me.png", b"not a picture at all", "image/png"), "not a picture"),
        (SimpleUploadedFile("me.svg", SVG, "image/svg+xml"), "SVG"),
        (SimpleUploadedFile("me.png", b"  <svg onload=alert(1)>", "image/png"), "SVG"),
        (SimpleUploadedFile("me.png", b"", "image/png"), "empty"),
        (SimpleUploadedFile("me.png", picture_upload().read()[:120], "image/png"), "damaged"),
    ],
)
def test_what_is_not_a_picture_is_refused_and_nothing_is_stored(user, upload, message):
    with pytest.raises(ValidationError) as caught:
        user_avatar_set(user=user, upload=upload)
    assert message in caught.value.field_errors["avatar"][0]
    user.refresh_from_db()
    assert not user.avatar


def test_other_picture_formats_are_refused(user):
    with pytest.raises(ValidationError) as caught:
        user_avatar_set(user=user, upload=picture_upload(image_format="BMP", name="me.bmp"))
    assert caught.value.field_errors["avatar"] == [
        "BMP pictures are not accepted: upload a JPEG, PNG, GIF or WebP."
    ]
    user.refresh_from_db()
    assert not user.avatar


def test_a_picture_over_the_size_limit_is_refused(user, settings):
    upload = picture_upload(size=(400, 400))
    settings.CERCLE_AVATAR_MAX_BYTES = upload.size - 1
    with pytest.raises(ValidationError) as caught:
        user_avatar_set(user=user, upload=upload)
    assert "too large" in caught.value.field_errors["avatar"][0]
    user.refresh_from_db()
    assert not user.avatar


def test_a_refused_replacement_keeps_the_current_avatar(user):
    user_avatar_set(user=user, upload=picture_upload())
    current = user.avatar.name
    with pytest.raises(ValidationError):
        user_avatar_set(user=user, upload=SimpleUploadedFile("x.png", b"nope", "image/png"))
    user.refresh_from_db()
    assert user.avatar.name == current
    assert default_storage.exists(current)
