"""Comments, reactions, poll votes, RSVPs, accepted answers, reports and topics."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Comment, Community, Flag, PollBallot, Post, Reaction, Rsvp
from communities.services.comments import comment_create, comment_hide
from metrics.models import Activity
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import make_member, make_post

pytestmark = pytest.mark.django_db


def comments_url(post) -> str:
    return f"/api/v1/posts/{post.pk}/comments/"


# Comments ----------------------------------------------------------------------------------


def test_member_comments_and_replies(cast):
    post = make_post(cast.community, author=cast.owner)
    client = client_for(cast.member)

    top = client.post(comments_url(post), {"body": "Agreed"})
    reply = client_for(cast.moderator).post(
        comments_url(post), {"body": "Me too", "parent": top.json()["id"]}
    )
    listed = client.get(comments_url(post))

    assert top.status_code == 201
    assert top.json()["author"]["id"] == cast.member.pk
    assert top.json()["parent_id"] is None
    assert reply.status_code == 201
    assert reply.json()["parent_id"] == top.json()["id"]
    results = listed.json()["results"]
    assert [c["body"] for c in results] == ["Agreed"]
    assert [r["body"] for r in results[0]["replies"]] == ["Me too"]
    post.refresh_from_db()
    assert post.comment_count == 2
    assert Activity.objects.filter(actor=cast.member, verb=Activity.Verb.COMMENT_CREATED).exists()


def test_reply_to_a_comment_of_another_post_is_400(cast):
    post = make_post(cast.community)
    other = make_post(cast.community)
    foreign = comment_create(author=cast.member, post=other, body="Elsewhere")

    response = client_for(cast.member).post(
        comments_url(post), {"body": "Hi", "parent": foreign.pk}
    )

    assert response.status_code == 400
    assert response.json()["parent"]
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": "ok", "parent": "first"}])
def test_malformed_comment_is_400(cast, payload):
    post = make_post(cast.community)
    response = client_for(cast.member).post(comments_url(post), payload, format="json")
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_oversized_comment_is_400(cast, settings):
    settings.CERCLE_COMMENT_BODY_MAX_LENGTH = 10
    post = make_post(cast.community)
    response = client_for(cast.member).post(comments_url(post), {"body": "x" * 11})
    assert response.status_code == 400
    assert response.json()["body"]


def test_comments_of_a_secret_post_are_404_to_outsiders(db):
    cast = make_cast(Community.Visibility.SECRET)
    post = make_post(cast.community)

    listed = client_for(cast.outsider).get(comments_url(post))
    created = client_for(cast.outsider).post(comments_url(post), {"body": "Hello?"})

    assert listed.status_code == 404
    assert created.status_code == 404
    assert not Comment.objects.exists()


def test_author_edits_and_deletes_a_comment_leaving_a_placeholder(cast):
    post = make_post(cast.community)
    comment = comment_create(author=cast.member, post=post, body="Frist")
    client = client_for(cast.member)

    edited = client.patch(f"/api/v1/comments/{comment.pk}/", {"body": "First"})
    other = client_for(cast.manager).patch(f"/api/v1/comments/{comment.pk}/", {"body": "Mine"})
    comment_create(author=cast.owner, post=post, body="Reply", parent=comment)
    deleted = client.delete(f"/api/v1/comments/{comment.pk}/")
    listed = client_for(cast.outsider).get(comments_url(post)).json()["results"]

    assert edited.status_code == 200
    assert edited.json()["body"] == "First"
    assert edited.json()["edited_at"]
    assert other.status_code == 403
    assert deleted.status_code == 204
    assert listed[0]["is_deleted"] is True
    assert listed[0]["body"] == ""
    assert listed[0]["placeholder"]
    assert listed[0]["replies"][0]["body"] == "Reply"


def test_hidden_comment_is_a_placeholder_for_members_and_full_for_moderators(cast):
    post = make_post(cast.community)
    comment = comment_create(author=cast.member, post=post, body="Rude words")
    comment_create(author=cast.owner, post=post, body="Calm down", parent=comment)
    comment_hide(actor=cast.moderator, comment=comment)

    manager = client_for(cast.manager).get(comments_url(post)).json()["results"][0]
    outsider = client_for(cast.outsider).get(comments_url(post)).json()["results"][0]
    moderator = client_for(cast.moderator).get(comments_url(post)).json()["results"][0]

    assert manager["body"] == "Rude words"  # managers moderate too
    assert outsider["body"] == ""
    assert outsider["placeholder"]
    assert moderator["body"] == "Rude words"
    assert moderator["placeholder"] is None


# Reactions ---------------------------------------------------------------------------------


def test_reaction_on_a_post_toggles(cast):
    post = make_post(cast.community)
    client = client_for(cast.member)
    url = f"/api/v1/posts/{post.pk}/reactions/"

    added = client.post(url, {"kind": "celebrate"})
    shown = client.get(f"/api/v1/posts/{post.pk}/").json()
    removed = client.post(url, {"kind": "celebrate"})

    assert added.status_code == 200
    assert added.json() == {"kind": "celebrate", "reacted": True}
    assert shown["reactions"]["celebrate"] == 1
    assert shown["my_reactions"] == ["celebrate"]
    assert removed.json() == {"kind": "celebrate", "reacted": False}
    assert not Reaction.objects.exists()


def test_reaction_on_a_comment_and_an_unknown_kind(cast):
    post = make_post(cast.community)
    comment = comment_create(author=cast.owner, post=post, body="Good point")
    client = client_for(cast.member)

    added = client.post(f"/api/v1/comments/{comment.pk}/reactions/", {"kind": "helpful"})
    unknown = client.post(f"/api/v1/comments/{comment.pk}/reactions/", {"kind": "angry"})
    listed = client.get(comments_url(post)).json()["results"][0]

    assert added.json()["reacted"] is True
    assert unknown.status_code == 400
    assert unknown.json()["kind"]
    assert listed["reactions"]["helpful"] == 1
    assert listed["my_reactions"] == ["helpful"]


def test_reacting_to_a_secret_post_is_404(db):
    cast = make_cast(Community.Visibility.SECRET)
    post = make_post(cast.community)
    response = client_for(cast.outsider).post(
        f"/api/v1/posts/{post.pk}/reactions/", {"kind": "like"}
    )
    assert response.status_code == 404
    assert not Reaction.objects.exists()


# Polls -------------------------------------------------------------------------------------


def _poll(cast, allows_multiple=False):
    return make_post(
        cast.community,
        kind="poll",
        poll={"options": ["Red", "Green", "Blue"], "allows_multiple": allows_multiple},
    )


def test_vote_in_a_poll_once(cast):
    post = _poll(cast)
    red, green, _ = post.poll.options.all()
    client = client_for(cast.member)
    url = f"/api/v1/posts/{post.pk}/poll/vote/"

    voted = client.post(url, {"option_ids": [red.pk]}, format="json")
    twice = client.post(url, {"option_ids": [green.pk]}, format="json")

    assert voted.status_code == 201
    results = {r["label"]: r for r in voted.json()["results"]}
    assert results["Red"]["votes"] == 1
    assert results["Red"]["percent"] == 100
    assert twice.status_code == 409
    assert twice.json()["detail"]
    assert PollBallot.objects.count() == 1
    page = client.get(f"/api/v1/posts/{post.pk}/").json()
    assert [(r["label"], r["votes"]) for r in page["poll_results"]] == [
        ("Red", 1),
        ("Green", 0),
        ("Blue", 0),
    ]
    assert page["attendance"] is None


def test_single_choice_poll_refuses_two_options_and_foreign_options(cast):
    post = _poll(cast)
    other = _poll(cast)
    red, green, _ = post.poll.options.all()
    client = client_for(cast.member)
    url = f"/api/v1/posts/{post.pk}/poll/vote/"

    two = client.post(url, {"option_ids": [red.pk, green.pk]}, format="json")
    foreign = client.post(url, {"option_ids": [other.poll.options.first().pk]}, format="json")
    empty = client.post(url, {"option_ids": []}, format="json")

    assert two.status_code == 400 and two.json()["option_ids"]
    assert foreign.status_code == 400 and foreign.json()["option_ids"]
    assert empty.status_code == 400 and empty.json()["option_ids"]
    assert not PollBallot.objects.exists()


def test_voting_on_a_post_without_a_poll_is_404(cast):
    post = make_post(cast.community)
    response = client_for(cast.member).post(
        f"/api/v1/posts/{post.pk}/poll/vote/", {"option_ids": [1]}, format="json"
    )
    assert response.status_code == 404


# Events ------------------------------------------------------------------------------------


def _event(cast, capacity=1):
    starts = timezone.now() + timedelta(days=2)
    return make_post(
        cast.community,
        kind="event",
        event={"starts_at": starts, "ends_at": starts + timedelta(hours=1), "capacity": capacity},
    )


def test_rsvp_when_full_puts_the_member_on_the_waiting_list(cast):
    post = _event(cast, capacity=1)
    url = f"/api/v1/posts/{post.pk}/rsvp/"

    first = client_for(cast.member).post(url, {"answer": "yes"})
    second = client_for(cast.manager).post(url, {"answer": "yes"})

    assert first.status_code == 200
    assert first.json()["is_waitlisted"] is False
    assert second.status_code == 200
    body = second.json()
    assert body["is_waitlisted"] is True
    assert "waiting list" in body["detail"]
    assert body["attendance"]["going"] == 1
    assert body["attendance"]["waitlisted"] == 1
    assert body["attendance"]["seats_left"] == 0

    freed = client_for(cast.member).post(url, {"answer": "no"})
    assert freed.json()["attendance"]["going"] == 1
    assert Rsvp.objects.get(user=cast.manager).is_waitlisted is False
    page = client_for(cast.member).get(f"/api/v1/posts/{post.pk}/").json()
    assert page["attendance"]["not_going"] == 1
    assert page["poll_results"] is None


def test_rsvp_with_a_bad_answer_or_on_a_non_event(cast):
    event = _event(cast)
    discussion = make_post(cast.community)

    bad = client_for(cast.member).post(f"/api/v1/posts/{event.pk}/rsvp/", {"answer": "perhaps"})
    wrong = client_for(cast.member).post(f"/api/v1/posts/{discussion.pk}/rsvp/", {"answer": "yes"})

    assert bad.status_code == 400
    assert bad.json()["answer"]
    assert wrong.status_code == 404
    assert not Rsvp.objects.exists()


# Accepted answers --------------------------------------------------------------------------


def test_asker_accepts_an_answer_others_cannot(cast):
    question = make_post(cast.community, author=cast.member, kind="question")
    answer = comment_create(author=cast.manager, post=question, body="Try this")
    url = f"/api/v1/posts/{question.pk}/accept-answer/"

    another_member = make_member(cast.community)
    refused = client_for(another_member).post(url, {"comment_id": answer.pk})
    accepted = client_for(cast.member).post(url, {"comment_id": answer.pk})

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["accepted_answer_id"] == answer.pk
    assert Activity.objects.filter(actor=cast.manager, verb=Activity.Verb.ANSWER_ACCEPTED).exists()

    withdrawn = client_for(cast.member).delete(url)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["accepted_answer_id"] is None


def test_accepting_on_a_discussion_or_a_foreign_comment_is_400(cast):
    discussion = make_post(cast.community, author=cast.member)
    question = make_post(cast.community, author=cast.member, kind="question")
    on_discussion = comment_create(author=cast.owner, post=discussion, body="Hmm")

    not_question = client_for(cast.member).post(
        f"/api/v1/posts/{discussion.pk}/accept-answer/", {"comment_id": on_discussion.pk}
    )
    foreign = client_for(cast.member).post(
        f"/api/v1/posts/{question.pk}/accept-answer/", {"comment_id": on_discussion.pk}
    )

    assert not_question.status_code == 400
    assert foreign.status_code == 400
    assert foreign.json()["comment_id"]


# Reports and moderation ----------------------------------------------------------------


def test_member_reports_a_post_once_and_moderators_hide_it(cast):
    post = make_post(cast.community, author=cast.manager)
    client = client_for(cast.member)

    flagged = client.post(f"/api/v1/posts/{post.pk}/flag/", {"reason": "spam"})
    twice = client.post(f"/api/v1/posts/{post.pk}/flag/", {"reason": "spam"})
    queue_for_member = client.get("/api/v1/moderation/flags/")
    queue = client_for(cast.moderator).get("/api/v1/moderation/flags/")

    assert flagged.status_code == 201
    assert flagged.json()["status"] == "open"
    assert twice.status_code == 409
    assert queue_for_member.json()["count"] == 0
    entry = queue.json()["results"][0]
    assert entry["content"]["type"] == "post"
    assert entry["content"]["author"]["id"] == cast.manager.pk
    assert entry["reporter"]["id"] == cast.member.pk
    assert entry["suggest_ban"] is False

    refused = client.post(f"/api/v1/moderation/flags/{entry['id']}/resolve/", {"action": "hide"})
    hidden = client_for(cast.moderator).post(
        f"/api/v1/moderation/flags/{entry['id']}/resolve/", {"action": "hide"}
    )

    assert refused.status_code == 403
    assert hidden.status_code == 200
    assert hidden.json()["status"] == "hidden"
    assert Post.objects.get(pk=post.pk).is_hidden
    assert client.get(f"/api/v1/posts/{post.pk}/").status_code == 404
    seen_by_moderator = client_for(cast.moderator).get(f"/api/v1/posts/{post.pk}/")
    assert seen_by_moderator.json()["is_hidden"] is True


def test_reporting_a_comment_and_bad_reports(cast):
    post = make_post(cast.community, author=cast.owner)
    comment = comment_create(author=cast.manager, post=post, body="Off topic")
    client = client_for(cast.member)

    flagged = client.post(
        f"/api/v1/comments/{comment.pk}/flag/", {"reason": "off_topic", "details": "Not here"}
    )
    no_reason = client.post(f"/api/v1/posts/{post.pk}/flag/", {})
    bad_action = client_for(cast.moderator).post(
        f"/api/v1/moderation/flags/{flagged.json()['id']}/resolve/", {"action": "burn"}
    )

    assert flagged.status_code == 201
    assert flagged.json()["comment_id"] == comment.pk
    assert no_reason.status_code == 400 and no_reason.json()["reason"]
    assert bad_action.status_code == 400 and bad_action.json()["action"]
    assert Flag.objects.count() == 1


def test_moderation_queue_of_a_secret_community_is_404_to_outsiders(db):
    cast = make_cast(Community.Visibility.SECRET)
    response = client_for(cast.outsider).get(
        "/api/v1/moderation/flags/", {"community": cast.community.slug}
    )
    assert response.status_code == 404


# Topics ------------------------------------------------------------------------------------


def test_topics_are_searchable_and_counted_for_what_the_member_reads(db):
    public = make_cast()
    secret = make_cast(Community.Visibility.SECRET)
    make_post(public.community, body="#onboarding tips")
    make_post(public.community, body="more #onboarding")
    make_post(secret.community, body="#layoffs plan")
    client = client_for(public.outsider)

    everything = client.get("/api/v1/topics/").json()["results"]
    searched = client.get("/api/v1/topics/", {"search": "#onb"}).json()["results"]
    member_view = client_for(secret.member).get("/api/v1/topics/").json()["results"]

    assert everything == [{"id": everything[0]["id"], "name": "onboarding", "post_count": 2}]
    assert [t["name"] for t in searched] == ["onboarding"]
    assert {t["name"] for t in member_view} == {"onboarding", "layoffs"}
