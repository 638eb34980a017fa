import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(email="camille@acme.example", display_name="Camille Martin")


@pytest.fixture
def other_user(db):
    return UserFactory(email="lucas@acme.example", display_name="Lucas Bernard")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def member_api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client
