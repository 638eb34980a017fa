"""Creating a community and changing its settings: who may, and what bad input gets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Community, Membership
from communities.services.communities import community_create, community_update
from config.errors import Conflict, NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_memberships import image_upload, make_role_world
from tests.factories import UserFactory, make_community

pytestmark = pytest.mark.django_db


def test_creator_becomes_owner_and_creation_is_logged(user):
    community = community_create(
        creator=user,
        name="  Metrics task force ",
        description="Working group",
        visibility=Community.Visibility.PRIVATE,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    assert community.name == "Metrics task force"
    assert community.slug == "metrics-task-force"
    membership = Membership.objects.get(community=community, user=user)
    assert (membership.role, membership.status) == ("owner", "active")
    assert Activity.objects.filter(
        actor=user, verb=Activity.Verb.COMMUNITY_CREATED, community=community
    ).exists()


def test_derived_slugs_do_not_collide(user):
    first = community_create(creator=user, name="Design")
    second = community_create(creator=user, name="Design")
    assert (first.slug, second.slug) == ("design", "design-2")


def test_taken_slug_is_a_conflict_and_writes_nothing(user):
    community_create(creator=user, name="Sales", slug="sales")
    before = Community.objects.count()
    with pytest.raises(Conflict) as excinfo:
        community_create(creator=user, name="Sales again", slug="sales")
    assert excinfo.value.field_errors == {"slug": ["Already taken."]}
    assert Community.objects.count() == before


@pytest.mark.parametrize("slug", ["with space", "accents-é", "slash/no", "dot.no"])
def test_malformed_slug_is_refused(user, slug):
    with pytest.raises(ValidationError) as excinfo:
        community_create(creator=user, name="Team", slug=slug)
    assert "slug" in excinfo.value.field_errors
    assert not Community.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Ok", "visibility": "hidden"}, "visibility"),
        ({"name": "Ok", "join_policy": "whenever"}, "join_policy"),
    ],
)
def test_bad_fields_are_refused_with_field_errors(user, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        community_create(creator=user, **kwargs)
    assert field in excinfo.value.field_errors
    assert not Community.objects.exists()
    assert not Activity.objects.exists()


def test_real_image_is_accepted_as_cover(user):
    community = community_create(creator=user, name="Photos", cover_image=image_upload())
    community.refresh_from_db()
    assert community.cover_image.name.startswith("communities/covers/")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile(
            "cover.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            content_type="image/png",
        ),
        SimpleUploadedFile("cover.jpg", b"not an image at all", content_type="image/jpeg"),
        image_upload("cover.bmp", image_format="BMP"),
    ],
    ids=["svg-named-png", "text-named-jpg", "bmp"],
)
def test_cover_that_is_not_an_allowed_picture_is_refused(user, upload):
    with pytest.raises(ValidationError) as excinfo:
        community_create(creator=user, name="Photos", cover_image=upload)
    assert "cover_image" in excinfo.value.field_errors
    assert not Community.objects.exists()


def test_oversized_cover_is_refused(user, settings):
    settings.CERCLE_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as excinfo:
        community_create(creator=user, name="Photos", cover_image=image_upload())
    assert "cover_image" in excinfo.value.field_errors


def test_subgroup_of_a_visible_community(user):
    parent = make_community(visibility=Community.Visibility.PRIVATE)
    child = community_create(creator=user, name="Task force", parent=parent)
    assert child.parent == parent


def test_subgroup_of_a_secret_community_one_cannot_see_is_refused(user):
    parent = make_community(visibility=Community.Visibility.SECRET)
    with pytest.raises(ValidationError) as excinfo:
        community_create(creator=user, name="Task force", parent=parent)
    assert "parent" in excinfo.value.field_errors
    assert Community.objects.count() == 1


def test_subgroup_of_an_archived_community_is_refused(user):
    parent = make_community()
    parent.is_archived = True
    parent.save()
    with pytest.raises(ValidationError):
        community_create(creator=user, name="Task force", parent=parent)


# (who, visibility, expected outcome of changing the name)
UPDATE_TABLE = [
    ("owner", "public", None),
    ("manager", "public", None),
    ("moderator", "public", PermissionDenied),
    ("member", "public", PermissionDenied),
    ("outsider", "public", PermissionDenied),
    ("banned", "public", PermissionDenied),
    ("owner", "secret", None),
    ("manager", "secret", None),
    ("member", "secret", PermissionDenied),
    ("outsider", "secret", NotFound),
    ("banned", "secret", NotFound),
]


@pytest.mark.parametrize("who, visibility, error", UPDATE_TABLE)
def test_update_permission_table(who, visibility, error):
    world = make_role_world(visibility=visibility)
    community = world["community"]
    if error is None:
        community_update(actor=world[who], community=community, name="Renamed")
        community.refresh_from_db()
        assert community.name == "Renamed"
    else:
        with pytest.raises(error):
            community_update(actor=world[who], community=community, name="Renamed")
        community.refresh_from_db()
        assert community.name != "Renamed"


def test_superuser_may_update_any_community():
    community = make_community(visibility=Community.Visibility.SECRET)
    admin = UserFactory(is_superuser=True, is_staff=True)
    community_update(actor=admin, community=community, join_policy="invitation")
    community.refresh_from_db()
    assert community.join_policy == "invitation"


def test_update_changes_several_settings_and_archives(user):
    community = make_community(owner=user)
    updated = community_update(
        actor=user,
        community=community,
        description=" New description ",
        visibility="private",
        join_policy="request",
        is_archived=True,
        slug="new-address",
    )
    assert updated is community
    community.refresh_from_db()
    assert (community.description, community.visibility, community.join_policy) == (
        "New description",
        "private",
        "request",
    )
    assert community.is_archived is True
    assert community.slug == "new-address"


def test_update_to_a_taken_slug_is_a_conflict(user):
    make_community(owner=user, slug="taken")
    community = make_community(owner=user, slug="mine", name="Mine")
    with pytest.raises(Conflict) as excinfo:
        community_update(actor=user, community=community, slug="taken", name="Changed")
    assert excinfo.value.field_errors == {"slug": ["Already taken."]}
    community.refresh_from_db()
    assert (community.slug, community.name) == ("mine", "Mine")


def test_update_keeping_its_own_slug_is_fine(user):
    community = make_community(owner=user, slug="mine")
    community_update(actor=user, community=community, slug="mine", name="Same address")
    community.refresh_from_db()
    assert (community.slug, community.name) == ("mine", "Same address")


def test_update_refuses_unknown_fields(user):
    community = make_community(owner=user)
    with pytest.raises(ValidationError) as excinfo:
        community_update(actor=user, community=community, created_by=None)
    assert "created_by" in excinfo.value.field_errors


def test_update_refuses_a_parent_loop(user):
    top = make_community(owner=user)
    child = community_create(creator=user, name="Child", parent=top)
    with pytest.raises(ValidationError) as excinfo:
        community_update(actor=user, community=top, parent=child)
    assert "parent" in excinfo.value.field_errors
    with pytest.raises(ValidationError):
        community_update(actor=user, community=top, parent=top)
    top.refresh_from_db()
    assert top.parent is None


def test_update_sets_and_removes_the_cover(user):
    community = make_community(owner=user)
    community_update(actor=user, community=community, cover_image=image_upload())
    community.refresh_from_db()
    assert community.cover_image
    community_update(actor=user, community=community, cover_image=None)
    community.refresh_from_db()
    assert not community.cover_image


def test_update_refuses_a_fake_cover(user):
    community = make_community(owner=user)
    fake = SimpleUploadedFile("cover.gif", b"GIF89a but not really", content_type="image/gif")
    with pytest.raises(ValidationError):
        community_update(actor=user, community=community, cover_image=fake)
    community.refresh_from_db()
    assert not community.cover_image
