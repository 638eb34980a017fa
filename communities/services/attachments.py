"""Writes for attachments: images and documents on posts and comments.

The type of a file is sniffed from its content, never trusted from its name or from
the browser: Pillow identifies and verifies images, magic bytes identify PDF and
office documents, and plain text must decode as UTF-8. The result must be in
``CERCLE_ATTACHMENT_CONTENT_TYPES``. SVG is always refused (it can carry scripts),
and so is anything that looks like HTML or XML markup. Files are at most
``CERCLE_ATTACHMENT_MAX_BYTES``; images get a thumbnail within
``CERCLE_THUMBNAIL_SIZE``. Files go through the default storage.
"""

import codecs
import csv
import io
import mimetypes
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from communities.models import Attachment, Comment, Post
from config.errors import PermissionDenied, ValidationError

# How much of a file is read to decide whether it is text.
TEXT_SAMPLE_BYTES = 64 * 1024
MARKUP_START = re.compile(r"^\s*<\s*(svg|\?xml|!doctype|html|head|body|script|iframe)\b", re.I)
SVG_ANYWHERE = re.compile(r"<\s*svg\b", re.I)

OOXML_MARKERS = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
    "text/csv": ".csv",
}


@dataclass(frozen=True)
class InspectedUpload:
    """An upload that passed every check, with the type sniffed from its content."""

    upload: File
    content_type: str
    size: int
    original_name: str


def _file_error(message: str) -> ValidationError:
    return ValidationError(message, field_errors={"file": [message]})


def _rewind(upload) -> None:
    upload.seek(0)


def _sniff_image(upload) -> str | None:
    """The MIME type of a verified image, None when Pillow does not recognise it."""
    _rewind(upload)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError:
        raise _file_error(_("This image is too large to process.")) from None
    except (OSError, SyntaxError, ValueError):
        raise _file_error(_("This image is damaged and cannot be read.")) from None
    finally:
        _rewind(upload)
    return Image.MIME.get(image_format or "", f"image/{(image_format or 'unknown').lower()}")


def _sniff_zip_document(upload) -> str | None:
    """OOXML (docx, xlsx, pptx) or OpenDocument types, from the archive's entries."""
    _rewind(upload)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            if "[Content_Types].xml" in names:
                for marker, content_type in OOXML_MARKERS.items():
                    if marker in names:
                        return content_type
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        _rewind(upload)
    return "application/zip"


def _sniff_text(upload, original_name: str) -> str | None:
    """text/csv or text/plain for UTF-8 text; None for binary content."""
    _rewind(upload)
    sample = upload.read(TEXT_SAMPLE_BYTES)
    _rewind(upload)
    if b"\x00" in sample:
        return None
    try:
        # Incremental: a multi-byte character cut by the sample's end is not an error.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    if SVG_ANYWHERE.search(text):
        raise _file_error(_("SVG images are not accepted: they can contain scripts."))
    if MARKUP_START.search(text):
        raise _file_error(_("Web pages and XML documents are not accepted as attachments."))
    if original_name.lower().endswith(".csv"):
        try:
            csv.Sniffer().sniff(text[:4096])
        except csv.Error:
            return "text/plain"
        return "text/csv"
    return "text/plain"


def _sniff(upload, original_name: str) -> str | None:
    _rewind(upload)
    head = upload.read(8)
    _rewind(upload)
    image_type = _sniff_image(upload)
    if image_type:
        return image_type
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip_document(upload)
    return _sniff_text(upload, original_name)


def attachment_inspect(upload) -> InspectedUpload:
    """Check ``upload`` (a Django ``File``/``UploadedFile``) without storing anything.

    Raises ValidationError with ``field_errors={"file": [...]}`` when the file is empty,
    larger than ``CERCLE_ATTACHMENT_MAX_BYTES``, an SVG or markup document, damaged, or of
    a type (sniffed from the content) not in ``CERCLE_ATTACHMENT_CONTENT_TYPES``.
    """
    original_name = PurePath(upload.name or "file").name[:255] or "file"
    size = upload.size
    if not size:
        raise _file_error(_("The file “%(name)s” is empty.") % {"name": original_name})
    if size > settings.CERCLE_ATTACHMENT_MAX_BYTES:
        raise _file_error(
            _("The file “%(name)s” is too large (%(size)s); the limit is %(limit)s.")
            % {
                "name": original_name,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.CERCLE_ATTACHMENT_MAX_BYTES),
            }
        )
    content_type = _sniff(upload, original_name)
    if content_type == "image/svg+xml":
        raise _file_error(_("SVG images are not accepted: they can contain scripts."))
    if content_type not in settings.CERCLE_ATTACHMENT_CONTENT_TYPES:
        raise _file_error(
            _("The file “%(name)s” is of a type that is not accepted.") % {"name": original_name}
        )
    return InspectedUpload(
        upload=upload, content_type=content_type, size=size, original_name=original_name
    )


def _stored_name(original_name: str, content_type: str) -> str:
    """A safe file name whose extension matches the sniffed type, not the claimed one."""
    stem = get_valid_filename(PurePath(original_name).stem)[:80] or "file"
    extension = EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ""
    return f"{stem}{extension}"


def _thumbnail(upload, stem: str) -> ContentFile:
    """A thumbnail within ``CERCLE_THUMBNAIL_SIZE``: PNG when the image has transparency,
    JPEG otherwise."""
    _rewind(upload)
    with Image.open(upload) as image:
        image.seek(0)
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail(settings.CERCLE_THUMBNAIL_SIZE)
        keeps_alpha = picture.mode in ("RGBA", "LA", "P") and (
            picture.mode != "P" or "transparency" in picture.info
        )
        output = io.BytesIO()
        if keeps_alpha:
            picture.convert("RGBA").save(output, format="PNG", optimize=True)
            name = f"{stem}-thumbnail.png"
        else:
            picture.convert("RGB").save(output, format="JPEG", quality=85)
            name = f"{stem}-thumbnail.jpg"
    _rewind(upload)
    return ContentFile(output.getvalue(), name=name)


def attachment_store(
    *,
    uploader,
    inspected: InspectedUpload,
    post: Post | None = None,
    comment: Comment | None = None,
) -> Attachment:
    """Save an inspected upload (and its thumbnail) and its row. No permission checks:
    callers (:func:`attachment_create`, post and comment creation) make them."""
    name = _stored_name(inspected.original_name, inspected.content_type)
    attachment = Attachment(
        post=post,
        comment=comment,
        uploaded_by=uploader,
        original_name=inspected.original_name,
        content_type=inspected.content_type,
        size=inspected.size,
    )
    _rewind(inspected.upload)
    attachment.file.save(name, File(inspected.upload, name=name), save=False)
    if inspected.content_type.startswith("image/"):
        thumbnail = _thumbnail(inspected.upload, PurePath(name).stem)
        attachment.thumbnail.save(thumbnail.name, thumbnail, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_create(
    *, uploader, upload, post: Post | None = None, comment: Comment | None = None
) -> Attachment:
    """Attach ``upload`` to ``post`` or ``comment`` (not both), or store it unattached so
    that the composer can hand it to ``post_create``/``comment_create`` later.

    Only the author of the post or comment may attach to it (PermissionDenied otherwise);
    a deleted comment takes no attachment. The file is checked by
    :func:`attachment_inspect` before anything is stored.
    """
    if post is not None and comment is not None:
        raise ValidationError(_("An attachment belongs to a post or to a comment, not both."))
    target = post or comment
    if target is not None and target.author_id != uploader.pk:
        raise PermissionDenied(_("Only the author can add attachments."))
    if comment is not None and comment.is_deleted:
        raise ValidationError(_("This comment was deleted."))
    inspected = attachment_inspect(upload)
    return attachment_store(uploader=uploader, inspected=inspected, post=post, comment=comment)


def attachments_prepare(*, uploader, attachments) -> list:
    """Check what a composer sends along with a post or a comment, before anything is
    written: each item is an upload (inspected) or an unattached :class:`Attachment`
    that ``uploader`` stored earlier. Raises ValidationError on the first bad item."""
    prepared = []
    for item in attachments or ():
        if isinstance(item, Attachment):
            if item.uploaded_by_id != uploader.pk or item.post_id or item.comment_id:
                raise ValidationError(
                    _("This attachment cannot be used here."),
                    field_errors={"attachments": [_("Unknown or already used attachment.")]},
                )
            prepared.append(item)
        else:
            prepared.append(attachment_inspect(item))
    return prepared


def attachments_link(
    *, uploader, prepared: list, post: Post | None = None, comment: Comment | None = None
) -> list[Attachment]:
    """Store or link what :func:`attachments_prepare` returned to ``post``/``comment``."""
    linked = []
    for item in prepared:
        if isinstance(item, Attachment):
            item.post, item.comment = post, comment
            item.save(update_fields=["post", "comment"])
            linked.append(item)
        else:
            linked.append(
                attachment_store(uploader=uploader, inspected=item, post=post, comment=comment)
            )
    return linked


def attachment_files_delete_on_commit(attachments) -> None:
    """Remove the stored files of ``attachments`` once the transaction that deletes their
    rows commits (a rolled-back deletion keeps them)."""
    names = [
        name
        for attachment in attachments
        for name in (attachment.file.name, attachment.thumbnail.name)
        if name
    ]
    if not names:
        return
    storage = Attachment._meta.get_field("file").storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
