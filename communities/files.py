"""Serving stored files (attachments, community covers) only to those who may read them.

Files never leave through a public media URL: the browser view and the API both answer
with :func:`stored_file_response` after the selectors have checked access, so a file in
a secret community is as invisible as the community.
"""

import mimetypes
from pathlib import PurePath

from django.http import FileResponse, Http404

from communities.models import Attachment

# Types a browser may show inline; everything else is downloaded.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


def stored_file_response(field_file, *, content_type: str | None, download_name: str):
    """A streamed response for ``field_file``; 404 when nothing is stored."""
    if not field_file or not field_file.name:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = content_type or mimetypes.guess_type(field_file.name)[0]
    content_type = content_type or "application/octet-stream"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        filename=download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_response(attachment: Attachment, *, thumbnail: bool = False):
    """The file of an attachment the caller may read, or its thumbnail."""
    if thumbnail:
        return stored_file_response(
            attachment.thumbnail,
            content_type=None,
            download_name=PurePath(attachment.thumbnail.name or "thumbnail").name,
        )
    return stored_file_response(
        attachment.file,
        content_type=attachment.content_type,
        download_name=attachment.original_name,
    )
