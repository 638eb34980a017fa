"""Fixtures for the communities API tests: a community with one person per role."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from communities.models import Community, Membership
from communities.services.memberships import membership_ban, membership_request
from tests.factories import UserFactory, make_community, make_member


@dataclass
class Cast:
    """A community and one person in each relation to it."""

    community: Community
    owner: object
    manager: object
    moderator: object
    member: object
    outsider: object
    banned: object
    requester: object

    def person(self, role: str):
        return getattr(self, role)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_cast(visibility: str = Community.Visibility.PUBLIC, **kwargs) -> Cast:
    owner = UserFactory()
    community = make_community(owner=owner, visibility=visibility, **kwargs)
    manager = make_member(community, role=Membership.Role.MANAGER)
    moderator = make_member(community, role=Membership.Role.MODERATOR)
    member = make_member(community)
    banned = make_member(community)
    membership_ban(actor=owner, membership=community.memberships.get(user=banned))
    requester = UserFactory()
    if community.join_policy == Community.JoinPolicy.REQUEST:
        membership_request(user=requester, community=community, message="Please")
    return Cast(
        community=community,
        owner=owner,
        manager=manager,
        moderator=moderator,
        member=member,
        outsider=UserFactory(),
        banned=banned,
        requester=requester,
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()
