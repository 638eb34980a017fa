import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: a request made in French leaves French
    active in the thread, and text built outside a request would follow it."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


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


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each test gets its own channel layer: layers bind to the event loop that first used
    them, and every async test runs in a loop of its own."""
    from channels.layers import channel_layers

    from tests.live import close_listeners

    channel_layers.backends.clear()
    yield
    close_listeners()
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached state (once-a-day visit markers, rate limits) never leaks between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
