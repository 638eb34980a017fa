"""Reaction counts and ``my_reactions`` in the posts API: the list (every page, with
filters), a single post and what answering a question returns, with queries that do not
grow with the posts or the reactions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.services.comments import comment_create
from communities.services.reactions import reaction_toggle
from tests.communities.api.conftest import client_for
from tests.factories import make_community, make_member, make_post

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def _by_id(response) -> dict[int, dict]:
    assert response.status_code == 200
    return {post["id"]: post for post in response.json()["results"]}


def test_the_list_shows_each_posts_counts_and_the_askers_reactions(cast):
    liked = make_post(cast.community, author=cast.owner, title="Liked")
    quiet = make_post(cast.community, author=cast.owner, title="Quiet")
    reaction_toggle(user=cast.member, kind="like", post=liked)
    reaction_toggle(user=cast.moderator, kind="like", post=liked)
    reaction_toggle(user=cast.moderator, kind="insightful", post=liked)

    as_member = _by_id(client_for(cast.member).get(POSTS))
    as_moderator = _by_id(client_for(cast.moderator).get(POSTS))

    assert as_member[liked.pk]["reactions"] == {
        "like": 2,
        "celebrate": 0,
        "insightful": 1,
        "helpful": 0,
        "support": 0,
    }
    assert as_member[liked.pk]["my_reactions"] == ["like"]
    assert as_moderator[liked.pk]["my_reactions"] == ["insightful", "like"]
    assert as_moderator[liked.pk]["reactions"] == as_member[liked.pk]["reactions"]
    assert set(as_member[quiet.pk]["reactions"].values()) == {0}
    assert as_member[quiet.pk]["my_reactions"] == []


def test_every_page_of_the_list_carries_its_reactions(cast):
    oldest = make_post(cast.community, author=cast.owner, title="Oldest")
    for number in range(3):
        make_post(cast.community, author=cast.owner, title=f"Newer {number}")
    reaction_toggle(user=cast.member, kind="celebrate", post=oldest)
    client = client_for(cast.member)

    first = client.get(POSTS, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert oldest.pk not in {post["id"] for post in first["results"]}
    [shown] = [post for post in second["results"] if post["id"] == oldest.pk]
    assert shown["reactions"]["celebrate"] == 1
    assert shown["my_reactions"] == ["celebrate"]


def test_a_filtered_list_carries_the_reactions(cast):
    question = make_post(cast.community, author=cast.owner, title="How?", kind="question")
    make_post(cast.community, author=cast.owner, title="Chat")
    reaction_toggle(user=cast.member, kind="helpful", post=question)

    listed = _by_id(client_for(cast.member).get(POSTS, {"kind": "question"}))

    assert list(listed) == [question.pk]
    assert listed[question.pk]["reactions"]["helpful"] == 1
    assert listed[question.pk]["my_reactions"] == ["helpful"]


def test_a_single_post_shows_counts_and_the_askers_reactions(cast):
    post = make_post(cast.community, author=cast.owner, title="One")
    reaction_toggle(user=cast.owner, kind="support", post=post)
    reaction_toggle(user=cast.member, kind="support", post=post)
    reaction_toggle(user=cast.member, kind="like", post=post)

    shown = client_for(cast.member).get(f"{POSTS}{post.pk}/")
    seen_by_outsider = client_for(cast.outsider).get(f"{POSTS}{post.pk}/").json()

    assert shown.status_code == 200
    assert shown.json()["reactions"]["support"] == 2
    assert shown.json()["reactions"]["like"] == 1
    assert shown.json()["my_reactions"] == ["like", "support"]
    assert seen_by_outsider["reactions"] == shown.json()["reactions"]
    assert seen_by_outsider["my_reactions"] == []


def test_accepting_an_answer_returns_the_post_with_its_reactions(cast):
    question = make_post(cast.community, author=cast.member, title="Why?", kind="question")
    answer = comment_create(author=cast.owner, post=question, body="Because.")
    reaction_toggle(user=cast.member, kind="insightful", post=question)

    response = client_for(cast.member).post(
        f"{POSTS}{question.pk}/accept-answer/", {"comment_id": answer.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["accepted_answer_id"] == answer.pk
    assert response.json()["reactions"]["insightful"] == 1
    assert response.json()["my_reactions"] == ["insightful"]


def _count(client, url: str) -> tuple[int, dict]:
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


@pytest.mark.parametrize("path", ["", "?community={slug}"])
def test_list_queries_do_not_grow_with_reacted_posts(path):
    community = make_community()
    viewer = make_member(community)
    reactors = [make_member(community) for _ in range(3)]
    url = POSTS + path.format(slug=community.slug)
    client = client_for(viewer)

    def add_posts(count: int):
        for _ in range(count):
            post = make_post(community, title="Reacted")
            for index, reactor in enumerate([*reactors, viewer]):
                reaction_toggle(user=reactor, kind=["like", "helpful"][index % 2], post=post)

    add_posts(1)
    at_one, body_at_one = _count(client, url)
    add_posts(19)
    at_twenty, body = _count(client, url)

    assert at_twenty == at_one
    assert len(body_at_one["results"]) == 1 and len(body["results"]) == 20
    assert all(post["reactions"]["like"] == 2 for post in body["results"])
    assert all(post["my_reactions"] == ["helpful"] for post in body["results"])


def test_single_post_queries_do_not_grow_with_its_reactions(cast):
    post = make_post(cast.community, author=cast.owner, title="Popular")
    reaction_toggle(user=cast.owner, kind="like", post=post)
    client = client_for(cast.member)
    url = f"{POSTS}{post.pk}/"
    at_one, _ = _count(client, url)
    for _ in range(19):
        reaction_toggle(user=make_member(cast.community), kind="like", post=post)

    at_twenty, body = _count(client, url)

    assert at_twenty == at_one
    assert body["reactions"]["like"] == 20
    assert body["my_reactions"] == []
