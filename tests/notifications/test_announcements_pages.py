"""Announcements in the browser: the banner on every page until the member acknowledges,
acknowledging (htmx and plain), the post page's box, the managers' report with its
reminder button, and the composer's "Members must acknowledge" box."""

import re

import pytest
from django.urls import reverse

from communities.models import Post
from notifications.models import Acknowledgement, AnnouncementReminder
from notifications.services.announcements import announcement_acknowledge, announcement_remind
from tests.factories import make_member, make_post
from tests.notifications.test_announcements import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


HTMX = {"HTTP_HX_REQUEST": "true"}


def _ack(post) -> str:
    return reverse("notifications:announcement-acknowledge", args=[post.pk])


def _report(post) -> str:
    return reverse("notifications:announcement-report", args=[post.pk])


def _banner(body: str) -> str:
    """The banner's markup in a page ("" when there is none)."""
    found = re.search(r'<section class="announcement-banner".*?</section>', body, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


# The banner ------------------------------------------------------------------------------


def test_the_banner_shows_on_every_page_until_acknowledged(world, login):
    client = login(world.member)
    for url in (reverse("home"), reverse("communities:directory"), reverse("profiles:directory")):
        body = client.get(url).content.decode()
        assert 'role="region"' in body
        assert 'aria-labelledby="announcement-banner-title"' in body
        assert "Announcements to acknowledge" in body
        assert "New expense policy" in body
        assert reverse("communities:post", args=[world.announcement.pk]) in body
        assert f'action="{_ack(world.announcement)}"' in body

    response = client.post(_ack(world.announcement), {"place": "pending", "next": "/"})
    assert response.status_code == 302

    body = client.get(reverse("communities:directory")).content.decode()
    assert "is acknowledged" in body  # the message, once
    assert _banner(body) == ""
    body = client.get(reverse("profiles:directory")).content.decode()
    assert "New expense policy" not in body
    assert "Announcements to acknowledge" not in body


def test_the_banner_shows_three_and_how_many_more(world, login):
    for index in range(4):
        make_post(
            world.community,
            author=world.owner,
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            title=f"Extra {index}",
        )
    body = _banner(login(world.member).get(reverse("home")).content.decode())
    assert "Extra 3" in body and "Extra 2" in body and "Extra 1" in body
    assert "Extra 0" not in body
    assert "New expense policy" not in body
    assert "and 2 more announcements to acknowledge" in body
    assert reverse("notifications:announcements") in body


def test_no_banner_for_the_author_visitors_or_non_members(world, login, client):
    assert "Announcements to acknowledge" not in client.get(reverse("home")).content.decode()
    for person in (world.owner, world.reader, world.banned):
        body = login(person).get(reverse("communities:directory")).content.decode()
        assert "Announcements to acknowledge" not in body


def test_the_list_of_pending_announcements(world, login):
    client = login(world.member)
    body = client.get(reverse("notifications:announcements")).content.decode()
    assert "New expense policy" in body
    assert 'aria-labelledby="announcement-banner-title"' not in body  # no banner above it
    announcement_acknowledge(user=world.member, post=world.announcement)
    body = client.get(reverse("notifications:announcements")).content.decode()
    assert "You have acknowledged every announcement" in body


# Acknowledging -------------------------------------------------------------------------


def test_htmx_acknowledge_from_the_banner_swaps_the_item(world, login):
    response = login(world.member).post(_ack(world.announcement), {"place": "pending"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="announcement-pending-{world.announcement.pk}"' in body
    assert "Acknowledged" in body
    # The post page's box, when on the page, is updated out of band.
    assert f'id="announcement-ack-action-{world.announcement.pk}"' in body
    assert 'hx-swap-oob="true"' in body
    assert "You acknowledged this on" in body
    assert Acknowledgement.objects.filter(user=world.member).count() == 1


def test_htmx_acknowledge_twice_shows_the_acknowledged_state_with_409(world, login):
    client = login(world.member)
    client.post(_ack(world.announcement), {"place": "post"}, **HTMX)
    again = client.post(_ack(world.announcement), {"place": "post"}, **HTMX)
    assert again.status_code == 409
    assert "You acknowledged this on" in again.content.decode()
    assert Acknowledgement.objects.count() == 1


def test_plain_acknowledge_redirects_back_with_a_message(world, login):
    client = login(world.member)
    post_url = reverse("communities:post", args=[world.announcement.pk])
    response = client.post(_ack(world.announcement), {"next": post_url}, follow=True)
    assert response.redirect_chain[-1][0] == post_url
    body = response.content.decode()
    assert "Thank you: “New expense policy” is acknowledged." in body
    again = client.post(_ack(world.announcement), {"next": post_url}, follow=True)
    assert "You already acknowledged this announcement." in again.content.decode()
    assert Acknowledgement.objects.count() == 1


def test_acknowledge_refusals_in_the_browser(world, login):
    assert login(world.banned).post(_ack(world.announcement)).status_code == 404
    response = login(world.reader).post(_ack(world.announcement), {"next": "/"})
    assert response.status_code == 302  # a message on the page they came from
    plain = make_post(world.community, author=world.owner, title="Plain")
    response = login(world.member).post(_ack(plain), {"place": "post"}, **HTMX)
    assert response.status_code == 400
    assert "does not ask members to acknowledge" in response.content.decode()
    assert not Acknowledgement.objects.exists()
    assert login(world.member).get(_ack(world.announcement)).status_code == 405


# The post page ---------------------------------------------------------------------------


def test_the_post_page_asks_members_to_acknowledge_then_says_when(world, login):
    client = login(world.member)
    url = reverse("communities:post", args=[world.announcement.pk])
    body = client.get(url).content.decode()
    assert "Acknowledgement requested" in body
    assert f'hx-post="{_ack(world.announcement)}"' in body
    assert _report(world.announcement) not in body  # not a manager

    client.post(_ack(world.announcement), {"place": "post"}, **HTMX)
    body = client.get(url).content.decode()
    assert "You acknowledged this on" in body
    assert 'name="place" value="post"' not in body


def test_managers_see_the_report_link_on_the_post_page(world, login):
    body = (
        login(world.manager)
        .get(reverse("communities:post", args=[world.announcement.pk]))
        .content.decode()
    )
    assert _report(world.announcement) in body
    assert 'name="place" value="post"' in body  # a manager is a member too
    author_body = (
        login(world.owner)
        .get(reverse("communities:post", args=[world.announcement.pk]))
        .content.decode()
    )
    assert "You asked the members to acknowledge this announcement." in author_body
    assert _report(world.announcement) in author_body


def test_other_posts_have_no_acknowledgement_box(world, login):
    plain = make_post(world.community, author=world.owner, title="Plain")
    body = login(world.member).get(reverse("communities:post", args=[plain.pk])).content.decode()
    assert "Acknowledgement requested" not in body


# The report page -------------------------------------------------------------------------


def test_the_report_page_for_managers(world, login):
    announcement_acknowledge(user=world.member, post=world.announcement)
    body = login(world.owner).get(_report(world.announcement)).content.decode()
    assert "25%" in body
    assert "1 of 4 members acknowledged" in body
    assert '<progress value="1" max="4"' in body
    for name in ("Carl Colleague", "Manu Manager", "Mo Moderator"):
        assert name in body
    assert "Mia Member" not in body
    assert "Send a reminder" in body
    assert "No reminder sent yet." in body


def test_the_report_paginates_who_has_not_acknowledged(world, login):
    for _ in range(55):
        make_member(world.community)
    client = login(world.owner)
    first = client.get(_report(world.announcement)).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(_report(world.announcement), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_sending_a_reminder_from_the_report(world, login):
    client = login(world.manager)
    response = client.post(
        reverse("notifications:announcement-remind", args=[world.announcement.pk]), follow=True
    )
    body = response.content.decode()
    assert "Reminder sent to 3 members." in body
    assert "A reminder was sent recently. The next one is possible from" in body
    assert "Manu Manager" in body  # in the history
    assert AnnouncementReminder.objects.count() == 1

    again = client.post(
        reverse("notifications:announcement-remind", args=[world.announcement.pk]), follow=True
    )
    assert "The next one is possible from" in again.content.decode()
    assert AnnouncementReminder.objects.count() == 1


def test_the_report_refuses_members_and_hides_from_outsiders(world, login):
    assert login(world.member).get(_report(world.announcement)).status_code == 403
    assert login(world.banned).get(_report(world.announcement)).status_code == 404
    response = login(world.member).post(
        reverse("notifications:announcement-remind", args=[world.announcement.pk]),
        {"next": "/"},
    )
    assert response.status_code == 302
    assert not AnnouncementReminder.objects.exists()


def test_everyone_acknowledged(world, login):
    for person in (world.manager, world.moderator, world.member, world.colleague):
        announcement_acknowledge(user=person, post=world.announcement)
    body = login(world.owner).get(_report(world.announcement)).content.decode()
    assert "100%" in body
    assert "Everyone has acknowledged: there is nobody to remind." in body
    assert "Send a reminder" not in body


def test_report_page_query_count_does_not_grow(db, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 15):
        side = make_world()
        for _ in range(size):
            announcement_acknowledge(user=make_member(side.community), post=side.announcement)
            make_member(side.community)
        announcement_remind(actor=side.owner, post=side.announcement)
        client = login(side.owner)
        client.get(_report(side.announcement))
        with CaptureQueriesContext(connection) as context:
            assert client.get(_report(side.announcement)).status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1]


# The composer ----------------------------------------------------------------------------


def _compose(community) -> str:
    return reverse("communities:compose", args=[community.slug])


def test_managers_see_the_acknowledgement_box_for_announcements(world, login):
    body = login(world.manager).get(_compose(world.community)).content.decode()
    assert 'data-kind-fields="announcement"' in body
    assert 'name="requires_acknowledgement"' in body
    assert "Members must acknowledge" in body
    member_body = login(world.member).get(_compose(world.community)).content.decode()
    assert 'name="requires_acknowledgement"' not in member_body


def test_a_manager_publishes_an_announcement_to_acknowledge(world, login):
    response = login(world.manager).post(
        _compose(world.community),
        {
            "kind": "announcement",
            "title": "Fire drill Tuesday",
            "body": "Meet in the car park.",
            "requires_acknowledgement": "on",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(title="Fire drill Tuesday")
    assert post.requires_acknowledgement
    body = _banner(login(world.member).get(reverse("home")).content.decode())
    assert "Fire drill Tuesday" in body


def test_the_box_is_for_announcements_only(world, login):
    response = login(world.manager).post(
        _compose(world.community),
        {
            "kind": "discussion",
            "title": "Coffee",
            "body": "Anyone?",
            "requires_acknowledgement": "on",
        },
    )
    assert response.status_code == 400
    assert "Only announcements ask for acknowledgement." in response.content.decode()
    assert not Post.objects.filter(title="Coffee").exists()


def test_an_announcement_without_the_box_asks_nothing(world, login):
    login(world.manager).post(
        _compose(world.community),
        {"kind": "announcement", "title": "FYI", "body": "Just so you know."},
    )
    assert Post.objects.get(title="FYI").requires_acknowledgement is False
