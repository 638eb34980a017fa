"""The moderation queue: moderators hide, restore or dismiss; repeated abuse suggests a ban."""

import pytest
from django.test import override_settings
from django.urls import reverse

from communities.models import Flag, Membership
from communities.services.comments import comment_create
from communities.services.moderation import flag_create
from communities.services.posts import post_hide
from tests.factories import make_member, make_post

pytestmark = pytest.mark.django_db

QUEUE = reverse("communities:moderation")


@pytest.fixture
def flagged(community, member, moderator):
    post = make_post(community, author=member, title="Cheap watches", body="Buy")
    reporter = make_member(community)
    return flag_create(reporter=reporter, reason="spam", details="Ads again", post=post)


def _resolve(flag):
    return reverse("communities:flag-resolve", args=[flag.pk])


@pytest.mark.parametrize(
    ("role", "sees"),
    [("owner", True), ("moderator", True), ("member", False), ("outsider", False)],
)
def test_queue_shows_reports_only_to_moderators(
    login, owner, moderator, member, outsider, flagged, role, sees
):
    user = {"owner": owner, "moderator": moderator, "member": member, "outsider": outsider}[role]
    response = login(user).get(QUEUE)
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Cheap watches" in body) is sees
    assert ("Ads again" in body) is sees
    if not sees:
        assert "Nothing to review." in body


def test_moderator_hides_the_post_and_the_flag_leaves_the_queue(client, login, moderator, flagged):
    login(moderator)
    response = client.post(_resolve(flagged), {"action": "hide"}, follow=True)
    body = response.content.decode()
    assert "The content is hidden." in body
    assert "Cheap watches" not in body
    flagged.refresh_from_db()
    assert flagged.status == Flag.Status.HIDDEN
    assert flagged.post.is_hidden


def test_dismiss_keeps_the_content(login, moderator, flagged):
    response = login(moderator).post(_resolve(flagged), {"action": "dismiss"}, follow=True)
    assert "The report is dismissed." in response.content.decode()
    flagged.post.refresh_from_db()
    assert not flagged.post.is_hidden


def test_member_cannot_resolve_a_flag(login, member, flagged):
    response = login(member).post(_resolve(flagged), {"action": "hide"}, follow=True)
    assert "This report was already handled." in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.status == Flag.Status.OPEN


def test_unknown_action_is_explained(login, moderator, flagged):
    response = login(moderator).post(_resolve(flagged), {"action": "burn"}, follow=True)
    assert "Choose hide, restore or dismiss." in response.content.decode()


def test_queue_filtered_by_community_404s_for_a_secret_one(login, outsider, secret_community):
    response = login(outsider).get(QUEUE, {"community": secret_community.slug})
    assert response.status_code == 404


@override_settings(CERCLE_BAN_SUGGESTION_THRESHOLD=2)
def test_repeat_offender_gets_a_ban_suggestion_and_can_be_banned(
    client, login, owner, member, community, flagged
):
    for number in range(2):
        post_hide(actor=owner, post=make_post(community, author=member, title=f"Spam {number}"))
    login(owner)
    body = client.get(QUEUE).content.decode()
    assert "consider a ban" in body
    assert "Ban the author" in body
    response = client.post(
        reverse("communities:member-ban", args=[community.slug, member.pk]),
        {"next": QUEUE},
        follow=True,
    )
    assert "Mia Member is banned from the community." in response.content.decode()
    assert Membership.objects.get(community=community, user=member).status == "banned"


def test_hidden_comment_is_a_placeholder_for_members_and_visible_to_moderators(
    client, login, owner, member, moderator, community
):
    post = make_post(community, author=owner, title="Thread")
    comment = comment_create(author=member, post=post, body="Rude words")
    reporter = make_member(community)
    flag = flag_create(reporter=reporter, reason="abuse", comment=comment)
    login(moderator)
    client.post(_resolve(flag), {"action": "hide"})
    url = reverse("communities:post", args=[post.pk])
    assert "Rude words" in client.get(url).content.decode()
    body = login(reporter).get(url).content.decode()
    assert "Rude words" not in body


@pytest.mark.parametrize(
    ("role", "allowed"), [("owner", True), ("moderator", True), ("member", False)]
)
def test_moderators_hide_a_post_from_its_page(
    client, login, owner, moderator, member, community, role, allowed
):
    post = make_post(community, author=owner, title="Off topic")
    user = {"owner": owner, "moderator": moderator, "member": make_member(community)}[role]
    login(user)
    page = client.get(reverse("communities:post", args=[post.pk])).content.decode()
    assert (">Hide</button>" in page) is allowed
    client.post(reverse("communities:post-moderate", args=[post.pk, "hide"]))
    post.refresh_from_db()
    assert post.is_hidden is allowed


def test_moderator_hides_then_shows_a_comment_again(client, login, owner, moderator, community):
    post = make_post(community, author=owner, title="Thread")
    comment = comment_create(author=owner, post=post, body="Heated")
    login(moderator)
    response = client.post(
        reverse("communities:comment-moderate", args=[comment.pk, "hide"]), follow=True
    )
    assert "The content is hidden." in response.content.decode()
    assert "Show again" in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_hidden
    response = client.post(
        reverse("communities:comment-moderate", args=[comment.pk, "restore"]), follow=True
    )
    assert "The content is visible again." in response.content.decode()
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_unknown_moderation_action_is_404(login, owner, community):
    post = make_post(community, author=owner)
    response = login(owner).post(reverse("communities:post-moderate", args=[post.pk, "burn"]))
    assert response.status_code == 404
