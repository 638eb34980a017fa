"""Reputation: quality over volume, and a breakdown the member understands."""

from datetime import timedelta

import pytest

from communities.models import Post, Reaction
from communities.services.comments import answer_accept, comment_create
from communities.services.reactions import reaction_toggle
from profiles.models import Follow, Kudos
from profiles.recognition.kudos import kudos_give, kudos_hide
from profiles.recognition.reputation import (
    POINTS_ACCEPTED_ANSWER,
    POINTS_KUDOS_PEER,
    POINTS_REACTION,
    POINTS_REPLY,
    reputation_for,
)
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def lines(reputation):
    return {line["code"]: (line["count"], line["points"]) for line in reputation["breakdown"]}


@pytest.fixture
def community():
    return make_community(owner=UserFactory())


def accepted_answer(community, answerer):
    asker = make_member(community)
    question = make_post(community, author=asker, kind=Post.Kind.QUESTION, title="How?")
    answer = comment_create(author=answerer, post=question, body="Like this.")
    answer_accept(actor=asker, post=question, comment=answer)
    return question


def test_a_newcomer_has_zero_with_every_line_explained():
    reputation = reputation_for(user=UserFactory())
    assert reputation["total"] == 0
    assert [line["code"] for line in reputation["breakdown"]] == [
        "accepted_answers",
        "kudos_peers",
        "replies_received",
        "reactions_received",
    ]
    assert all(line["label"] for line in reputation["breakdown"])
    assert reputation["public"] is True


def test_one_accepted_answer_outranks_many_self_posts_and_reactions(community, settings):
    settings.CERCLE_REPUTATION_REACTIONS_DAILY_CAP = 5
    helper, show_off = make_member(community), make_member(community)
    accepted_answer(community, helper)
    fans = [make_member(community) for _ in range(4)]
    for _ in range(10):
        post = make_post(community, author=show_off, title="Look at me")
        reaction_toggle(user=show_off, kind="like", post=post)  # own reactions: nothing
        for fan in fans:
            reaction_toggle(user=fan, kind="like", post=post)
    Follow.objects.bulk_create(Follow(follower=fan, followed=show_off) for fan in fans)

    helper_score = reputation_for(user=helper)
    show_off_score = reputation_for(user=show_off)

    assert lines(helper_score)["accepted_answers"] == (1, POINTS_ACCEPTED_ANSWER)
    assert lines(show_off_score)["reactions_received"] == (40, 5 * POINTS_REACTION)
    assert helper_score["total"] > show_off_score["total"]
    assert show_off_score["total"] == 5  # 40 reactions in one day, capped; posts earn 0


def test_reactions_received_are_capped_per_utc_day(community, settings):
    settings.CERCLE_REPUTATION_REACTIONS_DAILY_CAP = 2
    author = make_member(community)
    post = make_post(community, author=author)
    reactors = [make_member(community) for _ in range(3)]
    for reactor in reactors:
        reaction_toggle(user=reactor, kind="like", post=post)
    assert lines(reputation_for(user=author))["reactions_received"] == (3, 2)

    Reaction.objects.filter(user=reactors[0]).update(
        created_at=Reaction.objects.get(user=reactors[0]).created_at - timedelta(days=1)
    )

    assert lines(reputation_for(user=author))["reactions_received"] == (3, 3)


def test_reactions_on_comments_count_for_their_author(community):
    author = make_member(community)
    comment = comment_create(author=author, post=make_post(community), body="Good point")
    reaction_toggle(user=make_member(community), kind="insightful", comment=comment)
    assert lines(reputation_for(user=author))["reactions_received"] == (1, 1)


def test_kudos_count_once_per_distinct_peer(settings):
    settings.CERCLE_KUDOS_DAILY_CAP = 50
    member, friend, other = UserFactory(), UserFactory(), UserFactory()
    for _ in range(5):
        kudos_give(giver=friend, recipients=[member], value="helpful", message="Thanks")
    kudos_give(giver=other, recipients=[member], value="teamwork", message="Thanks")

    assert lines(reputation_for(user=member))["kudos_peers"] == (2, 2 * POINTS_KUDOS_PEER)


def test_hidden_kudos_earn_nothing():
    member, giver = UserFactory(), UserFactory()
    kudos = kudos_give(giver=giver, recipients=[member], value="helpful", message="Thanks")
    kudos_hide(actor=UserFactory(is_staff=True), kudos=kudos)
    assert reputation_for(user=member)["total"] == 0
    assert Kudos.objects.get().is_hidden


def test_replies_from_others_weigh_more_than_reactions(community):
    replied, reacted = make_member(community), make_member(community)
    replied_post, reacted_post = (
        make_post(community, author=replied),
        make_post(community, author=reacted),
    )
    colleague = make_member(community)
    comment_create(author=colleague, post=replied_post, body="Interesting")
    comment_create(author=colleague, post=replied_post, body="And another thing")  # same pair
    comment_create(author=replied, post=replied_post, body="Self reply earns nothing")
    reaction_toggle(user=colleague, kind="like", post=reacted_post)

    assert lines(reputation_for(user=replied))["replies_received"] == (1, POINTS_REPLY)
    assert reputation_for(user=replied)["total"] > reputation_for(user=reacted)["total"]


def test_followers_earn_no_points():
    star = UserFactory()
    Follow.objects.bulk_create(Follow(follower=UserFactory(), followed=star) for _ in range(20))
    assert reputation_for(user=star)["total"] == 0


def test_community_reputation_counts_only_that_community(community):
    elsewhere = make_community(owner=UserFactory())
    answerer = make_member(community)
    make_member(elsewhere, answerer)
    accepted_answer(community, answerer)
    accepted_answer(elsewhere, answerer)

    assert lines(reputation_for(user=answerer))["accepted_answers"][0] == 2
    assert lines(reputation_for(user=answerer, community=community))["accepted_answers"][0] == 1


def test_hidden_content_earns_nothing(community):
    author = make_member(community)
    post = make_post(community, author=author)
    reaction_toggle(user=make_member(community), kind="like", post=post)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    assert reputation_for(user=author)["total"] == 0


def test_reputation_says_when_public_recognition_is_off(settings):
    settings.CERCLE_PUBLIC_RECOGNITION = False
    assert reputation_for(user=UserFactory())["public"] is False
