"""Attachments and cover images are served only to those who may read them: in the
browser and through the API, a file of a secret community answers like no file at all."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from communities.services.attachments import attachment_create
from communities.services.comments import comment_create, comment_hide
from communities.services.communities import community_update
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    make_cast,
    pdf_upload,
    png_upload,
)

pytestmark = pytest.mark.django_db


def web(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# (visibility, who, may download)
TABLE = [
    (PUBLIC, "member", True),
    (PUBLIC, "outsider", True),
    (PUBLIC, "banned", False),
    (PRIVATE, "member", True),
    (PRIVATE, "outsider", False),
    (SECRET, "author", True),
    (SECRET, "moderator", True),
    (SECRET, "outsider", False),
    (SECRET, "banned", False),
]


@pytest.mark.parametrize("visibility, who, allowed", TABLE)
def test_post_attachment_download_follows_the_visibility_rule(visibility, who, allowed):
    cast = make_cast(visibility, attachments=[pdf_upload()])
    attachment = cast.post.attachments.get()
    for client, url in (
        (web(cast[who]), f"/attachments/{attachment.pk}/"),
        (api(cast[who]), f"/api/v1/attachments/{attachment.pk}/"),
    ):
        response = client.get(url)
        if allowed:
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert _body(response).startswith(b"%PDF-")
        else:
            assert response.status_code == 404


def test_anonymous_visitors_get_no_file():
    cast = make_cast(PUBLIC, attachments=[pdf_upload()])
    attachment = cast.post.attachments.get()
    assert Client().get(f"/attachments/{attachment.pk}/").status_code == 302
    assert APIClient().get(f"/api/v1/attachments/{attachment.pk}/").status_code == 401


def test_image_thumbnail_is_served_and_the_api_gives_protected_addresses():
    cast = make_cast(SECRET, attachments=[png_upload()])
    attachment = cast.post.attachments.get()
    member = api(cast["member"])
    listed = member.get(f"/api/v1/posts/{cast.post.pk}/").json()["attachments"][0]
    assert listed["file"].endswith(f"/api/v1/attachments/{attachment.pk}/")
    assert listed["thumbnail"].endswith(f"/api/v1/attachments/{attachment.pk}/thumbnail/")
    thumbnail = member.get(listed["thumbnail"])
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] in {"image/jpeg", "image/png"}
    assert web(cast["outsider"]).get(f"/attachments/{attachment.pk}/thumbnail/").status_code == 404


def test_post_page_links_to_the_protected_address():
    cast = make_cast(PUBLIC, attachments=[png_upload()])
    attachment = cast.post.attachments.get()
    page = web(cast["member"]).get(f"/posts/{cast.post.pk}/").content.decode()
    assert f'href="/attachments/{attachment.pk}/"' in page
    assert f'src="/attachments/{attachment.pk}/thumbnail/"' in page
    assert "/media/" not in page


def test_a_hidden_comments_file_is_for_its_author_and_moderators_only():
    cast = make_cast(PUBLIC)
    comment = comment_create(
        author=cast["member"], post=cast.post, body="See attached", attachments=[pdf_upload()]
    )
    attachment = comment.attachments.get()
    url = f"/attachments/{attachment.pk}/"
    assert web(cast["outsider"]).get(url).status_code == 200
    comment_hide(actor=cast["moderator"], comment=comment)
    assert web(cast["outsider"]).get(url).status_code == 404
    assert web(cast["member"]).get(url).status_code == 200
    assert web(cast["moderator"]).get(url).status_code == 200


def test_an_unattached_upload_is_for_its_uploader_only():
    cast = make_cast(PUBLIC)
    attachment = attachment_create(uploader=cast["member"], upload=pdf_upload())
    url = f"/attachments/{attachment.pk}/"
    assert web(cast["member"]).get(url).status_code == 200
    assert web(cast["author"]).get(url).status_code == 404


def test_unknown_attachment_is_404():
    cast = make_cast(PUBLIC)
    assert web(cast["member"]).get("/attachments/999999/").status_code == 404
    assert api(cast["member"]).get("/api/v1/attachments/999999/").status_code == 404


@pytest.mark.parametrize(
    "visibility, who, allowed",
    [
        (PRIVATE, "outsider", True),  # a private community is listed to everyone
        (SECRET, "member", True),
        (SECRET, "outsider", False),
    ],
)
def test_cover_image_is_served_to_those_who_may_see_the_community(visibility, who, allowed):
    cast = make_cast(visibility)
    community_update(actor=cast["owner"], community=cast.community, cover_image=png_upload())
    slug = cast.community.slug
    for client, url in (
        (web(cast[who]), f"/communities/{slug}/cover/"),
        (api(cast[who]), f"/api/v1/communities/{slug}/cover/"),
    ):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 404)
    if allowed:
        detail = api(cast[who]).get(f"/api/v1/communities/{slug}/").json()
        assert detail["cover_image"].endswith(f"/api/v1/communities/{slug}/cover/")
