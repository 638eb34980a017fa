"""Attachments: the type comes from the content, SVG and unknown types are refused,
sizes are limited, images get thumbnails."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from communities.models import Attachment, Post
from communities.services.attachments import attachment_create
from communities.services.comments import comment_create
from communities.services.posts import post_create
from config.errors import PermissionDenied, ValidationError
from tests.communities.factories_conversations import (
    PUBLIC,
    SVG_WITH_SCRIPT,
    image_bytes,
    make_cast,
    pdf_upload,
    png_upload,
)

pytestmark = pytest.mark.django_db


def docx_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return output.getvalue()


def test_image_is_stored_with_a_thumbnail():
    cast = make_cast(PUBLIC)
    attachment = attachment_create(
        uploader=cast["author"], upload=png_upload("Team photo.png"), post=cast.post
    )
    assert (attachment.content_type, attachment.original_name) == ("image/png", "Team photo.png")
    assert attachment.is_image and attachment.post == cast.post
    assert default_storage.exists(attachment.file.name)
    with default_storage.open(attachment.thumbnail.name) as thumbnail_file:
        thumbnail = Image.open(thumbnail_file)
        assert max(thumbnail.size) <= 480
        assert thumbnail.size == (480, 320)


def test_type_is_sniffed_from_content_not_the_name():
    cast = make_cast(PUBLIC)
    disguised = SimpleUploadedFile(
        "report.pdf", image_bytes("JPEG"), content_type="application/pdf"
    )
    attachment = attachment_create(uploader=cast["author"], upload=disguised, post=cast.post)
    assert attachment.content_type == "image/jpeg"
    assert attachment.file.name.endswith(".jpg")


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("minutes.pdf", None, "application/pdf"),
        (
            "plan.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("notes.txt", "Café at 10, then #retro.\n".encode(), "text/plain"),
        ("budget.csv", b"team,amount\nsales,100\nops,200\n", "text/csv"),
    ],
)
def test_documents_are_recognised(name, content, content_type):
    cast = make_cast(PUBLIC)
    upload = pdf_upload(name) if content is None else SimpleUploadedFile(name, content)
    attachment = attachment_create(uploader=cast["author"], upload=upload, post=cast.post)
    assert attachment.content_type == content_type
    assert not attachment.thumbnail


@pytest.mark.parametrize(
    "name, content, message_part",
    [
        ("logo.svg", SVG_WITH_SCRIPT, "SVG"),
        ("logo.png", b"<svg onload='alert(1)'></svg>", "SVG"),
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", ""),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", ""),
        ("archive.zip", None, ""),
        ("photo.bmp", image_bytes("BMP", (20, 20)), ""),
        ("broken.png", image_bytes("PNG")[:60], ""),
        ("empty.txt", b"", ""),
    ],
)
def test_disallowed_or_damaged_files_are_refused_and_nothing_is_stored(name, content, message_part):
    cast = make_cast(PUBLIC)
    if content is None:
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w") as archive:
            archive.writestr("readme.txt", "hello")
        content = output.getvalue()
    with pytest.raises(ValidationError) as error:
        attachment_create(
            uploader=cast["author"], upload=SimpleUploadedFile(name, content), post=cast.post
        )
    assert error.value.field_errors["file"]
    assert message_part in error.value.message
    assert not Attachment.objects.exists()


@override_settings(CERCLE_ATTACHMENT_MAX_BYTES=1000)
def test_oversized_upload_is_refused_with_the_limit():
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError) as error:
        attachment_create(uploader=cast["author"], upload=png_upload(), post=cast.post)
    assert "1000" in error.value.message
    assert error.value.field_errors["file"]
    assert not Attachment.objects.exists()


@override_settings(CERCLE_ATTACHMENT_CONTENT_TYPES=["application/pdf"])
def test_allow_list_comes_from_settings():
    cast = make_cast(PUBLIC)
    with pytest.raises(ValidationError):
        attachment_create(uploader=cast["author"], upload=png_upload(), post=cast.post)
    assert attachment_create(uploader=cast["author"], upload=pdf_upload(), post=cast.post)


def test_only_the_author_attaches_to_a_post_or_comment():
    cast = make_cast(PUBLIC)
    comment = comment_create(author=cast["member"], post=cast.post, body="See attached")
    for role in ("member", "moderator", "owner"):
        with pytest.raises(PermissionDenied):
            attachment_create(uploader=cast[role], upload=pdf_upload(), post=cast.post)
    with pytest.raises(PermissionDenied):
        attachment_create(uploader=cast["author"], upload=pdf_upload(), comment=comment)
    assert attachment_create(uploader=cast["member"], upload=pdf_upload(), comment=comment)
    assert Attachment.objects.count() == 1


def test_post_takes_uploads_and_earlier_unattached_attachments():
    cast = make_cast(PUBLIC)
    earlier = attachment_create(uploader=cast["member"], upload=pdf_upload())
    assert earlier.post is None
    post = post_create(
        author=cast["member"],
        community=cast.community,
        title="Docs",
        body="Both files",
        attachments=[earlier, png_upload()],
    )
    assert sorted(a.content_type for a in post.attachments.all()) == [
        "application/pdf",
        "image/png",
    ]


def test_someone_elses_attachment_cannot_be_reused():
    cast = make_cast(PUBLIC)
    theirs = attachment_create(uploader=cast["author"], upload=pdf_upload())
    with pytest.raises(ValidationError) as error:
        post_create(
            author=cast["member"],
            community=cast.community,
            title="Docs",
            body="Stolen",
            attachments=[theirs],
        )
    assert "attachments" in error.value.field_errors


def test_post_with_a_bad_file_is_not_published_at_all():
    cast = make_cast(PUBLIC)
    posts = Post.objects.count()
    with pytest.raises(ValidationError) as error:
        post_create(
            author=cast["member"],
            community=cast.community,
            title="Logo",
            body="New logo",
            attachments=[png_upload(), SimpleUploadedFile("logo.svg", SVG_WITH_SCRIPT)],
        )
    assert error.value.field_errors["file"]
    assert Post.objects.count() == posts and not Attachment.objects.exists()
