"""Joining and leaving communities, by join policy and visibility."""

import pytest

from communities import permissions
from communities.models import Community, Invitation, Membership
from communities.services.memberships import membership_add, membership_join, membership_leave
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_memberships import make_role_world, membership_of
from tests.factories import UserFactory, make_community

pytestmark = pytest.mark.django_db

OPEN, REQUEST, INVITATION = (
    Community.JoinPolicy.OPEN,
    Community.JoinPolicy.REQUEST,
    Community.JoinPolicy.INVITATION,
)


def _joined_logged(user, community) -> int:
    return Activity.objects.filter(
        actor=user, verb=Activity.Verb.MEMBER_JOINED, community=community
    ).count()


# (who, visibility, join policy, expected error or None when they end up active)
JOIN_TABLE = [
    ("outsider", "public", OPEN, None),
    ("outsider", "private", OPEN, None),
    ("outsider", "public", REQUEST, ValidationError),
    ("outsider", "private", INVITATION, PermissionDenied),
    ("outsider", "secret", OPEN, NotFound),
    ("outsider", "secret", INVITATION, NotFound),
    ("banned", "public", OPEN, PermissionDenied),
    ("banned", "private", OPEN, PermissionDenied),
    ("banned", "secret", OPEN, NotFound),
    ("member", "secret", INVITATION, None),
    ("manager", "private", REQUEST, None),
]


@pytest.mark.parametrize("who, visibility, policy, error", JOIN_TABLE)
def test_join_permission_table(who, visibility, policy, error):
    world = make_role_world(visibility=visibility, join_policy=policy)
    user, community = world[who], world["community"]
    before = Membership.objects.filter(community=community, user=user).first()
    if error is None:
        membership = membership_join(user=user, community=community)
        assert membership.status == Membership.Status.ACTIVE
        assert permissions.is_member(user, community)
    else:
        with pytest.raises(error):
            membership_join(user=user, community=community)
        after = Membership.objects.filter(community=community, user=user).first()
        assert (after.status if after else None) == (before.status if before else None)
        assert not permissions.is_member(user, community)


def test_joining_an_open_community_is_logged_once(user):
    community = make_community()
    membership_join(user=user, community=community)
    membership_join(user=user, community=community)
    assert _joined_logged(user, community) == 1
    assert community.memberships.filter(user=user, role="member", status="active").exists()


def test_on_request_policy_tells_to_send_a_request(user):
    community = make_community(join_policy=REQUEST)
    with pytest.raises(ValidationError) as excinfo:
        membership_join(user=user, community=community)
    assert excinfo.value.code == "request_required"
    assert not community.memberships.filter(user=user).exists()
    assert _joined_logged(user, community) == 0


def test_pending_invitation_lets_one_join_a_secret_invitation_only_community(user):
    world = make_role_world(visibility="secret", join_policy=INVITATION)
    community = world["community"]
    Invitation.objects.create(community=community, email=user.email, invited_by=world["member"])
    membership = membership_join(user=user, community=community)
    assert membership.status == "active"
    assert membership.invited_by == world["member"]
    assert Invitation.objects.get(community=community, email=user.email).status == "accepted"
    assert permissions.can_read(user, community)


def test_archived_community_takes_no_new_members(user):
    community = make_community()
    community.is_archived = True
    community.save()
    with pytest.raises(ValidationError):
        membership_join(user=user, community=community)
    assert not community.memberships.filter(user=user).exists()


def test_former_member_can_rejoin_as_plain_member(user):
    community = make_community()
    membership_add(community=community, user=user, role=Membership.Role.MODERATOR)
    membership_leave(user=user, community=community)
    membership = membership_join(user=user, community=community)
    assert (membership.status, membership.role) == ("active", "member")
    assert _joined_logged(user, community) == 2


def test_leaving_sets_left_logs_it_and_closes_private_content():
    world = make_role_world(visibility="private")
    community, member = world["community"], world["member"]
    assert permissions.can_read(member, community)
    membership_leave(user=member, community=community)
    assert membership_of(world, "member").status == "left"
    assert Activity.objects.filter(
        actor=member, verb=Activity.Verb.MEMBER_LEFT, community=community
    ).exists()
    assert not permissions.can_read(member, community)


def test_last_owner_cannot_leave():
    world = make_role_world()
    with pytest.raises(ValidationError) as excinfo:
        membership_leave(user=world["owner"], community=world["community"])
    assert excinfo.value.code == "last_owner"
    assert membership_of(world, "owner").status == "active"
    assert not Activity.objects.filter(verb=Activity.Verb.MEMBER_LEFT).exists()


def test_an_owner_may_leave_when_another_owner_remains():
    world = make_role_world()
    Membership.objects.filter(community=world["community"], user=world["manager"]).update(
        role="owner"
    )
    membership_leave(user=world["owner"], community=world["community"])
    assert membership_of(world, "owner").status == "left"
    assert membership_of(world, "owner").role == "member"


def test_leaving_while_pending_withdraws_the_request():
    world = make_role_world(join_policy=REQUEST)
    requester = UserFactory()
    Membership.objects.create(community=world["community"], user=requester, status="pending")
    membership_leave(user=requester, community=world["community"])
    assert not world["community"].memberships.filter(user=requester).exists()
    assert not Activity.objects.filter(verb=Activity.Verb.MEMBER_LEFT).exists()


@pytest.mark.parametrize(
    "who, visibility, error",
    [
        ("outsider", "public", ValidationError),
        ("banned", "public", ValidationError),
        ("outsider", "secret", NotFound),
        ("banned", "secret", NotFound),
    ],
)
def test_non_members_cannot_leave(who, visibility, error):
    world = make_role_world(visibility=visibility)
    with pytest.raises(error):
        membership_leave(user=world[who], community=world["community"])


def test_banned_member_stays_banned_after_trying_to_leave():
    world = make_role_world()
    with pytest.raises(ValidationError):
        membership_leave(user=world["banned"], community=world["community"])
    assert membership_of(world, "banned").status == "banned"
