"""The contribution timeline, filtered by what the viewer may see."""

from datetime import timedelta

import pytest

from communities.models import Community, Post
from communities.services.comments import answer_accept, comment_create
from profiles.models import Badge, Kudos
from profiles.recognition.badges import badge_award_manual, badges_evaluate
from profiles.recognition.kudos import kudos_give, kudos_hide
from profiles.recognition.timeline import contribution_timeline
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def kinds(items):
    return [item["kind"] for item in items]


def test_timeline_shows_posts_answers_kudos_and_badges_newest_first():
    community = make_community(owner=UserFactory())
    member, asker, colleague = (make_member(community) for _ in range(3))
    post = make_post(community, author=member, title="My first post")
    question = make_post(community, author=asker, kind=Post.Kind.QUESTION, title="How?")
    answer = comment_create(author=member, post=question, body="Like this")
    answer_accept(actor=asker, post=question, comment=answer)
    received = kudos_give(giver=colleague, recipients=[member], value="helpful", message="Thx")
    given = kudos_give(giver=member, recipients=[colleague], value="teamwork", message="Yay")
    badges_evaluate(user=member)

    items = contribution_timeline(viewer=colleague, user=member)

    assert {item["object"] for item in items if item["kind"] != "badge"} == {
        post,
        answer,
        received,
        given,
    }
    by_kind = {item["kind"]: item["object"] for item in items if item["kind"] != "badge"}
    assert by_kind["kudos_received"] == received
    assert by_kind["kudos_given"] == given
    assert by_kind["accepted_answer"] == answer
    assert {item["object"].badge.code for item in items if item["kind"] == "badge"} == {
        "first_post",
        "first_accepted_answer",
        "helpful",
    }
    dates = [item["at"] for item in items]
    assert dates == sorted(dates, reverse=True)


def test_contributions_in_communities_the_viewer_cannot_read_are_left_out():
    secret = make_community(owner=UserFactory(), visibility=Community.Visibility.SECRET)
    private = make_community(owner=UserFactory(), visibility=Community.Visibility.PRIVATE)
    member = make_member(secret)
    make_member(private, member)
    colleague = make_member(secret)
    make_post(secret, author=member, title="Secret plan")
    make_post(private, author=member, title="Private notes")
    shared = kudos_give(
        giver=colleague, recipients=[member], value="helpful", message="Thx", community=secret
    )
    outsider, insider = UserFactory(), colleague

    outsider_view = contribution_timeline(viewer=outsider, user=member)
    insider_view = contribution_timeline(viewer=insider, user=member)

    assert kinds(outsider_view) == []
    assert shared in [item["object"] for item in insider_view]
    # The insider shares the secret community only: the private post stays out.
    assert [item["object"].title for item in insider_view if item["kind"] == "post"] == [
        "Secret plan"
    ]


def test_hidden_kudos_and_hidden_posts_are_left_out():
    community = make_community(owner=UserFactory())
    member, colleague = make_member(community), make_member(community)
    post = make_post(community, author=member)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    kudos = kudos_give(giver=colleague, recipients=[member], value="helpful", message="Thx")
    kudos_hide(actor=UserFactory(is_staff=True), kudos=kudos)

    assert contribution_timeline(viewer=colleague, user=member) == []


def test_manual_badges_appear_and_limit_applies():
    member = UserFactory()
    badge = Badge.objects.create(code="mentor", name="Mentor", description="x", is_manual=True)
    badge_award_manual(actor=UserFactory(is_staff=True), badge=badge, user=member, reason="Great")
    for _ in range(3):
        kudos_give(giver=UserFactory(), recipients=[member], value="helpful", message="Thx")
    oldest = Kudos.objects.order_by("created_at").first()
    Kudos.objects.filter(pk=oldest.pk).update(created_at=oldest.created_at - timedelta(days=3))

    items = contribution_timeline(viewer=UserFactory(), user=member, limit=3)

    assert len(items) == 3
    assert oldest not in [item["object"] for item in items]
    assert "badge" in kinds(items)
    assert contribution_timeline(viewer=member, user=member, limit=0) == []


@pytest.mark.parametrize("size", [1, 20])
def test_timeline_query_count_does_not_grow(size, django_assert_num_queries):
    community = make_community(owner=UserFactory())
    member, viewer = make_member(community), make_member(community)
    for index in range(size):
        make_post(community, author=member, title=f"Post {index}")
        kudos_give(
            giver=UserFactory(), recipients=[member, UserFactory()], value="helpful", message="x"
        )
    badges_evaluate(user=member)

    with django_assert_num_queries(5):
        items = contribution_timeline(viewer=viewer, user=member)

    assert len(items) == 2 * size + 1
