"""Reads: the community directory and page, members, requests, invitations, elections."""

import pytest

from communities.models import Community, Election, Invitation, Membership, Post, Topic
from communities.selectors.communities import (
    community_get_for,
    community_list,
    community_members,
    elections_for,
    invitations_for,
    membership_requests_pending,
)
from communities.services.elections import election_open, election_vote
from config.errors import NotFound, PermissionDenied
from tests.communities.factories_memberships import in_days, make_role_world
from tests.factories import UserFactory, make_community

pytestmark = pytest.mark.django_db


# (who, visibility, outcome of opening the community page)
GET_TABLE = [
    ("owner", "secret", "owner"),
    ("member", "secret", "member"),
    ("outsider", "secret", NotFound),
    ("banned", "secret", NotFound),
    ("outsider", "private", None),
    ("banned", "private", None),
    ("outsider", "public", None),
    ("moderator", "public", "moderator"),
]


@pytest.mark.parametrize("who, visibility, outcome", GET_TABLE)
def test_community_page_table(who, visibility, outcome):
    world = make_role_world(visibility=visibility)
    slug = world["community"].slug
    if outcome is NotFound:
        with pytest.raises(NotFound):
            community_get_for(user=world[who], slug=slug)
        return
    community = community_get_for(user=world[who], slug=slug)
    # owner, manager, moderator, member, member2 are active; banned is not counted.
    assert community.member_count == 5
    assert community.my_role == outcome
    assert community.is_member is (outcome is not None)


def test_unknown_slug_is_not_found(user):
    with pytest.raises(NotFound):
        community_get_for(user=user, slug="nowhere")


@pytest.fixture
def directory(user):
    owner = UserFactory()
    design = make_community(owner=owner, name="Design guild", description="Figma and fonts")
    make_community(owner=owner, name="Sales floor", visibility=Community.Visibility.PRIVATE)
    make_community(owner=owner, name="Board room", visibility=Community.Visibility.SECRET)
    mine = make_community(owner=user, name="Metrics task force", description="Design of KPIs")
    topic = Topic.objects.create(name="onboarding")
    post = Post.objects.create(community=design, author=owner, title="Hello", body="#onboarding")
    post.topics.add(topic)
    return {"design": design, "mine": mine}


def _names(queryset) -> list[str]:
    return [community.name for community in queryset]


def test_directory_lists_what_one_may_see_by_name(directory, user):
    assert _names(community_list(user=user)) == [
        "Design guild",
        "Metrics task force",
        "Sales floor",
    ]


def test_directory_filters(directory, user):
    assert _names(community_list(user=user, search="design")) == [
        "Design guild",
        "Metrics task force",
    ]
    assert _names(community_list(user=user, mine=True)) == ["Metrics task force"]
    assert _names(community_list(user=user, visibility="private")) == ["Sales floor"]
    assert _names(community_list(user=user, visibility="secret")) == []
    assert _names(community_list(user=user, topic="#Onboarding")) == ["Design guild"]
    assert _names(community_list(user=user, topic="unknown")) == []


def test_directory_topic_ignores_hidden_posts(directory, user):
    Post.objects.update(is_hidden=True)
    assert _names(community_list(user=user, topic="onboarding")) == []


def test_directory_annotations(directory, user):
    rows = {c.name: c for c in community_list(user=user)}
    assert (rows["Metrics task force"].my_role, rows["Metrics task force"].is_member) == (
        "owner",
        True,
    )
    assert (rows["Design guild"].my_role, rows["Design guild"].is_member) == (None, False)
    assert rows["Design guild"].member_count == 1


@pytest.mark.parametrize("rows", [1, 20])
def test_directory_query_count_is_constant(user, rows, django_assert_num_queries):
    for number in range(rows):
        community = make_community(name=f"Community {number:02}")
        Membership.objects.create(community=community, user=user, role="moderator")
    with django_assert_num_queries(1):
        listed = [
            (c.name, c.member_count, c.is_member, c.my_role)
            for c in community_list(user=user, search="Community", mine=True, topic=None)
        ]
    assert len(listed) == rows
    assert listed[0][1:] == (2, True, "moderator")


# (who, visibility, outcome of listing members)
MEMBERS_TABLE = [
    ("outsider", "public", None),
    ("banned", "public", PermissionDenied),
    ("member", "private", None),
    ("outsider", "private", PermissionDenied),
    ("banned", "private", PermissionDenied),
    ("member", "secret", None),
    ("outsider", "secret", NotFound),
    ("banned", "secret", NotFound),
]


@pytest.mark.parametrize("who, visibility, error", MEMBERS_TABLE)
def test_members_table(who, visibility, error):
    world = make_role_world(visibility=visibility)
    if error is not None:
        with pytest.raises(error):
            community_members(user=world[who], community=world["community"])
        return
    members = list(community_members(user=world[who], community=world["community"]))
    assert [m.role for m in members][:4] == ["owner", "manager", "moderator", "member"]
    assert world["banned"] not in {m.user for m in members}
    assert len(members) == 5


@pytest.mark.parametrize("rows", [1, 20])
def test_members_query_count_is_constant(user, rows, django_assert_num_queries):
    community = make_community(owner=user, visibility=Community.Visibility.PRIVATE)
    for _ in range(rows - 1):
        Membership.objects.create(community=community, user=UserFactory(), invited_by=user)
    # can_see + can_read checks, then one query for the joined rows.
    with django_assert_num_queries(3):
        listed = [
            (m.user.display_name, m.invited_by and m.invited_by.display_name)
            for m in community_members(user=user, community=community)
        ]
    assert len(listed) == rows


# (who, outcome of listing pending requests)
REQUESTS_TABLE = [
    ("owner", None),
    ("manager", None),
    ("moderator", PermissionDenied),
    ("member", PermissionDenied),
    ("outsider", PermissionDenied),
    ("banned", PermissionDenied),
]


@pytest.mark.parametrize("who, error", REQUESTS_TABLE)
def test_pending_requests_table(who, error):
    world = make_role_world(visibility="private", join_policy="request")
    requester = UserFactory()
    Membership.objects.create(community=world["community"], user=requester, status="pending")
    if error is not None:
        with pytest.raises(error):
            membership_requests_pending(user=world[who], community=world["community"])
        return
    pending = membership_requests_pending(user=world[who], community=world["community"])
    assert [m.user for m in pending] == [requester]


def test_pending_requests_of_a_secret_community_are_not_found_for_outsiders():
    world = make_role_world(visibility="secret", join_policy="request")
    with pytest.raises(NotFound):
        membership_requests_pending(user=world["outsider"], community=world["community"])


@pytest.mark.parametrize("rows", [1, 20])
def test_pending_requests_query_count_is_constant(user, rows, django_assert_num_queries):
    community = make_community(owner=user, join_policy="request")
    for _ in range(rows):
        Membership.objects.create(community=community, user=UserFactory(), status="pending")
    # can_see, the manager check, then the joined rows.
    with django_assert_num_queries(3):
        listed = [
            m.user.display_name for m in membership_requests_pending(user=user, community=community)
        ]
    assert len(listed) == rows


def test_my_invitations_are_the_pending_ones_addressed_to_me(user, other_user):
    inviter = UserFactory()
    first = make_community(owner=inviter, visibility=Community.Visibility.SECRET)
    second = make_community(owner=inviter)
    archived = make_community(owner=inviter)
    archived.is_archived = True
    archived.save()
    mine_by_account = Invitation.objects.create(
        community=first, email=user.email, invitee=user, invited_by=inviter
    )
    mine_by_email = Invitation.objects.create(
        community=second, email=user.email.upper(), invited_by=inviter
    )
    Invitation.objects.create(community=archived, email=user.email, invited_by=inviter)
    Invitation.objects.create(
        community=make_community(owner=inviter),
        email=user.email,
        invitee=user,
        invited_by=inviter,
        status="declined",
    )
    Invitation.objects.create(community=first, email=other_user.email, invited_by=inviter)
    assert set(invitations_for(user=user)) == {mine_by_account, mine_by_email}


@pytest.mark.parametrize("rows", [1, 20])
def test_my_invitations_query_count_is_constant(user, rows, django_assert_num_queries):
    inviter = UserFactory()
    for number in range(rows):
        community = make_community(owner=inviter, name=f"Invited {number}")
        Invitation.objects.create(community=community, email=user.email, invited_by=inviter)
    with django_assert_num_queries(1):
        listed = [(i.community.name, i.invited_by.display_name) for i in invitations_for(user=user)]
    assert len(listed) == rows


# (who, visibility, outcome of listing elections)
ELECTIONS_TABLE = [
    ("member", "private", None),
    ("outsider", "public", None),
    ("outsider", "private", PermissionDenied),
    ("banned", "private", PermissionDenied),
    ("outsider", "secret", NotFound),
]


@pytest.mark.parametrize("who, visibility, error", ELECTIONS_TABLE)
def test_elections_table(who, visibility, error):
    world = make_role_world(visibility=visibility)
    election_open(
        actor=world["owner"],
        community=world["community"],
        title="Chair",
        role="moderator",
        candidates=[world["member"]],
        closes_at=in_days(3),
    )
    if error is not None:
        with pytest.raises(error):
            elections_for(user=world[who], community=world["community"])
        return
    assert [e.title for e in elections_for(user=world[who], community=world["community"])] == [
        "Chair"
    ]


@pytest.mark.parametrize("rows", [1, 20])
def test_elections_query_count_is_constant(user, rows, django_assert_num_queries):
    community = make_community(owner=user)
    candidates = [UserFactory(), UserFactory()]
    for candidate in candidates:
        Membership.objects.create(community=community, user=candidate)
    for number in range(rows):
        election = election_open(
            actor=user,
            community=community,
            title=f"Chair {number}",
            role="moderator",
            candidates=candidates,
            closes_at=in_days(3),
        )
        election_vote(voter=user, election=election, candidate=candidates[0])
    # can_see + can_read checks, the elections, their candidates with users.
    with django_assert_num_queries(4):
        listed = [
            (
                e.title,
                e.has_voted,
                e.voter_count,
                e.winner,
                [(c.user.display_name, c.vote_count) for c in e.candidates.all()],
            )
            for e in elections_for(user=user, community=community)
        ]
    assert len(listed) == rows == Election.objects.count()
    assert listed[0][1:3] == (True, 1)


def test_directory_topic_does_not_reveal_private_content_to_outsiders(directory, user):
    sales = Community.objects.get(name="Sales floor")
    post = Post.objects.create(
        community=sales, author=sales.created_by, title="Q4", body="#pricing"
    )
    post.topics.add(Topic.objects.create(name="pricing"))
    assert _names(community_list(user=user, topic="pricing")) == []
    assert _names(community_list(user=sales.created_by, topic="pricing")) == ["Sales floor"]
