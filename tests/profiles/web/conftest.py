"""Fixtures for the people pages: colleagues in a community, logged in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.services import user_profile_update
from tests.factories import UserFactory, make_community, make_member


@pytest.fixture
def alice(db):
    user = UserFactory(email="alice@acme.example", display_name="Alice Arnaud")
    return user_profile_update(
        user=user,
        job_title="SRE",
        department="Platform",
        location="Lyon",
        time_zone="Europe/Paris",
        bio="Loves **uptime**.",
        skills=["Kubernetes", "Python"],
        interests=["Cycling"],
        languages=["fr", "en"],
    )


@pytest.fixture
def bob(db):
    user = UserFactory(email="bob@acme.example", display_name="Bob Bernard")
    return user_profile_update(
        user=user,
        department="Sales",
        location="Paris",
        skills=["Negotiation"],
        interests=["Cycling"],
    )


@pytest.fixture
def guild(alice, bob):
    community = make_community(owner=alice, name="Engineering Guild")
    make_member(community, bob)
    return community


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
        assert response.status_code == 200, response.content[:500]
        return len(context)

    return count
