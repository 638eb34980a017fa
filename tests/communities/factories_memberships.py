"""Helpers for membership, invitation and election tests."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from communities.models import Community, Membership
from tests.factories import UserFactory, make_community

ROLES = ("owner", "manager", "moderator", "member", "outsider", "banned")


def make_role_world(
    *,
    visibility: str = Community.Visibility.PUBLIC,
    join_policy: str = Community.JoinPolicy.OPEN,
) -> dict:
    """A community with one user per role in ROLES (keys of the returned dict), plus
    "community" and a second manager-free owner-less "member2"."""
    owner = UserFactory(display_name="Olivia Owner")
    community = make_community(owner=owner, visibility=visibility, join_policy=join_policy)
    world = {"community": community, "owner": owner, "outsider": UserFactory()}
    for role in (Membership.Role.MANAGER, Membership.Role.MODERATOR, Membership.Role.MEMBER):
        user = UserFactory()
        Membership.objects.create(community=community, user=user, role=role)
        world[str(role)] = user
    member2 = UserFactory()
    Membership.objects.create(community=community, user=member2)
    world["member2"] = member2
    banned = UserFactory()
    Membership.objects.create(community=community, user=banned, status=Membership.Status.BANNED)
    world["banned"] = banned
    return world


def membership_of(world: dict, who: str) -> Membership:
    return Membership.objects.get(community=world["community"], user=world[who])


def image_upload(name: str = "cover.png", image_format: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#3366cc").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format}")


def in_days(days: float):
    return timezone.now() + timedelta(days=days)
