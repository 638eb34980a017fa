"""Every list endpoint of the communities API costs the same number of queries for 1 row
as for 20: nothing is fetched per row."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from communities.models import Community, Flag, Membership
from communities.services.comments import comment_create
from communities.services.elections import election_open
from communities.services.invitations import invitation_create
from communities.services.memberships import membership_request
from communities.services.moderation import flag_create
from communities.services.reactions import reaction_toggle
from tests.communities.api.conftest import client_for
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def _communities(n: int):
    viewer = UserFactory()
    for index in range(n):
        community = make_community(
            name=f"Guild {index}",
            visibility=Community.Visibility.PRIVATE if index % 2 else Community.Visibility.PUBLIC,
        )
        if index % 3 == 0:
            make_member(community, viewer, role=Membership.Role.MODERATOR)
    return viewer, "/api/v1/communities/"


def _members(n: int):
    owner = UserFactory()
    community = make_community(owner=owner)
    for _ in range(n - 1):
        make_member(community)
    return owner, f"/api/v1/communities/{community.slug}/members/"


def _requests(n: int):
    owner = UserFactory()
    community = make_community(owner=owner, join_policy=Community.JoinPolicy.REQUEST)
    for _ in range(n):
        membership_request(user=UserFactory(), community=community, message="Let me in")
    return owner, f"/api/v1/communities/{community.slug}/requests/"


def _elections(n: int):
    owner = UserFactory()
    community = make_community(owner=owner)
    candidates = [make_member(community), make_member(community)]
    for index in range(n):
        election_open(
            actor=owner,
            community=community,
            title=f"Chair {index}",
            role=Membership.Role.MODERATOR,
            candidates=candidates,
            closes_at=timezone.now() + timedelta(days=3),
        )
    return owner, f"/api/v1/communities/{community.slug}/elections/"


def _invitations(n: int):
    invitee = UserFactory()
    for _ in range(n):
        community = make_community()
        inviter = community.memberships.get().user
        invitation_create(inviter=inviter, community=community, emails=[invitee.email])
    return invitee, "/api/v1/invitations/"


def _posts_of_kind(kind: str):
    def build(n: int):
        owner = UserFactory()
        community = make_community(owner=owner)
        reader = make_member(community)
        starts = timezone.now() + timedelta(days=1)
        extra = {
            "poll": {"poll": {"options": ["Yes", "No"]}},
            "event": {"event": {"starts_at": starts, "ends_at": starts + timedelta(hours=1)}},
        }.get(kind, {})
        for index in range(n):
            post = make_post(
                community,
                author=owner,
                kind=kind,
                body=f"About #topic{index % 3} with @{reader.email.split('@')[0]}",
                attachments=[_png()],
                **extra,
            )
            reaction_toggle(user=reader, kind="like", post=post)
        return reader, "/api/v1/posts/"

    return build


def _comments(n: int):
    owner = UserFactory()
    community = make_community(owner=owner)
    reader = make_member(community)
    post = make_post(community, author=owner)
    for index in range(n):
        comment = comment_create(author=owner, post=post, body=f"Comment {index}")
        comment_create(author=reader, post=post, body="Reply", parent=comment)
        reaction_toggle(user=reader, kind="like", comment=comment)
    return reader, f"/api/v1/posts/{post.pk}/comments/"


def _flags(n: int):
    owner = UserFactory()
    community = make_community(owner=owner)
    reporter = make_member(community)
    author = make_member(community)
    for index in range(n):
        post = make_post(community, author=author, title=f"Post {index}")
        if index % 2:
            comment = comment_create(author=author, post=post, body="Nasty")
            flag_create(reporter=reporter, reason=Flag.Reason.ABUSE, comment=comment)
        else:
            flag_create(reporter=reporter, reason=Flag.Reason.SPAM, post=post)
    return owner, "/api/v1/moderation/flags/"


def _topics(n: int):
    community = make_community()
    reader = UserFactory()
    for index in range(n):
        make_post(community, body=f"#subject{index}")
    return reader, "/api/v1/topics/"


# endpoint: (builder, queries for the request, whatever the number of rows)
ENDPOINTS = {
    "communities": (_communities, 2),
    "members": (_members, 5),
    "requests": (_requests, 5),
    "elections": (_elections, 6),
    "invitations": (_invitations, 2),
    "posts-discussions": (_posts_of_kind("discussion"), 4),
    "posts-polls": (_posts_of_kind("poll"), 5),
    "posts-events": (_posts_of_kind("event"), 4),
    "comments": (_comments, 12),
    "flags": (_flags, 2),
    "topics": (_topics, 2),
}


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_list_query_count_does_not_grow_with_rows(endpoint, rows, django_assert_num_queries):
    builder, queries = ENDPOINTS[endpoint]
    viewer, url = builder(rows)
    client = client_for(viewer)

    with django_assert_num_queries(queries):
        response = client.get(url, {"page_size": 50})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
