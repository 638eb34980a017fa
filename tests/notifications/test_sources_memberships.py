"""Who hears of membership requests, approvals and invitations."""

import pytest
from django.db import transaction

from communities.models import Community, Membership, NotificationLevel
from communities.services.invitations import invitation_create
from communities.services.memberships import (
    membership_request,
    membership_request_approve,
    membership_request_decline,
)
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from tests.factories import UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db


def rows(kind) -> set[tuple]:
    return set(
        Notification.objects.filter(kind=kind).values_list(
            "recipient_id", "actor_id", "community_id", "actor_count", "group_key"
        )
    )


@pytest.fixture
def on_request():
    """A community joined on request, with an owner, a manager, a moderator, a member."""
    owner = UserFactory()
    community = make_community(owner=owner, join_policy=Community.JoinPolicy.REQUEST)
    manager = make_member(community, role=Membership.Role.MANAGER)
    moderator = make_member(community, role=Membership.Role.MODERATOR)
    member = make_member(community)
    return community, owner, manager, moderator, member


def test_a_request_notifies_the_active_owners_and_managers_only(on_request):
    community, owner, manager, moderator, member = on_request
    former_manager = make_member(community, role=Membership.Role.MANAGER)
    Membership.objects.filter(user=former_manager).update(status=Membership.Status.LEFT)
    muted_manager = make_member(community, role=Membership.Role.MANAGER)
    Membership.objects.filter(user=muted_manager).update(notification_level=NotificationLevel.MUTED)
    requester = UserFactory()

    membership_request(user=requester, community=community, message="I run the QA team.")

    key = f"membership_request:{community.pk}"
    assert rows(Kind.MEMBERSHIP_REQUEST) == {
        (owner.pk, requester.pk, community.pk, 1, key),
        (manager.pk, requester.pk, community.pk, 1, key),
        (muted_manager.pk, requester.pk, community.pk, 1, key),  # a direct address
    }
    assert not Notification.objects.filter(recipient__in=[moderator, member, requester]).exists()


def test_requests_group_per_community_for_each_manager(on_request):
    community, owner, manager, _moderator, _member = on_request
    alice, bob = UserFactory(), UserFactory()

    membership_request(user=alice, community=community)
    membership_request(user=bob, community=community)

    key = f"membership_request:{community.pk}"
    assert rows(Kind.MEMBERSHIP_REQUEST) == {
        (owner.pk, bob.pk, community.pk, 2, key),
        (manager.pk, bob.pk, community.pk, 2, key),
    }


def test_a_private_community_s_owner_hears_of_requests():
    owner = UserFactory()
    community = make_community(
        owner=owner,
        visibility=Community.Visibility.PRIVATE,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    requester = UserFactory()

    membership_request(user=requester, community=community)

    assert {r[0] for r in rows(Kind.MEMBERSHIP_REQUEST)} == {owner.pk}


def test_a_manager_who_turned_requests_off_hears_nothing(on_request):
    community, owner, manager, _moderator, _member = on_request
    NotificationPreference.objects.create(
        user=manager, kind=Kind.MEMBERSHIP_REQUEST, delivery=Delivery.OFF
    )

    membership_request(user=UserFactory(), community=community)

    assert {r[0] for r in rows(Kind.MEMBERSHIP_REQUEST)} == {owner.pk}


def test_a_refused_or_rolled_back_request_notifies_nobody(on_request):
    community, _owner, _manager, _moderator, member = on_request

    with pytest.raises(RuntimeError), transaction.atomic():
        membership_request(user=UserFactory(), community=community)
        raise RuntimeError
    with pytest.raises(Exception, match="already a member"):
        membership_request(user=member, community=community)

    assert not Notification.objects.exists()


def test_an_approval_notifies_the_requester_from_the_approver(on_request):
    community, _owner, manager, _moderator, _member = on_request
    requester = UserFactory()
    membership = membership_request(user=requester, community=community)
    Notification.objects.all().delete()

    membership_request_approve(actor=manager, membership=membership)

    assert rows(Kind.MEMBERSHIP_APPROVED) == {(requester.pk, manager.pk, community.pk, 1, None)}
    assert Notification.objects.count() == 1


def test_a_declined_request_notifies_nobody(on_request):
    community, owner, _manager, _moderator, _member = on_request
    membership = membership_request(user=UserFactory(), community=community)
    Notification.objects.all().delete()

    membership_request_decline(actor=owner, membership=membership)

    assert not Notification.objects.exists()


@pytest.mark.parametrize("visibility", list(Community.Visibility))
def test_an_invitation_notifies_a_colleague_with_an_account(visibility):
    owner = UserFactory()
    community = make_community(owner=owner, visibility=visibility)
    colleague = UserFactory(email="dana@acme.example")

    invitation_create(
        inviter=owner, community=community, emails=["dana@acme.example", "new@acme.example"]
    )

    # The invitation itself lets them know a private or secret community; the address
    # without an account hears by email only.
    assert rows(Kind.INVITATION) == {(colleague.pk, owner.pk, community.pk, 1, None)}
    assert Notification.objects.count() == 1


def test_a_colleague_who_turned_invitations_off_or_a_rolled_back_invitation_tells_nothing():
    owner = UserFactory()
    community = make_community(owner=owner)
    off = UserFactory(email="off@acme.example")
    UserFactory(email="later@acme.example")
    NotificationPreference.objects.create(user=off, kind=Kind.INVITATION, delivery=Delivery.OFF)

    invitation_create(inviter=owner, community=community, emails=["off@acme.example"])
    with pytest.raises(RuntimeError), transaction.atomic():
        invitation_create(inviter=owner, community=community, emails=["later@acme.example"])
        raise RuntimeError

    assert not Notification.objects.exists()
