"""Fixtures for the browser views: people with a role in a community, logged in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community, Membership
from tests.factories import UserFactory, make_community, make_member


@pytest.fixture
def owner(db):
    return UserFactory(email="odile.owner@acme.example", display_name="Odile Owner")


@pytest.fixture
def community(owner):
    return make_community(owner=owner, name="Engineering Guild", description="Builders unite.")


@pytest.fixture
def member(community):
    return make_member(
        community, UserFactory(email="mia.member@acme.example", display_name="Mia Member")
    )


@pytest.fixture
def moderator(community):
    return make_member(
        community,
        UserFactory(email="max.moderator@acme.example", display_name="Max Moderator"),
        role=Membership.Role.MODERATOR,
    )


@pytest.fixture
def outsider(db):
    return UserFactory(email="otto.outsider@acme.example", display_name="Otto Outsider")


@pytest.fixture
def secret_community(owner):
    return make_community(owner=owner, name="Board Room", visibility=Community.Visibility.SECRET)


@pytest.fixture
def private_community(owner):
    return make_community(
        owner=owner,
        name="HR Circle",
        visibility=Community.Visibility.PRIVATE,
        description="People matters.",
    )


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def count_queries(client):
    """How many queries a GET of ``url`` costs once caches are warm."""

    def count(url: str, **headers) -> int:
        client.get(url, **headers)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, **headers)
        assert response.status_code == 200
        return len(context)

    return count
