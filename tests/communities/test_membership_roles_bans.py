"""Changing members' roles, and banning: who may do it to whom."""

import pytest

from communities import permissions
from communities.models import Invitation, Membership
from communities.services.memberships import (
    membership_ban,
    membership_join,
    membership_role_assign,
    membership_role_change,
    membership_unban,
)
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_memberships import make_role_world, membership_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# (actor, target, new role, expected error or None)
ROLE_TABLE = [
    ("owner", "member", "moderator", None),
    ("owner", "manager", "owner", None),
    ("owner", "moderator", "member", None),
    ("manager", "member", "manager", None),
    ("manager", "moderator", "member", None),
    ("manager", "member", "owner", PermissionDenied),
    ("manager", "owner", "member", PermissionDenied),
    ("moderator", "member", "moderator", PermissionDenied),
    ("member", "member2", "moderator", PermissionDenied),
    ("member", "member", "manager", PermissionDenied),
    ("outsider", "member", "moderator", PermissionDenied),
    ("banned", "member", "moderator", PermissionDenied),
    ("owner", "owner", "manager", ValidationError),
    ("owner", "member", "chair", ValidationError),
    ("owner", "banned", "moderator", ValidationError),
]


@pytest.mark.parametrize("actor, target, role, error", ROLE_TABLE)
def test_role_change_permission_table(actor, target, role, error):
    world = make_role_world()
    membership = membership_of(world, target)
    before = membership.role
    if error is None:
        changed = membership_role_change(actor=world[actor], membership=membership, role=role)
        assert changed.role == role
        assert membership_of(world, target).role == role
    else:
        with pytest.raises(error):
            membership_role_change(actor=world[actor], membership=membership, role=role)
        assert membership_of(world, target).role == before


def test_outsider_changing_roles_in_a_secret_community_gets_not_found():
    world = make_role_world(visibility="secret")
    with pytest.raises(NotFound):
        membership_role_change(
            actor=world["outsider"], membership=membership_of(world, "member"), role="manager"
        )


def test_new_role_gives_its_powers():
    world = make_role_world()
    community, member = world["community"], world["member"]
    assert not permissions.can_moderate(member, community)
    membership_role_change(
        actor=world["manager"], membership=membership_of(world, "member"), role="moderator"
    )
    assert permissions.can_moderate(member, community)
    assert not permissions.can_manage(member, community)


def test_owner_may_step_down_once_another_owner_exists():
    world = make_role_world()
    membership_role_change(
        actor=world["owner"], membership=membership_of(world, "manager"), role="owner"
    )
    membership_role_change(
        actor=world["owner"], membership=membership_of(world, "owner"), role="member"
    )
    assert membership_of(world, "owner").role == "member"
    assert not permissions.can_manage(world["owner"], world["community"])


def test_role_assign_keeps_the_last_owner():
    world = make_role_world()
    with pytest.raises(ValidationError):
        membership_role_assign(membership=membership_of(world, "owner"), role="moderator")
    assert membership_of(world, "owner").role == "owner"


# (actor, target, expected error or None)
BAN_TABLE = [
    ("moderator", "member", None),
    ("manager", "member", None),
    ("manager", "moderator", None),
    ("owner", "manager", None),
    ("owner", "moderator", None),
    ("moderator", "manager", PermissionDenied),
    ("manager", "owner", PermissionDenied),
    ("member", "member2", PermissionDenied),
    ("outsider", "member", PermissionDenied),
    ("banned", "member", PermissionDenied),
    ("moderator", "moderator", ValidationError),
    ("superuser", "owner", PermissionDenied),
    ("superuser", "manager", None),
]


@pytest.mark.parametrize("actor, target, error", BAN_TABLE)
def test_ban_permission_table(actor, target, error):
    world = make_role_world()
    world["superuser"] = UserFactory(is_superuser=True, is_staff=True)
    membership = membership_of(world, target)
    if error is None:
        banned = membership_ban(actor=world[actor], membership=membership)
        assert banned.status == "banned"
        assert membership_of(world, target).status == "banned"
    else:
        with pytest.raises(error):
            membership_ban(actor=world[actor], membership=membership)
        assert membership_of(world, target).status == "active"


def test_moderator_cannot_ban_another_moderator():
    world = make_role_world()
    other = UserFactory()
    Membership.objects.create(community=world["community"], user=other, role="moderator")
    with pytest.raises(PermissionDenied):
        membership_ban(
            actor=world["moderator"],
            membership=Membership.objects.get(community=world["community"], user=other),
        )


def test_banned_member_keeps_no_access_to_a_secret_community():
    world = make_role_world(visibility="secret")
    community, member = world["community"], world["member"]
    Invitation.objects.create(community=community, email=member.email, invited_by=world["owner"])
    membership_ban(actor=world["moderator"], membership=membership_of(world, "member"))
    assert not permissions.can_see(member, community)
    assert not permissions.can_read(member, community)
    assert Invitation.objects.get(community=community, email=member.email).status == "revoked"
    assert Activity.objects.filter(
        actor=member, verb=Activity.Verb.MEMBER_LEFT, community=community
    ).exists()
    with pytest.raises(NotFound):
        membership_join(user=member, community=community)


def test_banned_member_cannot_rejoin_an_open_community():
    world = make_role_world()
    membership_ban(actor=world["manager"], membership=membership_of(world, "member"))
    with pytest.raises(PermissionDenied):
        membership_join(user=world["member"], community=world["community"])


def test_banning_twice_changes_nothing():
    world = make_role_world()
    membership_ban(actor=world["manager"], membership=membership_of(world, "member"))
    membership_ban(actor=world["manager"], membership=membership_of(world, "member"))
    assert Activity.objects.filter(verb=Activity.Verb.MEMBER_LEFT).count() == 1


# (actor, expected error or None) for lifting the ban of a plain member
UNBAN_TABLE = [
    ("owner", None),
    ("manager", None),
    ("moderator", None),
    ("member", PermissionDenied),
    ("outsider", PermissionDenied),
]


@pytest.mark.parametrize("actor, error", UNBAN_TABLE)
def test_unban_permission_table(actor, error):
    world = make_role_world()
    membership = membership_of(world, "banned")
    if error is None:
        lifted = membership_unban(actor=world[actor], membership=membership)
        assert (lifted.status, lifted.role) == ("left", "member")
    else:
        with pytest.raises(error):
            membership_unban(actor=world[actor], membership=membership)
        assert membership_of(world, "banned").status == "banned"


def test_unbanned_person_may_join_again():
    world = make_role_world()
    membership_unban(actor=world["manager"], membership=membership_of(world, "banned"))
    assert not permissions.is_member(world["banned"], world["community"])
    membership_join(user=world["banned"], community=world["community"])
    assert permissions.is_member(world["banned"], world["community"])


def test_unbanning_someone_not_banned_is_refused():
    world = make_role_world()
    with pytest.raises(ValidationError):
        membership_unban(actor=world["manager"], membership=membership_of(world, "member"))
