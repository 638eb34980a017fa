"""Conversations in the admin: superusers read them; nobody else sees them; nobody
changes them there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Membership
from notifications.services.conversations import conversation_start
from tests.factories import UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db

LIST = "/admin/notifications/conversation/"


@pytest.fixture
def conversation():
    alice = UserFactory(display_name="Alice Archer")
    bob = UserFactory(display_name="Bob Baker")
    return conversation_start(
        creator=alice,
        participant_ids=[bob.pk, UserFactory().pk],
        title="Salary review",
        body="Confidential figures",
    ).conversation


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def community_manager():
    manager = UserFactory(is_staff=True)
    community = make_community()
    make_member(community, manager, role=Membership.Role.MANAGER)
    return manager


def test_superusers_read_conversations_with_participants_and_messages(
    client, superuser, conversation
):
    client.force_login(superuser)

    listing = client.get(LIST)
    detail = client.get(f"{LIST}{conversation.pk}/change/")
    index = client.get("/admin/")

    assert listing.status_code == 200 and "Salary review" in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Confidential figures" in page and "Alice Archer" in page and "Bob Baker" in page
    assert 'name="_save"' not in page  # read-only
    assert LIST in index.content.decode()
    assert client.get(f"{LIST}?q=bob").status_code == 200


def test_superusers_can_neither_add_change_nor_delete(client, superuser, conversation):
    client.force_login(superuser)

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{conversation.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{LIST}{conversation.pk}/change/", {"title": "Renamed"})
    conversation.refresh_from_db()
    assert conversation.title == "Salary review"


@pytest.mark.parametrize("who", ["staff", "community_manager"])
def test_other_staff_do_not_see_conversations_in_the_admin(client, conversation, who, request):
    user = UserFactory(is_staff=True) if who == "staff" else request.getfixturevalue(who)
    client.force_login(user)

    index = client.get("/admin/")
    listing = client.get(LIST)
    detail = client.get(f"{LIST}{conversation.pk}/change/")

    assert index.status_code == 200 and LIST not in index.content.decode()
    assert listing.status_code == 403
    assert detail.status_code == 403
    assert "Confidential figures" not in detail.content.decode()


def test_the_admin_list_costs_the_same_for_one_and_many(client, superuser):
    client.force_login(superuser)

    def cost(count):
        for _ in range(count):
            conversation_start(
                creator=UserFactory(), participant_ids=[UserFactory().pk], body="Hello"
            )
        client.get(LIST)
        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST).status_code == 200
        return len(context)

    assert cost(1) == cost(10)
