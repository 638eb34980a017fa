"""Fixtures for the metrics API tests: a frozen today, a community with one person per
role, a superuser, and API clients for each."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from communities.models import Community
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import UserFactory

#: Today for every test here (a Monday); the last weekly evaluation was the day before.
TODAY = date(2026, 12, 7)
SUNDAY = date(2026, 12, 6)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2026, 12, 7, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def secret_cast(db):
    return make_cast(visibility=Community.Visibility.SECRET)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def client_as(role: str, cast, superuser) -> APIClient:
    """A client for ``role``: superuser, anonymous, or a person of the cast."""
    if role == "anonymous":
        return APIClient()
    if role == "superuser":
        return client_for(superuser)
    return client_for(cast.person(role))
