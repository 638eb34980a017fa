"""Moderation from the admin: hiding and restoring posts and comments, working through
the flags queue (flag_resolve) and acting on the ban suggestion."""

import pytest
from django.test import override_settings
from django.urls import reverse

from communities.models import Comment, Flag, Membership, Post
from communities.services.moderation import flag_create
from communities.services.posts import post_hide
from tests.factories import UserFactory, make_member, make_post

pytestmark = pytest.mark.django_db


def run_action(client, model, action, objects):
    return client.post(
        reverse(f"admin:communities_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def test_hiding_and_restoring_posts(cm_client, alpha):
    response = run_action(cm_client, "post", "hide_posts", [alpha.post])
    assert "1 post hidden." in response.content.decode()
    alpha.post.refresh_from_db()
    assert alpha.post.is_hidden
    # Hiding resolved the open report on it.
    alpha.flag.refresh_from_db()
    assert alpha.flag.status == Flag.Status.HIDDEN

    response = run_action(cm_client, "post", "restore_posts", [alpha.post])
    assert "1 post restored." in response.content.decode()
    alpha.post.refresh_from_db()
    assert not alpha.post.is_hidden


def test_hiding_and_restoring_comments(cm_client, alpha):
    response = run_action(cm_client, "comment", "hide_comments", [alpha.comment])
    assert "1 comment hidden." in response.content.decode()
    alpha.comment.refresh_from_db()
    assert alpha.comment.is_hidden
    response = run_action(cm_client, "comment", "restore_comments", [alpha.comment])
    assert "1 comment restored." in response.content.decode()
    alpha.comment.refresh_from_db()
    assert not alpha.comment.is_hidden


def test_posts_are_read_only_in_the_admin(cm_client, alpha):
    url = reverse("admin:communities_post_change", args=[alpha.post.pk])
    response = cm_client.post(url, {"title": "Rewritten by the CM", "body": "x"})
    assert response.status_code == 403
    alpha.post.refresh_from_db()
    assert alpha.post.title == "Alpha post title"


def test_resolving_a_flag_by_hiding_hides_the_content(cm_client, alpha, cm):
    response = run_action(cm_client, "flag", "resolve_hide", [alpha.flag])
    assert "1 report resolved: content hidden." in response.content.decode()
    alpha.flag.refresh_from_db()
    alpha.post.refresh_from_db()
    assert alpha.flag.status == Flag.Status.HIDDEN
    assert alpha.flag.resolved_by == cm
    assert alpha.post.is_hidden
    # A resolved report leaves the queue.
    queue = cm_client.get(reverse("admin:communities_flag_changelist")).content.decode()
    assert "Alpha post title" not in queue


def test_dismissing_a_flag_leaves_the_content_visible(cm_client, alpha):
    response = run_action(cm_client, "flag", "resolve_dismiss", [alpha.flag])
    assert "1 report dismissed." in response.content.decode()
    alpha.flag.refresh_from_db()
    alpha.post.refresh_from_db()
    assert alpha.flag.status == Flag.Status.DISMISSED
    assert not alpha.post.is_hidden


def test_restoring_from_a_flag_shows_hidden_content_again(cm_client, alpha, reporter):
    comment_flag = flag_create(reporter=reporter, reason=Flag.Reason.ABUSE, comment=alpha.comment)
    Comment.objects.filter(pk=alpha.comment.pk).update(is_hidden=True)
    response = run_action(cm_client, "flag", "resolve_restore", [comment_flag])
    assert "1 report resolved: content restored." in response.content.decode()
    alpha.comment.refresh_from_db()
    assert not alpha.comment.is_hidden


def test_the_report_history_shows_on_the_post_page(cm_client, alpha):
    run_action(cm_client, "flag", "resolve_dismiss", [alpha.flag])
    page = cm_client.get(
        reverse("admin:communities_post_change", args=[alpha.post.pk])
    ).content.decode()
    assert "Rita Reporter" in page
    assert "Dismissed" in page


@override_settings(CERCLE_BAN_SUGGESTION_THRESHOLD=2)
def test_the_queue_suggests_banning_a_repeat_offender_and_the_cm_can_ban(
    cm_client, alpha, reporter
):
    offender = make_member(alpha.community, UserFactory(display_name="Otto Offender"))
    owner = alpha.owner
    for number in range(2):
        post_hide(
            actor=owner, post=make_post(alpha.community, author=offender, title=f"Old {number}")
        )
    fresh = make_post(alpha.community, author=offender, title="Fresh offence")
    flag = flag_create(reporter=reporter, reason=Flag.Reason.ABUSE, post=fresh)

    queue = cm_client.get(reverse("admin:communities_flag_changelist")).content.decode()
    assert "Yes: 2 items hidden in this community" in queue
    assert "No (0 items hidden)" in queue  # the fixture's first-time author

    response = run_action(cm_client, "flag", "ban_content_authors", [flag])
    assert "1 member banned." in response.content.decode()
    membership = Membership.objects.get(community=alpha.community, user=offender)
    assert membership.status == Membership.Status.BANNED
    assert Post.objects.filter(author=offender, is_hidden=False).count() == 1
