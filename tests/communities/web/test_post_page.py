"""The post page: reading, comments and replies, reactions, polls, RSVP, answers, flags."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Comment, Flag, Post, Reaction, Rsvp
from communities.services.comments import comment_create
from metrics.models import Activity
from tests.factories import make_member, make_post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _post_url(post, name="post"):
    return reverse(f"communities:{name}", args=[post.pk])


@pytest.fixture
def post(community, member):
    return make_post(community, author=member, title="Zero downtime deploys", body="How?")


def test_opening_a_post_shows_it_and_records_one_read_per_day(client, login, owner, post):
    login(owner)
    response = client.get(_post_url(post))
    assert response.status_code == 200
    assert "Zero downtime deploys" in response.content.decode()
    client.get(_post_url(post))
    reads = Activity.objects.filter(verb=Activity.Verb.POST_READ, actor=owner)
    assert reads.count() == 1


def test_post_in_a_secret_community_is_404_for_non_members(
    client, login, owner, outsider, secret_community
):
    secret_post = make_post(secret_community, author=owner, title="Merger plan")
    login(outsider)
    for name in ["post", "post-edit", "post-delete", "post-flag"]:
        response = client.get(_post_url(secret_post, name))
        assert response.status_code == 404
        assert "Merger plan" not in response.content.decode()
    for name in ["post-react", "poll-vote", "rsvp", "comment-create", "answer"]:
        assert client.post(_post_url(secret_post, name), {"kind": "like"}).status_code == 404
    assert not Activity.objects.filter(verb=Activity.Verb.POST_READ, actor=outsider).exists()
    secret_comment = comment_create(author=owner, post=secret_post, body="Numbers")
    for name in ["comment-edit", "comment-delete", "comment-flag"]:
        url = reverse(f"communities:{name}", args=[secret_comment.pk])
        assert client.get(url).status_code == 404
    for name in ["comment-react", "comment-moderate"]:
        args = [secret_comment.pk] if name == "comment-react" else [secret_comment.pk, "hide"]
        url = reverse(f"communities:{name}", args=args)
        assert client.post(url, {"kind": "like"}).status_code == 404
    assert client.post(_post_url(secret_post, "post-delete")).status_code == 404
    assert Post.objects.filter(pk=secret_post.pk).exists()


def test_post_in_a_private_community_is_404_for_outsiders_and_200_for_members(
    client, login, owner, outsider, private_community
):
    private_post = make_post(private_community, author=owner, title="Reorg")
    assert login(outsider).get(_post_url(private_post)).status_code == 404
    assert login(owner).get(_post_url(private_post)).status_code == 200


def test_comment_then_reply_are_shown_in_one_thread(client, login, owner, member, post):
    login(owner)
    response = client.post(
        _post_url(post, "comment-create"), {"body": "Blue-green **works**"}, follow=True
    )
    assert "Comment published." in response.content.decode()
    parent = Comment.objects.get()
    login(member)
    client.post(_post_url(post, "comment-create"), {"body": "Thanks!", "parent": parent.pk})
    reply = Comment.objects.get(parent=parent)
    page = client.get(_post_url(post)).content.decode()
    assert "Blue-green <strong>works</strong>" in page
    assert f'id="comment-{reply.pk}"' in page
    assert "comment-list--replies" in page


def test_htmx_comment_returns_the_updated_comments_fragment(login, owner, post):
    response = login(owner).post(
        _post_url(post, "comment-create"), {"body": "Canary releases"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="comments"' in body
    assert "Canary releases" in body
    assert "<html" not in body


def test_htmx_empty_comment_answers_the_fragment_with_the_error(login, owner, post):
    response = login(owner).post(_post_url(post, "comment-create"), {"body": ""}, **HTMX)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_oversized_comment_is_explained(login, owner, post, settings):
    settings.CERCLE_COMMENT_BODY_MAX_LENGTH = 10
    response = login(owner).post(_post_url(post, "comment-create"), {"body": "x" * 11}, follow=True)
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    assert not Comment.objects.exists()


def test_htmx_reaction_toggles_and_the_count_updates(client, login, owner, post):
    login(owner)
    response = client.post(_post_url(post, "post-react"), {"kind": "like"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'aria-pressed="true"' in body
    assert '<span class="reaction-count">1</span>' in body
    # The same id as on the page, so that htmx keeps the keyboard focus on the button.
    assert f'id="react-post-{post.pk}-like"' in body
    response = client.post(_post_url(post, "post-react"), {"kind": "like"}, **HTMX)
    assert '<span class="reaction-count">1</span>' not in response.content.decode()
    assert not Reaction.objects.exists()


def test_unknown_reaction_kind_is_refused_in_place(login, owner, post):
    response = login(owner).post(_post_url(post, "post-react"), {"kind": "angry"}, **HTMX)
    assert response.status_code == 200
    assert "This reaction does not exist." in response.content.decode()
    assert not Reaction.objects.exists()


def test_reaction_on_a_comment_without_htmx_redirects_back(client, login, owner, post):
    comment = comment_create(author=owner, post=post, body="Nice")
    response = login(owner).post(
        reverse("communities:comment-react", args=[comment.pk]), {"kind": "helpful"}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{comment.pk}")
    assert Reaction.objects.get().comment == comment


def test_outsider_may_not_react_in_a_private_community(login, owner, outsider, private_community):
    private_post = make_post(private_community, author=owner)
    response = login(outsider).post(_post_url(private_post, "post-react"), {"kind": "like"})
    assert response.status_code == 404
    assert not Reaction.objects.exists()


def test_author_edits_and_the_post_shows_edited(client, login, member, post):
    login(member)
    assert client.get(_post_url(post, "post-edit")).status_code == 200
    response = client.post(
        _post_url(post, "post-edit"), {"title": "Zero downtime", "body": "Blue-green"}, follow=True
    )
    body = response.content.decode()
    assert "Post updated." in body
    assert "(edited)" in body
    assert "Blue-green" in body


@pytest.mark.parametrize(("role", "status"), [("author", 200), ("owner", 403), ("other", 403)])
def test_only_the_author_may_edit(login, owner, member, community, post, role, status):
    user = {"author": member, "owner": owner, "other": make_member(community)}[role]
    assert login(user).get(_post_url(post, "post-edit")).status_code == status


def test_edit_with_an_empty_body_shows_the_error(login, member, post):
    response = login(member).post(_post_url(post, "post-edit"), {"title": "T", "body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_author_deletes_the_post(client, login, member, post, community):
    login(member)
    page = client.get(_post_url(post, "post-delete")).content.decode()
    assert "Delete this post?" in page
    response = client.post(_post_url(post, "post-delete"), follow=True)
    assert "Post deleted." in response.content.decode()
    assert not Post.objects.filter(pk=post.pk).exists()


def test_other_member_cannot_delete_the_post(login, community, post):
    response = login(make_member(community)).post(_post_url(post, "post-delete"), follow=True)
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()


def test_comment_edit_shows_edited_and_delete_leaves_a_placeholder(client, login, owner, post):
    comment = comment_create(author=owner, post=post, body="First take")
    login(owner)
    response = client.post(
        reverse("communities:comment-edit", args=[comment.pk]), {"body": "Second take"}, follow=True
    )
    body = response.content.decode()
    assert "Comment updated." in body
    assert "Second take" in body
    assert "(edited)" in body
    comment_create(author=owner, post=post, body="Reply", parent=comment)
    response = client.post(reverse("communities:comment-delete", args=[comment.pk]), follow=True)
    body = response.content.decode()
    assert "Comment deleted." in body
    assert "This comment was deleted by its author." in body
    assert "Second take" not in body


def test_other_member_cannot_edit_a_comment(login, owner, member, post):
    comment = comment_create(author=owner, post=post, body="Mine")
    response = login(member).get(reverse("communities:comment-edit", args=[comment.pk]))
    assert response.status_code == 403


# --- questions -------------------------------------------------------------------------


def test_asker_accepts_an_answer(client, login, owner, member, community):
    question = make_post(community, author=member, title="Which CI?", body="?", kind="question")
    answer = comment_create(author=owner, post=question, body="GitLab CI")
    login(member)
    page = client.get(_post_url(question)).content.decode()
    assert "Accept as answer" in page
    response = client.post(_post_url(question, "answer"), {"comment": answer.pk}, follow=True)
    body = response.content.decode()
    assert "Answer accepted." in body
    assert "Accepted answer" in body
    question.refresh_from_db()
    assert question.accepted_answer == answer


def test_other_member_cannot_accept_an_answer(login, owner, member, community):
    question = make_post(community, author=member, title="Which CI?", body="?", kind="question")
    answer = comment_create(author=owner, post=question, body="GitLab CI")
    bystander = make_member(community)
    page = login(bystander).get(_post_url(question)).content.decode()
    assert "Accept as answer" not in page
    login(bystander).post(_post_url(question, "answer"), {"comment": answer.pk})
    question.refresh_from_db()
    assert question.accepted_answer is None


# --- polls -----------------------------------------------------------------------------


@pytest.fixture
def poll_post(community, owner):
    return make_post(
        community,
        author=owner,
        title="Offsite?",
        body="Pick",
        kind="poll",
        poll={"options": ["Lisbon", "Berlin"], "allows_multiple": False, "closes_at": None},
    )


def test_htmx_vote_shows_results_and_a_second_vote_is_refused(client, login, member, poll_post):
    option = poll_post.poll.options.get(label="Lisbon")
    login(member)
    page = client.get(_post_url(poll_post)).content.decode()
    assert 'type="radio"' in page
    response = client.post(_post_url(poll_post, "poll-vote"), {"options": [option.pk]}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Thank you, your vote is counted." in body
    assert "1 vote (100%)" in body
    assert "<html" not in body
    response = client.post(_post_url(poll_post, "poll-vote"), {"options": [option.pk]}, **HTMX)
    assert "You already voted in this poll." in response.content.decode()


def test_vote_without_choice_is_explained(login, member, poll_post):
    response = login(member).post(_post_url(poll_post, "poll-vote"), {}, **HTMX)
    assert "Choose an option to vote." in response.content.decode()


def test_two_options_in_a_single_choice_poll_are_refused(login, member, poll_post):
    ids = list(poll_post.poll.options.values_list("pk", flat=True))
    response = login(member).post(_post_url(poll_post, "poll-vote"), {"options": ids}, **HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not poll_post.poll.ballots.exists()


# --- events ----------------------------------------------------------------------------


@pytest.fixture
def event_post(community, owner):
    starts = timezone.now() + timedelta(days=2)
    return make_post(
        community,
        author=owner,
        title="Quarterly summit",
        body="Come",
        kind="event",
        event={
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "timezone": "Europe/Paris",
            "location": "Lyon",
            "online_url": "",
            "capacity": 1,
        },
    )


def test_rsvp_going_then_the_next_one_is_waitlisted(client, login, owner, member, event_post):
    login(owner)
    response = client.post(_post_url(event_post, "rsvp"), {"answer": "yes"}, **HTMX)
    body = response.content.decode()
    assert "Your answer is saved: Going." in body
    assert "1 going" in body
    assert "<html" not in body
    login(member)
    response = client.post(_post_url(event_post, "rsvp"), {"answer": "yes"}, **HTMX)
    body = response.content.decode()
    assert "The event is full: you are on the waiting list." in body
    assert Rsvp.objects.get(user=member).is_waitlisted


def test_rsvp_with_an_unknown_answer_is_explained(login, member, event_post):
    response = login(member).post(_post_url(event_post, "rsvp"), {"answer": "perhaps"}, **HTMX)
    assert "Choose going, maybe or not going." in response.content.decode()


def test_event_page_shows_place_and_buttons(login, member, event_post):
    body = login(member).get(_post_url(event_post)).content.decode()
    assert "Lyon" in body
    assert "Not going" in body
    body = (
        login(member)
        .get(reverse("communities:events", args=[event_post.community.slug]))
        .content.decode()
    )
    assert "Quarterly summit" in body


# --- flags -----------------------------------------------------------------------------


def test_member_reports_a_post_once(client, login, owner, post):
    login(owner)
    assert client.get(_post_url(post, "post-flag")).status_code == 200
    response = client.post(
        _post_url(post, "post-flag"), {"reason": "spam", "details": "Ads"}, follow=True
    )
    assert "The moderators will review your report." in response.content.decode()
    response = client.post(_post_url(post, "post-flag"), {"reason": "spam"})
    assert response.status_code == 400
    assert Flag.objects.count() == 1


def test_reporting_ones_own_post_is_refused_with_a_message(login, member, post):
    response = login(member).post(_post_url(post, "post-flag"), {"reason": "spam"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Flag.objects.exists()


def test_reporting_a_comment(login, owner, member, post):
    comment = comment_create(author=owner, post=post, body="Buy now")
    response = login(member).post(
        reverse("communities:comment-flag", args=[comment.pk]), {"reason": "spam"}, follow=True
    )
    assert "The moderators will review your report." in response.content.decode()
    assert Flag.objects.get().comment == comment
