"""Asking to join an on-request community, and managers approving or declining."""

import pytest

from communities import permissions
from communities.models import Community, Membership
from communities.services.memberships import (
    membership_request,
    membership_request_approve,
    membership_request_decline,
)
from config.errors import Conflict, NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from tests.communities.factories_memberships import make_role_world, membership_of
from tests.factories import UserFactory, make_community

pytestmark = pytest.mark.django_db

REQUEST = Community.JoinPolicy.REQUEST


@pytest.fixture
def world():
    world = make_role_world(visibility="private", join_policy=REQUEST)
    world["requester"] = UserFactory()
    world["request"] = membership_request(
        user=world["requester"], community=world["community"], message="  I run the metrics. "
    )
    return world


def test_request_is_pending_with_its_message_and_gives_no_access(world):
    request = world["request"]
    assert (request.status, request.request_message) == ("pending", "I run the metrics.")
    assert not permissions.can_read(world["requester"], world["community"])
    assert not Activity.objects.filter(
        actor=world["requester"], verb=Activity.Verb.MEMBER_JOINED
    ).exists()


def test_asking_twice_is_a_conflict(world):
    with pytest.raises(Conflict):
        membership_request(user=world["requester"], community=world["community"])
    assert world["community"].memberships.filter(user=world["requester"]).count() == 1


def test_members_asking_is_a_conflict(world):
    with pytest.raises(Conflict):
        membership_request(user=world["member"], community=world["community"])


@pytest.mark.parametrize(
    "who, visibility, policy, error",
    [
        ("banned", "private", REQUEST, PermissionDenied),
        ("outsider", "public", Community.JoinPolicy.OPEN, ValidationError),
        ("outsider", "private", Community.JoinPolicy.INVITATION, PermissionDenied),
        ("outsider", "secret", REQUEST, NotFound),
        ("banned", "secret", REQUEST, NotFound),
    ],
)
def test_who_cannot_ask(who, visibility, policy, error):
    world = make_role_world(visibility=visibility, join_policy=policy)
    with pytest.raises(error):
        membership_request(user=world[who], community=world["community"])
    assert not world["community"].memberships.filter(user=world[who], status="pending").exists()


def test_too_long_message_is_refused(user):
    community = make_community(join_policy=REQUEST)
    with pytest.raises(ValidationError) as excinfo:
        membership_request(user=user, community=community, message="x" * 501)
    assert "message" in excinfo.value.field_errors
    assert not community.memberships.filter(user=user).exists()


def test_former_member_may_ask_again(user):
    community = make_community(join_policy=REQUEST)
    Membership.objects.create(community=community, user=user, role="moderator", status="left")
    membership = membership_request(user=user, community=community, message="Back!")
    assert (membership.status, membership.role) == ("pending", "member")


# (who decides, allowed?)
DECIDE_TABLE = [
    ("owner", None),
    ("manager", None),
    ("moderator", PermissionDenied),
    ("member", PermissionDenied),
    ("outsider", PermissionDenied),
    ("banned", PermissionDenied),
    ("requester", PermissionDenied),
]


@pytest.mark.parametrize("who, error", DECIDE_TABLE)
def test_approve_permission_table(world, who, error):
    if error is None:
        membership = membership_request_approve(actor=world[who], membership=world["request"])
        assert membership.status == "active"
        assert permissions.can_read(world["requester"], world["community"])
        assert Activity.objects.filter(
            actor=world["requester"],
            verb=Activity.Verb.MEMBER_JOINED,
            community=world["community"],
        ).exists()
    else:
        with pytest.raises(error):
            membership_request_approve(actor=world[who], membership=world["request"])
        assert membership_of(world, "requester").status == "pending"


@pytest.mark.parametrize("who, error", DECIDE_TABLE)
def test_decline_permission_table(world, who, error):
    if error is None:
        membership_request_decline(actor=world[who], membership=world["request"])
        assert not world["community"].memberships.filter(user=world["requester"]).exists()
    else:
        with pytest.raises(error):
            membership_request_decline(actor=world[who], membership=world["request"])
        assert membership_of(world, "requester").status == "pending"


def test_outsider_deciding_in_a_secret_community_gets_not_found():
    world = make_role_world(visibility="secret", join_policy=REQUEST)
    pending = Membership.objects.create(
        community=world["community"], user=UserFactory(), status="pending"
    )
    with pytest.raises(NotFound):
        membership_request_approve(actor=world["outsider"], membership=pending)
    with pytest.raises(NotFound):
        membership_request_decline(actor=world["outsider"], membership=pending)


def test_a_request_is_answered_once(world):
    membership_request_approve(actor=world["manager"], membership=world["request"])
    with pytest.raises(ValidationError):
        membership_request_approve(actor=world["owner"], membership=world["request"])
    with pytest.raises(ValidationError):
        membership_request_decline(actor=world["owner"], membership=world["request"])
    assert membership_of(world, "requester").status == "active"


def test_declined_person_may_ask_again(world):
    membership_request_decline(actor=world["manager"], membership=world["request"])
    again = membership_request(user=world["requester"], community=world["community"])
    assert again.status == "pending"
