"""How you are connected: the shortest chain through follows and shared communities."""

import itertools

import pytest

from communities.models import Community, Membership
from profiles.selectors import connection_path
from profiles.services import follow_create
from tests.factories import UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db


def _names(path):
    return None if path is None else [user.display_name for user in path]


@pytest.fixture
def people():
    return {name: UserFactory(display_name=name) for name in ("Me", "Alice", "Bob", "Carol", "Dan")}


def test_path_to_oneself(people):
    assert _names(connection_path(viewer=people["Me"], target=people["Me"])) == ["Me"]


def test_follows_link_in_either_direction(people):
    follow_create(follower=people["Me"], followed=people["Alice"])
    follow_create(follower=people["Bob"], followed=people["Alice"])
    path = connection_path(viewer=people["Me"], target=people["Bob"])
    assert _names(path) == ["Me", "Alice", "Bob"]
    assert path[1].connection == "followed by Me"
    assert path[2].connection == "follows Alice"


def test_shared_public_community_links_and_says_which(people):
    community = make_community(owner=people["Alice"], name="Design guild")
    make_member(community, people["Bob"])
    follow_create(follower=people["Me"], followed=people["Alice"])
    path = connection_path(viewer=people["Me"], target=people["Bob"])
    assert _names(path) == ["Me", "Alice", "Bob"]
    assert path[2].connection == "in Design guild with Alice"


def test_three_steps_is_the_limit(people):
    chain = ["Me", "Alice", "Bob", "Carol", "Dan"]
    for left, right in itertools.pairwise(chain):
        follow_create(follower=people[left], followed=people[right])
    assert _names(connection_path(viewer=people["Me"], target=people["Carol"])) == chain[:4]
    assert connection_path(viewer=people["Me"], target=people["Dan"]) is None
    assert _names(connection_path(viewer=people["Me"], target=people["Dan"], max_steps=4)) == chain
    assert connection_path(viewer=people["Me"], target=people["Bob"], max_steps=1) is None


def test_the_shortest_path_wins(people):
    for left, right in [("Me", "Alice"), ("Alice", "Bob"), ("Bob", "Dan"), ("Me", "Carol")]:
        follow_create(follower=people[left], followed=people[right])
    follow_create(follower=people["Dan"], followed=people["Carol"])
    assert _names(connection_path(viewer=people["Me"], target=people["Dan"])) == [
        "Me",
        "Carol",
        "Dan",
    ]


# (community visibility, the viewer is an active member of it, the path from Me to Bob)
COMMUNITY_LINK_TABLE = [
    ("public", False, ["Me", "Alice", "Bob"]),
    ("public", True, ["Me", "Bob"]),
    ("private", True, ["Me", "Bob"]),
    ("secret", True, ["Me", "Bob"]),
    ("private", False, None),
    ("secret", False, None),
]


@pytest.mark.parametrize("visibility, viewer_in_it, expected", COMMUNITY_LINK_TABLE)
def test_a_community_links_people_only_when_the_viewer_may_see_its_members(
    people, visibility, viewer_in_it, expected
):
    community = make_community(owner=people["Alice"], visibility=visibility, name="Club")
    make_member(community, people["Bob"])
    if viewer_in_it:
        make_member(community, people["Me"])
    follow_create(follower=people["Me"], followed=people["Alice"])
    assert _names(connection_path(viewer=people["Me"], target=people["Bob"])) == expected


def test_a_secret_community_the_viewer_is_not_in_is_never_a_bridge(people):
    secret = make_community(
        owner=people["Alice"], visibility=Community.Visibility.SECRET, name="Board"
    )
    make_member(secret, people["Bob"])
    follow_create(follower=people["Me"], followed=people["Alice"])
    assert connection_path(viewer=people["Me"], target=people["Bob"]) is None
    # Alice herself is in it: from her point of view, Bob is one step away.
    assert _names(connection_path(viewer=people["Alice"], target=people["Bob"])) == [
        "Alice",
        "Bob",
    ]


def test_non_active_memberships_and_deactivated_people_do_not_link(people):
    community = make_community(owner=people["Alice"], name="Club")
    Membership.objects.create(
        community=community, user=people["Bob"], status=Membership.Status.PENDING
    )
    follow_create(follower=people["Me"], followed=people["Alice"])
    assert connection_path(viewer=people["Me"], target=people["Bob"]) is None
    follow_create(follower=people["Alice"], followed=people["Carol"])
    people["Alice"].is_active = False
    people["Alice"].save()
    assert connection_path(viewer=people["Me"], target=people["Carol"]) is None


def test_queries_depend_on_steps_not_on_the_size_of_communities(
    people, django_assert_max_num_queries
):
    community = make_community(owner=people["Alice"], name="Big")
    for _ in range(30):
        make_member(community)
    make_member(community, people["Bob"])
    follow_create(follower=people["Bob"], followed=people["Carol"])
    follow_create(follower=people["Me"], followed=people["Alice"])
    with django_assert_max_num_queries(3 * 4 + 2):
        path = connection_path(viewer=people["Me"], target=people["Carol"])
    assert _names(path) == ["Me", "Alice", "Bob", "Carol"]
