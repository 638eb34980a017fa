"""Helpers for conversation tests: a cast of roles in each kind of community, uploads."""

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from communities.models import Community, Membership, Post
from communities.services.posts import post_create
from metrics.models import Activity
from tests.factories import UserFactory, make_community, make_member

PUBLIC, PRIVATE, SECRET = (
    Community.Visibility.PUBLIC,
    Community.Visibility.PRIVATE,
    Community.Visibility.SECRET,
)
VISIBILITIES = (PUBLIC, PRIVATE, SECRET)
ROLES = ("author", "owner", "manager", "moderator", "member", "outsider", "banned")


@dataclass
class Cast:
    """One community with a member in each role, and a post by ``author`` (a member)."""

    community: Community
    post: Post
    people: dict = field(default_factory=dict)

    def __getitem__(self, role):
        return self.people[role]


def make_cast(visibility: str = PUBLIC, *, kind: str = Post.Kind.DISCUSSION, **post_kwargs) -> Cast:
    owner = UserFactory()
    community = make_community(owner=owner, visibility=visibility)
    people = {
        "owner": owner,
        "manager": make_member(community, role=Membership.Role.MANAGER),
        "moderator": make_member(community, role=Membership.Role.MODERATOR),
        "member": make_member(community),
        "author": make_member(community),
        "outsider": UserFactory(),
    }
    banned = UserFactory()
    Membership.objects.create(community=community, user=banned, status=Membership.Status.BANNED)
    people["banned"] = banned
    post_kwargs.setdefault("title", "Quarterly goals")
    post_kwargs.setdefault("body", "What are our goals for the quarter?")
    post = post_create(author=people["author"], community=community, kind=kind, **post_kwargs)
    return Cast(community=community, post=post, people=people)


def activities(verb: str, **filters) -> list[Activity]:
    return list(Activity.objects.filter(verb=verb, **filters))


def image_bytes(fmt: str = "PNG", size=(1200, 800), mode: str = "RGB") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, color=(20, 120, 200) if mode == "RGB" else None).save(output, fmt)
    return output.getvalue()


def png_upload(name: str = "chart.png", size=(1200, 800)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG", size), content_type="image/png")


def pdf_upload(name: str = "minutes.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


def poll_data(*options: str, allows_multiple: bool = False, closes_at=None) -> dict:
    return {
        "options": list(options or ("Tuesday", "Thursday")),
        "allows_multiple": allows_multiple,
        "closes_at": closes_at,
    }


def event_data(*, capacity=None, starts_in=timedelta(days=7), hours: int = 2) -> dict:
    starts_at = timezone.now() + starts_in
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        "timezone": "Europe/Paris",
        "location": "Lyon office, room 4",
        "online_url": "https://meet.acme.example/summit",
        "capacity": capacity,
    }
