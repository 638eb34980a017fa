"""Two communities on either side of the scoping line.

- "Alpha" (public, on request): the community manager ``cm`` runs it as a manager
  (its owner is someone else), with a member, a post, a comment, a report, a pending
  invitation and an open election.
- "Beta" (secret): ``cm`` is a plain member there (so they may read it in the app, but
  not manage it); it has the same kinds of rows. Every row of Beta carries "beta" in
  what the admin lists, so a page can be searched for any leak.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Comment, Community, Election, Flag, Invitation, Membership, Post
from communities.services.comments import comment_create
from communities.services.elections import election_open
from communities.services.invitations import invitation_create
from communities.services.moderation import flag_create
from tests.factories import UserFactory, make_community, make_member, make_post


@dataclass
class Side:
    community: Community
    owner: object
    member: object
    membership: Membership
    post: Post
    comment: Comment
    flag: Flag
    invitation: Invitation
    election: Election


def _build_side(*, label: str, visibility: str, join_policy: str, reporter) -> Side:
    lower = label.lower()
    owner = UserFactory(email=f"{lower}.owner@acme.example", display_name=f"{label} Owner")
    community = make_community(
        owner=owner, name=f"{label} Guild", visibility=visibility, join_policy=join_policy
    )
    member = make_member(
        community,
        UserFactory(email=f"{lower}.member@acme.example", display_name=f"{label} Member"),
    )
    make_member(community, reporter)
    post = make_post(community, author=member, title=f"{label} post title")
    comment = comment_create(author=owner, post=post, body=f"{label} comment body")
    flag = flag_create(reporter=reporter, reason=Flag.Reason.SPAM, post=post)
    (invitation,) = invitation_create(
        inviter=owner, community=community, emails=[f"{lower}.guest@example.org"]
    )
    election = election_open(
        actor=owner,
        community=community,
        title=f"{label} chair election",
        role=Membership.Role.MODERATOR,
        candidates=[member],
        closes_at=timezone.now() + timedelta(days=7),
    )
    return Side(
        community=community,
        owner=owner,
        member=member,
        membership=Membership.objects.get(community=community, user=member),
        post=post,
        comment=comment,
        flag=flag,
        invitation=invitation,
        election=election,
    )


@pytest.fixture
def cm(db):
    return UserFactory(email="carla.cm@acme.example", display_name="Carla CM", is_staff=True)


@pytest.fixture
def reporter(db):
    return UserFactory(email="rita.reporter@acme.example", display_name="Rita Reporter")


@pytest.fixture
def alpha(cm, reporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        side = _build_side(
            label="Alpha",
            visibility=Community.Visibility.PUBLIC,
            join_policy=Community.JoinPolicy.REQUEST,
            reporter=reporter,
        )
    make_member(side.community, cm, role=Membership.Role.MANAGER)
    return side


@pytest.fixture
def beta(cm, reporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        side = _build_side(
            label="Beta",
            visibility=Community.Visibility.SECRET,
            join_policy=Community.JoinPolicy.OPEN,
            reporter=reporter,
        )
    # A plain member of Beta: may read it in the app, may not manage it.
    make_member(side.community, cm)
    return side


@pytest.fixture
def cm_client(client, cm, alpha, beta):
    client.force_login(cm)
    return client


@pytest.fixture
def superuser_client(client, alpha, beta):
    client.force_login(UserFactory(email="root@acme.example", is_staff=True, is_superuser=True))
    return client
