"""Reading posts: visibility, filters, reaction summaries, topics, and constant queries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities.models import Post
from communities.selectors.posts import (
    comments_for,
    community_stream,
    post_get_for,
    post_list,
    reaction_summary_attach,
    topic_list,
)
from communities.services.comments import comment_create
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from config.errors import NotFound, PermissionDenied
from tests.communities.factories_conversations import (
    PRIVATE,
    PUBLIC,
    SECRET,
    make_cast,
    pdf_upload,
    poll_data,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

READ_TABLE = [
    ("member", PUBLIC, True),
    ("member", PRIVATE, True),
    ("member", SECRET, True),
    ("moderator", SECRET, True),
    ("outsider", PUBLIC, True),
    ("outsider", PRIVATE, False),
    ("outsider", SECRET, False),
    ("banned", PUBLIC, False),
    ("banned", PRIVATE, False),
    ("banned", SECRET, False),
]


@pytest.mark.parametrize("role, visibility, readable", READ_TABLE)
def test_single_post_and_lists_agree_on_who_reads(role, visibility, readable):
    cast = make_cast(visibility)
    user = cast[role]
    in_list = post_list(user=user).filter(pk=cast.post.pk).exists()
    assert in_list is readable
    if readable:
        assert post_get_for(user=user, post_id=cast.post.pk) == cast.post
        assert [p.pk for p in community_stream(user=user, community=cast.community)] == [
            cast.post.pk
        ]
    else:
        with pytest.raises(NotFound):
            post_get_for(user=user, post_id=cast.post.pk)
        with pytest.raises(NotFound):
            comments_for(user=user, post=cast.post)
        expected = NotFound if visibility == SECRET else PermissionDenied
        with pytest.raises(expected):
            community_stream(user=user, community=cast.community)


def test_anonymous_and_bad_ids_read_nothing():
    cast = make_cast(PUBLIC)
    assert not post_list(user=AnonymousUser()).exists()
    for post_id in (cast.post.pk + 1000, "abc", None):
        with pytest.raises(NotFound):
            post_get_for(user=cast["member"], post_id=post_id)


def test_reaction_summary_and_my_reactions():
    cast = make_cast(PUBLIC)
    reaction_toggle(user=cast["member"], kind="like", post=cast.post)
    reaction_toggle(user=cast["outsider"], kind="like", post=cast.post)
    reaction_toggle(user=cast["outsider"], kind="helpful", post=cast.post)
    post = post_get_for(user=cast["outsider"], post_id=cast.post.pk)
    assert post.reaction_counts["like"] == 2 and post.reaction_counts["helpful"] == 1
    assert post.reaction_counts["celebrate"] == 0
    assert post.reaction_total == 3
    assert post.my_reactions == ["helpful", "like"]
    [listed] = reaction_summary_attach(post_list(user=cast["member"]), user=cast["member"])
    assert listed.my_reactions == ["like"]
    assert listed.reaction_counts == post.reaction_counts and listed.reaction_total == 3


def test_reaction_summary_of_a_page_is_one_query_and_of_nothing_none(
    django_assert_num_queries,
):
    cast = make_cast(PUBLIC)
    quiet = post_create(author=cast["member"], community=cast.community, title="Q", body="-")
    reaction_toggle(user=cast["outsider"], kind="celebrate", post=cast.post)
    posts = list(post_list(user=cast["member"]))
    with django_assert_num_queries(1):
        attached = reaction_summary_attach(posts, user=cast["member"])
    assert attached == posts
    by_pk = {p.pk: p for p in attached}
    assert by_pk[cast.post.pk].reaction_counts["celebrate"] == 1
    assert by_pk[cast.post.pk].my_reactions == []
    assert by_pk[quiet.pk].reaction_total == 0
    assert set(by_pk[quiet.pk].reaction_counts.values()) == {0}
    with django_assert_num_queries(0):
        assert reaction_summary_attach([], user=cast["member"]) == []


def test_filters():
    cast = make_cast(PUBLIC, body="#hiring now")
    question = post_create(
        author=cast["member"], community=cast.community, title="Q", body="?", kind="question"
    )
    other = make_cast(PUBLIC)
    user = cast["outsider"]
    assert set(post_list(user=user, community=cast.community)) == {cast.post, question}
    assert list(post_list(user=user, community=other.community.pk)) == [other.post]
    assert list(post_list(user=user, author_id=cast["member"].pk)) == [question]
    assert list(post_list(user=user, kind="question")) == [question]
    assert list(post_list(user=user, topic="#Hiring")) == [cast.post]
    Post.objects.filter(pk=cast.post.pk).update(created_at=timezone.now() - timedelta(days=10))
    week_ago = timezone.now() - timedelta(days=7)
    assert cast.post not in post_list(user=user, created_after=week_ago)
    assert set(post_list(user=user, created_before=week_ago)) == {cast.post}
    assert list(post_list(user=user))[-1] == cast.post


def test_topic_counts_only_what_the_member_may_read():
    make_cast(PUBLIC, body="#budget #open")
    secret = make_cast(SECRET, body="#budget #layoffs")
    hidden_for = {t.name: t.post_count for t in topic_list(user=secret["outsider"])}
    assert hidden_for == {"budget": 1, "open": 1}
    member_view = {t.name: t.post_count for t in topic_list(user=secret["member"])}
    assert member_view == {"budget": 2, "layoffs": 1, "open": 1}
    assert [t.name for t in topic_list(search="#bud")] == ["budget"]
    assert [t.post_count for t in topic_list(search="budget")] == [1]


def build_posts(count: int):
    cast = make_cast(PUBLIC, kind="poll", poll=poll_data("A", "B"), body="#first")
    for n in range(count - 1):
        post_create(
            author=cast["member"],
            community=cast.community,
            title=f"Poll {n}",
            body=f"#topic-{n} #shared",
            kind="poll",
            poll=poll_data("Yes", "No"),
            attachments=[pdf_upload()],
        )
    for post in Post.objects.all():
        reaction_toggle(user=cast["outsider"], kind="like", post=post)
    return cast


@pytest.mark.parametrize("rows", [1, 20])
def test_post_list_queries_do_not_grow(rows, django_assert_num_queries):
    cast = build_posts(rows)
    # posts + attachments + topics + poll options + reaction summary
    with django_assert_num_queries(5):
        posts = reaction_summary_attach(post_list(user=cast["member"]), user=cast["member"])
        summary = [(p.author.email, p.community.name, p.poll.options.all()[0].label) for p in posts]
        summary += [
            (list(p.topics.all()), list(p.attachments.all()), p.reaction_counts) for p in posts
        ]
    assert len(posts) == rows and all(p.reaction_counts["like"] == 1 for p in posts)


@pytest.mark.parametrize("rows", [1, 20])
def test_community_stream_queries_do_not_grow(rows, django_assert_num_queries):
    cast = build_posts(rows)
    # can_see + can_read, then as post_list
    with django_assert_num_queries(7):
        stream = community_stream(user=cast["member"], community=cast.community)
        posts = reaction_summary_attach(stream, user=cast["member"])
        [
            (p.author.display_name, p.poll.options.all(), p.topics.all(), p.my_reactions)
            for p in posts
        ]
    assert len(posts) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_comments_for_queries_do_not_grow(rows, django_assert_num_queries):
    cast = make_cast(PUBLIC)
    for n in range(rows):
        top = comment_create(author=cast["member"], post=cast.post, body=f"Top {n}")
        comment_create(author=cast["author"], post=cast.post, body=f"Reply {n}", parent=top)
        reaction_toggle(user=cast["outsider"], kind="like", comment=top)
    # readable + moderator check + comments + attachments + replies + their attachments
    # + reaction summary
    with django_assert_num_queries(7):
        comments = comments_for(user=cast["outsider"], post=cast.post)
        [
            (c.author.email, list(c.attachments.all()), [r.author.email for r in c.replies.all()])
            for c in comments
        ]
    assert len(comments) == rows
    assert all(c.reaction_counts["like"] == 1 and c.placeholder is None for c in comments)
    assert comments[0].replies.all()[0].body == "Reply 0"


def test_superuser_reads_everything():
    cast = make_cast(SECRET)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert list(post_list(user=superuser)) == [cast.post]
