"""Per-community leaderboards: privacy switch, opt-out, minimum size, top 10, secrecy,
and a constant number of queries."""

import pytest

from communities.models import Community, Membership, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.reactions import reaction_toggle
from config.errors import NotFound, PermissionDenied
from profiles.recognition.reputation import leaderboard
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def community_of(size, visibility=Community.Visibility.PUBLIC):
    """A community with ``size`` active members (the owner included)."""
    owner = UserFactory(display_name="Owner")
    community = make_community(owner=owner, visibility=visibility)
    members = [owner] + [make_member(community) for _ in range(size - 1)]
    return community, members


def react_to(community, author, reactors):
    post = make_post(community, author=author)
    for reactor in reactors:
        reaction_toggle(user=reactor, kind="like", post=post)
    return post


def names(board):
    return [entry["user"].display_name for entry in board["entries"]]


def test_members_are_ranked_by_quality_with_ranks_and_scores():
    community, members = community_of(6)
    owner, helper, poster, *others = members
    helper.display_name, poster.display_name = "Helper", "Poster"
    helper.save(), poster.save()
    question = make_post(community, author=owner, kind=Post.Kind.QUESTION, title="How?")
    answer = comment_create(author=helper, post=question, body="Like this")
    answer_accept(actor=owner, post=question, comment=answer)
    react_to(community, poster, others)

    board = leaderboard(viewer=others[0], community=community)

    assert board["enabled"] is True and board["reason"] is None
    # 15 for the accepted answer, 3 reactions, 1 reply on the owner's question; members
    # who earned nothing are left out.
    assert names(board) == ["Helper", "Poster", "Owner"]
    assert [entry["rank"] for entry in board["entries"]] == [1, 2, 3]
    assert [entry["score"] for entry in board["entries"]] == [15, 3, 2]


def test_only_what_happened_in_the_community_counts():
    community, members = community_of(5)
    elsewhere = make_community(owner=UserFactory())
    star = members[1]
    make_member(elsewhere, star)
    react_to(elsewhere, star, [make_member(elsewhere) for _ in range(3)])
    assert leaderboard(viewer=members[0], community=community)["entries"] == []


def test_off_when_public_recognition_is_switched_off(settings):
    settings.CERCLE_PUBLIC_RECOGNITION = False
    community, members = community_of(6)
    react_to(community, members[1], members[2:])

    board = leaderboard(viewer=members[0], community=community)

    assert board["enabled"] is False
    assert board["entries"] == []
    assert "turned off" in board["reason"]


def test_no_leaderboard_under_the_minimum_number_of_members(settings):
    settings.CERCLE_LEADERBOARD_MIN_MEMBERS = 5
    community, members = community_of(4)
    react_to(community, members[1], members[2:])
    pending = UserFactory()
    Membership.objects.create(
        community=community, user=pending, status=Membership.Status.PENDING
    )  # pending requests do not count

    board = leaderboard(viewer=members[0], community=community)

    assert (board["enabled"], board["entries"]) == (False, [])
    assert "5 members" in board["reason"]
    make_member(community)
    assert leaderboard(viewer=members[0], community=community)["enabled"] is True


def test_members_who_opted_out_are_not_listed():
    community, members = community_of(6)
    shy, visible = members[1], members[2]
    shy.show_in_leaderboards = False
    shy.save()
    react_to(community, shy, members[3:])
    react_to(community, visible, members[3:4])

    board = leaderboard(viewer=members[0], community=community)

    assert [entry["user"] for entry in board["entries"]] == [visible]


def test_inactive_accounts_and_former_members_are_not_listed():
    community, members = community_of(7)
    gone, left = members[1], members[2]
    react_to(community, gone, members[3:])
    react_to(community, left, members[3:])
    gone.is_active = False
    gone.save()
    Membership.objects.filter(community=community, user=left).update(status=Membership.Status.LEFT)
    assert leaderboard(viewer=members[0], community=community)["entries"] == []


def test_top_10_only(settings):
    settings.CERCLE_REPUTATION_REACTIONS_DAILY_CAP = 100
    community, members = community_of(14)
    fans = members[:2]
    ranked = members[2:14]  # 12 contributors with 1..12 reactions each
    extra_fans = [make_member(community) for _ in range(10)]
    for count, member in enumerate(ranked, start=1):
        react_to(community, member, (fans + extra_fans)[:count])

    board = leaderboard(viewer=fans[0], community=community)

    assert len(board["entries"]) == 10
    assert [entry["user"] for entry in board["entries"]] == list(reversed(ranked))[:10]
    assert [entry["score"] for entry in board["entries"]] == list(range(12, 2, -1))


@pytest.mark.parametrize(
    ("visibility", "error"),
    [
        (Community.Visibility.PUBLIC, None),
        (Community.Visibility.PRIVATE, PermissionDenied),
        (Community.Visibility.SECRET, NotFound),
    ],
)
def test_who_may_see_a_leaderboard(visibility, error):
    community, members = community_of(5, visibility)
    outsider = UserFactory()

    assert leaderboard(viewer=members[1], community=community)["enabled"] is True
    if error is None:
        assert leaderboard(viewer=outsider, community=community)["enabled"] is True
    else:
        with pytest.raises(error):
            leaderboard(viewer=outsider, community=community)


@pytest.mark.parametrize("size", [1, 20])
def test_leaderboard_query_count_does_not_grow_with_members(
    size, settings, django_assert_num_queries
):
    settings.CERCLE_LEADERBOARD_MIN_MEMBERS = 1
    community, members = community_of(size + 1)
    viewer, contributors = members[0], members[1:]
    for contributor in contributors:
        react_to(community, contributor, [viewer])

    with django_assert_num_queries(8):
        board = leaderboard(viewer=viewer, community=community)

    assert len(board["entries"]) == min(size, 10)
