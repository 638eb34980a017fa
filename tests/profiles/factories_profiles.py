"""Helpers for profile tests: pictures to upload, questions with accepted answers."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from communities.models import Post
from communities.services.comments import answer_accept, comment_create
from tests.factories import make_post


def picture_upload(
    *, size=(640, 480), image_format="PNG", mode="RGB", name="me.png", color=(200, 30, 30)
) -> SimpleUploadedFile:
    """A real picture of ``size`` in ``image_format``, ready to upload."""
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format}")


def answered_question(community, *, asker, answerer, title="A question", body="Help? #python"):
    """A question by ``asker`` whose accepted answer was written by ``answerer``."""
    question = make_post(community, author=asker, title=title, body=body, kind=Post.Kind.QUESTION)
    answer = comment_create(author=answerer, post=question, body="Here is how.")
    answer_accept(actor=asker, post=question, comment=answer)
    return question, answer
