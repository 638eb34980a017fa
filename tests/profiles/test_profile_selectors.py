"""The people directory, a profile, and what it shows of a member's contributions."""

import pytest

from communities.models import Community, Membership
from communities.services.comments import comment_create, comment_delete
from communities.services.posts import post_hide
from config.errors import NotFound
from profiles.selectors import (
    profile_communities,
    profile_contributions,
    profile_get,
    profile_list,
    topics_followed,
)
from profiles.services import follow_create, topic_follow, user_profile_update
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.profiles.factories_profiles import answered_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(user):
    alice = UserFactory(display_name="Alice Durand", department="Design", location="Paris")
    user_profile_update(user=alice, job_title="UX lead", skills=["Figma"], interests=["Jazz"])
    bob = UserFactory(display_name="Bob Petit", department="Sales", location="Lyon")
    user_profile_update(user=bob, skills=["Negotiation"], interests=["Cycling", "Jazz"])
    gone = UserFactory(display_name="Alice Gone", department="Design", is_active=False)
    return {"alice": alice, "bob": bob, "gone": gone}


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, ["Alice Durand", "Bob Petit", "Camille Martin"]),
        ({"search": "alice"}, ["Alice Durand"]),
        ({"search": "ux LEAD"}, ["Alice Durand"]),
        ({"search": "figma"}, ["Alice Durand"]),
        ({"search": "cycl"}, ["Bob Petit"]),
        ({"department": "design"}, ["Alice Durand"]),
        ({"skill": "NEGOTIATION"}, ["Bob Petit"]),
        ({"interest": "jazz"}, ["Alice Durand", "Bob Petit"]),
        ({"location": "lyo"}, ["Bob Petit"]),
        ({"interest": "jazz", "location": "paris"}, ["Alice Durand"]),
        ({"skill": "Cobol"}, []),
    ],
)
def test_directory_search_and_filters(user, people, filters, expected):
    names = [person.display_name for person in profile_list(viewer=user, **filters)]
    assert names == expected


def test_directory_leaves_out_deactivated_members(user, people):
    assert people["gone"] not in profile_list(viewer=user, search="alice")


def test_directory_rows_say_who_the_viewer_follows(user, people):
    follow_create(follower=user, followed=people["alice"])
    follow_create(follower=people["bob"], followed=user)
    follow_create(follower=people["bob"], followed=people["alice"])
    rows = {person.display_name: person for person in profile_list(viewer=user)}
    alice, bob = rows["Alice Durand"], rows["Bob Petit"]
    assert (alice.is_followed, alice.follows_you, alice.follower_count) == (True, False, 2)
    assert (bob.is_followed, bob.follows_you, bob.follower_count) == (False, True, 0)
    assert [skill.name for skill in alice.skills.all()] == ["Figma"]


@pytest.mark.parametrize("extra", [0, 19])
def test_directory_query_count_does_not_grow(user, extra, django_assert_num_queries):
    user_profile_update(user=user, skills=["Python"], interests=["Jazz"])
    for _ in range(extra):
        member = UserFactory()
        user_profile_update(user=member, skills=["Python", "Go"], interests=["Chess"])
        follow_create(follower=user, followed=member)
    with django_assert_num_queries(3):
        rows = list(profile_list(viewer=user))
        assert len(rows) == extra + 1
        for row in rows:
            [skill.name for skill in row.skills.all()]
            [interest.name for interest in row.interests.all()]


def test_profile_get(user, people):
    alice = profile_get(viewer=user, user_id=str(people["alice"].pk))
    assert alice.display_name == "Alice Durand"
    assert alice.is_followed is False


@pytest.mark.parametrize("user_id", ["gone", 999_999, "abc", None])
def test_profile_get_unknown_or_deactivated_is_not_found(user, people, user_id):
    if user_id == "gone":
        user_id = people["gone"].pk
    with pytest.raises(NotFound):
        profile_get(viewer=user, user_id=user_id)


@pytest.fixture
def contributions():
    """Alice writes in a public, a private and a secret community."""
    alice = UserFactory(display_name="Alice")
    insider = UserFactory(display_name="Insider")
    outsider = UserFactory(display_name="Outsider")
    places = {}
    for visibility in ("public", "private", "secret"):
        community = make_community(owner=alice, visibility=visibility, name=f"{visibility} club")
        make_member(community, insider)
        post = make_post(community, author=alice, title=f"{visibility} post")
        comment = comment_create(
            author=alice,
            post=make_post(community, author=insider, title=f"{visibility} thread"),
            body="My comment",
        )
        places[visibility] = {"community": community, "post": post, "comment": comment}
    return {"alice": alice, "insider": insider, "outsider": outsider, "places": places}


def _titles(items):
    return sorted((item.kind, item.post.title) for item in items)


# (viewer, communities whose contributions they see)
CONTRIBUTIONS_TABLE = [
    ("insider", {"public", "private", "secret"}),
    ("alice", {"public", "private", "secret"}),
    ("outsider", {"public"}),
]


@pytest.mark.parametrize("viewer, visible", CONTRIBUTIONS_TABLE)
def test_contributions_follow_the_viewers_visibility(contributions, viewer, visible):
    items = profile_contributions(viewer=contributions[viewer], user=contributions["alice"])
    expected = sorted(
        [("post", f"{v} post") for v in visible] + [("comment", f"{v} thread") for v in visible]
    )
    assert _titles(items) == expected
    assert all(item.post.community.visibility in visible for item in items)
    assert items == sorted(items, key=lambda item: item.created_at, reverse=True)


def test_outsider_never_sees_secret_contributions_even_accepted_answers(contributions):
    secret = contributions["places"]["secret"]["community"]
    answered_question(secret, asker=contributions["insider"], answerer=contributions["alice"])
    outsider_items = profile_contributions(
        viewer=contributions["outsider"], user=contributions["alice"]
    )
    assert "accepted_answer" not in {item.kind for item in outsider_items}
    insider_items = profile_contributions(
        viewer=contributions["insider"], user=contributions["alice"]
    )
    assert [item.post.title for item in insider_items if item.kind == "accepted_answer"] == [
        "A question"
    ]


def test_banned_member_no_longer_sees_public_contributions(contributions):
    public = contributions["places"]["public"]["community"]
    Membership.objects.create(
        community=public, user=contributions["outsider"], status=Membership.Status.BANNED
    )
    assert (
        profile_contributions(viewer=contributions["outsider"], user=contributions["alice"]) == []
    )


def test_hidden_and_deleted_contributions_are_left_out(contributions):
    alice = contributions["alice"]
    public = contributions["places"]["public"]
    post_hide(actor=alice, post=public["post"])
    comment_delete(actor=alice, comment=public["comment"])
    items = profile_contributions(viewer=contributions["outsider"], user=alice)
    assert items == []


def test_contributions_limit(contributions):
    items = profile_contributions(
        viewer=contributions["insider"], user=contributions["alice"], limit=2
    )
    assert len(items) == 2


@pytest.mark.parametrize("count", [1, 20])
def test_contributions_query_count_does_not_grow(count, django_assert_num_queries):
    alice, reader = UserFactory(), UserFactory()
    community = make_community(owner=alice)
    for index in range(count):
        post = make_post(community, author=alice, title=f"Post {index}")
        comment_create(author=alice, post=post, body="And a reply")
    with django_assert_num_queries(2):
        items = profile_contributions(viewer=reader, user=alice, limit=50)
        assert [item.post.community.name for item in items] == [community.name] * (2 * count)
        assert {item.post.author for item in items} == {alice}
    assert len(items) == 2 * count


def test_profile_shows_only_communities_the_viewer_may_read(contributions):
    alice = contributions["alice"]
    names = lambda viewer: [c.name for c in profile_communities(viewer=viewer, user=alice)]  # noqa: E731
    assert names(contributions["insider"]) == ["private club", "public club", "secret club"]
    assert names(contributions["outsider"]) == ["public club"]


def test_followed_topics_used_only_in_a_secret_community_do_not_leak(user, other_user):
    secret = make_community(owner=user, visibility=Community.Visibility.SECRET)
    make_post(secret, author=user, body="About the #merger")
    topic_follow(user=user, topic_name="merger")
    topic_follow(user=user, topic_name="python")
    assert [t.name for t in topics_followed(user=user)] == ["merger", "python"]
    assert [t.name for t in topics_followed(user=user, viewer=user)] == ["merger", "python"]
    assert [t.name for t in topics_followed(user=user, viewer=other_user)] == []
    public = make_community(owner=user)
    make_post(public, author=user, body="Learning #python")
    assert [t.name for t in topics_followed(user=user, viewer=other_user)] == ["python"]
