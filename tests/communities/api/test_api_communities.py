"""/api/v1/communities/: the directory, creating, reading and updating a community."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from communities.models import Community, Membership
from metrics.models import Activity
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

LIST = "/api/v1/communities/"


def detail(slug: str) -> str:
    return f"/api/v1/communities/{slug}/"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_unauthenticated_directory_is_401(api_client):
    assert api_client.get(LIST).status_code == 401


def test_directory_lists_public_and_private_but_not_secret_communities(member_api_client):
    make_community(name="Alpha")
    make_community(name="Bravo", visibility=Community.Visibility.PRIVATE)
    make_community(name="Charlie", visibility=Community.Visibility.SECRET)

    response = member_api_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["name"] for c in body["results"]] == ["Alpha", "Bravo"]
    alpha = body["results"][0]
    assert alpha["member_count"] == 1
    assert alpha["is_member"] is False
    assert alpha["my_role"] is None
    assert alpha["visibility"] == "public"


def test_directory_shows_a_secret_community_to_its_members(member_api_client, user):
    secret = make_community(name="Inner circle", visibility=Community.Visibility.SECRET)
    make_member(secret, user)

    body = member_api_client.get(LIST).json()

    assert [(c["slug"], c["is_member"], c["my_role"]) for c in body["results"]] == [
        (secret.slug, True, "member")
    ]


def test_directory_filters_mine_visibility_search_and_topic(member_api_client, user):
    mine = make_community(name="Data guild", description="Dashboards")
    make_member(mine, user)
    private = make_community(name="Finance", visibility=Community.Visibility.PRIVATE)
    tagged = make_community(name="Remote workers")
    make_post(tagged, body="Tips for #remote-work")

    def slugs(query):
        response = member_api_client.get(LIST, query)
        assert response.status_code == 200
        return [c["slug"] for c in response.json()["results"]]

    assert slugs({"mine": "true"}) == [mine.slug]
    assert slugs({"visibility": "private"}) == [private.slug]
    assert slugs({"search": "dashboards"}) == [mine.slug]
    assert slugs({"topic": "remote-work"}) == [tagged.slug]
    assert slugs({"topic": "#remote-work"}) == [tagged.slug]


def test_directory_rejects_an_unknown_visibility_with_a_field_message(member_api_client):
    response = member_api_client.get(LIST, {"visibility": "hidden"})
    assert response.status_code == 400
    assert "visibility" in response.json()


def test_member_creates_a_community_and_owns_it(member_api_client, user):
    response = member_api_client.post(
        LIST,
        {
            "name": "Metrics task force",
            "slug": "metrics-tf",
            "description": "Measure what we act on.",
            "visibility": "private",
            "join_policy": "request",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "metrics-tf"
    assert body["visibility"] == "private"
    assert body["join_policy"] == "request"
    assert body["my_role"] == "owner"
    assert body["member_count"] == 1
    community = Community.objects.get(slug="metrics-tf")
    assert community.memberships.get(user=user).role == Membership.Role.OWNER
    assert Activity.objects.filter(
        actor=user, verb=Activity.Verb.COMMUNITY_CREATED, community=community
    ).exists()


def test_creating_a_sub_group_names_its_parent_by_slug(member_api_client):
    parent = make_community(name="Practitioners")

    response = member_api_client.post(LIST, {"name": "Metrics", "parent": parent.slug})

    assert response.status_code == 201
    assert response.json()["parent"] == parent.slug


def test_a_secret_parent_is_answered_like_an_unknown_one(member_api_client):
    secret = make_community(name="Hidden", visibility=Community.Visibility.SECRET)

    hidden = member_api_client.post(LIST, {"name": "Child", "parent": secret.slug})
    unknown = member_api_client.post(LIST, {"name": "Child", "parent": "no-such-thing"})

    assert hidden.status_code == unknown.status_code == 400
    assert "parent" in hidden.json()
    assert Community.objects.filter(name="Child").count() == 0


def test_slug_that_exists_is_409_and_nothing_is_written(member_api_client):
    make_community(name="Taken", slug="taken")

    response = member_api_client.post(LIST, {"name": "Another", "slug": "taken"})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert "taken" in body["detail"]
    assert body["slug"]
    assert not Community.objects.filter(name="Another").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Ok", "slug": "not a slug!"}, "slug"),
        ({"name": "Ok", "visibility": "invisible"}, "visibility"),
        ({"name": "Ok", "join_policy": "whenever"}, "join_policy"),
    ],
)
def test_malformed_community_is_400_with_a_field_message(member_api_client, payload, field):
    response = member_api_client.post(LIST, payload, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert not Community.objects.exists()


def test_malformed_json_is_400(member_api_client):
    response = member_api_client.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_cover_image_upload_and_an_svg_pretending_to_be_one(member_api_client):
    good = member_api_client.post(
        LIST,
        {"name": "Pictures", "cover_image": SimpleUploadedFile("c.png", png_bytes(), "image/png")},
        format="multipart",
    )
    svg = SimpleUploadedFile(
        "c.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    bad = member_api_client.post(LIST, {"name": "Vectors", "cover_image": svg}, format="multipart")

    assert good.status_code == 201
    assert good.json()["cover_image"]
    assert bad.status_code == 400
    assert bad.json()["cover_image"]
    assert not Community.objects.filter(name="Vectors").exists()


def test_detail_of_a_secret_community_is_404_for_outsiders_and_200_for_members(db):
    cast = make_cast(Community.Visibility.SECRET)

    outsider = client_for(cast.outsider).get(detail(cast.community.slug))
    missing = client_for(cast.outsider).get(detail("does-not-exist"))
    member = client_for(cast.member).get(detail(cast.community.slug))

    assert outsider.status_code == 404
    assert outsider.json() == missing.json()
    assert member.status_code == 200
    assert member.json()["my_role"] == "member"
    assert member.json()["member_count"] == 4  # owner, manager, moderator, member


def test_manager_updates_the_community(cast):
    response = client_for(cast.manager).patch(
        detail(cast.community.slug),
        {"description": "New words", "join_policy": "request", "slug": "renamed"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["description"], body["join_policy"], body["slug"]) == (
        "New words",
        "request",
        "renamed",
    )
    cast.community.refresh_from_db()
    assert cast.community.slug == "renamed"


def test_plain_member_cannot_update_the_community(cast):
    response = client_for(cast.member).patch(detail(cast.community.slug), {"name": "Mine now"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    cast.community.refresh_from_db()
    assert cast.community.name != "Mine now"


def test_update_to_a_slug_that_exists_is_409(cast):
    make_community(name="Other", slug="other")

    response = client_for(cast.owner).patch(detail(cast.community.slug), {"slug": "other"})

    assert response.status_code == 409
    cast.community.refresh_from_db()
    assert cast.community.slug != "other"


def test_manager_archives_the_community(cast):
    response = client_for(cast.owner).patch(detail(cast.community.slug), {"is_archived": True})
    assert response.status_code == 200
    assert response.json()["is_archived"] is True


def test_created_by_another_user_is_not_mine(member_api_client):
    make_community(owner=UserFactory(), name="Theirs")
    body = member_api_client.get(LIST, {"mine": "true"}).json()
    assert body["count"] == 0


def test_manager_replaces_then_removes_the_cover_image(cast):
    client = client_for(cast.manager)
    url = detail(cast.community.slug)

    added = client.patch(
        url,
        {"cover_image": SimpleUploadedFile("c.png", png_bytes(), "image/png")},
        format="multipart",
    )
    removed = client.patch(url, {"cover_image": None}, format="json")

    assert added.status_code == 200
    assert added.json()["cover_image"]
    assert removed.status_code == 200
    assert removed.json()["cover_image"] is None
    cast.community.refresh_from_db()
    assert not cast.community.cover_image
