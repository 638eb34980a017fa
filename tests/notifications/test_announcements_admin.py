"""Announcements in the admin: a community manager sees only their communities' ones,
with acknowledgement counts, the report on the page, and sends reminders."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community, Membership, Post
from notifications.models import AnnouncementReminder, Notification
from notifications.services.announcements import announcement_acknowledge
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:notifications_announcement_changelist"


def _change(post) -> str:
    return reverse("admin:notifications_announcement_change", args=[post.pk])


@dataclass
class Side:
    community: Community
    owner: object
    member: object
    announcement: Post


def _side(label: str, visibility: str) -> Side:
    owner = UserFactory(display_name=f"{label} Owner")
    community = make_community(owner=owner, name=f"{label} Guild", visibility=visibility)
    member = make_member(
        community,
        UserFactory(display_name=f"{label} Member", email=f"{label.lower()}.m@acme.example"),
    )
    announcement = make_post(
        community,
        author=owner,
        kind=Post.Kind.ANNOUNCEMENT,
        requires_acknowledgement=True,
        title=f"{label} announcement",
    )
    return Side(community=community, owner=owner, member=member, announcement=announcement)


@pytest.fixture
def cm(db):
    return UserFactory(display_name="Carla CM", is_staff=True)


@pytest.fixture
def alpha(cm):
    side = _side("Alpha", Community.Visibility.PUBLIC)
    make_member(side.community, cm, role=Membership.Role.MANAGER)
    return side


@pytest.fixture
def beta(cm):
    side = _side("Beta", Community.Visibility.SECRET)
    make_member(side.community, cm)  # a plain member: may read, may not manage
    return side


@pytest.fixture
def cm_client(client, cm, alpha, beta):
    client.force_login(cm)
    return client


def test_the_changelist_shows_only_the_managed_communities_announcements(cm_client, alpha, beta):
    plain = make_post(alpha.community, author=alpha.owner, title="Alpha discussion")
    announcement_acknowledge(user=alpha.member, post=alpha.announcement)

    response = cm_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Alpha announcement" in body
    assert "Beta" not in body
    assert plain.title not in body  # not an announcement
    (row,) = response.context["cl"].result_list
    # Members to reach: the Alpha member and the CM (the owner wrote it).
    assert (row.member_count, row.acknowledged_count) == (2, 1)
    assert "1 of 2" in body
    assert "50%" in body


def test_other_communities_announcements_answer_404(cm_client, beta):
    assert cm_client.get(_change(beta.announcement)).status_code == 404


def test_staff_who_manage_nothing_do_not_see_announcements(client, alpha):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_the_page_shows_the_acknowledgement_report(cm_client, alpha):
    announcement_acknowledge(user=alpha.member, post=alpha.announcement)
    body = cm_client.get(_change(alpha.announcement)).content.decode()
    assert "Acknowledgement report" in body
    assert "50%" in body
    assert "Not acknowledged (1)" in body
    assert "Carla CM" in body
    assert "Acknowledged (1)" in body
    assert "Alpha Member" in body
    assert "Send a reminder" in body


def test_the_remind_action_calls_the_service_and_reports_refusals(cm_client, alpha):
    no_ack = make_post(
        alpha.community, author=alpha.owner, kind=Post.Kind.ANNOUNCEMENT, title="FYI only"
    )
    response = cm_client.post(
        reverse(CHANGELIST),
        {"action": "send_reminders", "_selected_action": [alpha.announcement.pk, no_ack.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "Reminder sent for 1 announcement." in body
    assert "FYI only: This post does not ask members to acknowledge it." in body
    (reminder,) = AnnouncementReminder.objects.all()
    assert reminder.post == alpha.announcement
    assert reminder.sent_by.display_name == "Carla CM"
    assert set(
        Notification.objects.filter(data__reminder=True).values_list("recipient", flat=True)
    ) == {alpha.member.pk}

    again = cm_client.post(
        reverse(CHANGELIST),
        {"action": "send_reminders", "_selected_action": [alpha.announcement.pk]},
        follow=True,
    )
    assert "The next one is possible from" in again.content.decode()
    assert AnnouncementReminder.objects.count() == 1


def test_the_remind_button_on_the_page(cm_client, alpha, beta):
    url = reverse("admin:notifications_announcement_remind", args=[alpha.announcement.pk])
    assert cm_client.get(url).status_code == 405
    response = cm_client.post(url, follow=True)
    assert "Reminder sent to 1 member." in response.content.decode()
    assert AnnouncementReminder.objects.count() == 1
    beta_url = reverse("admin:notifications_announcement_remind", args=[beta.announcement.pk])
    assert cm_client.post(beta_url).status_code == 404
    assert AnnouncementReminder.objects.count() == 1


def test_changelist_query_count_does_not_grow(cm_client, alpha):
    url = reverse(CHANGELIST)
    cm_client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        assert cm_client.get(url).context["cl"].result_count == 1
    for number in range(9):
        post = make_post(
            alpha.community,
            author=alpha.owner,
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            title=f"More {number}",
        )
        announcement_acknowledge(user=alpha.member, post=post)
    with CaptureQueriesContext(connection) as ten_rows:
        assert cm_client.get(url).context["cl"].result_count == 10
    assert len(ten_rows) == len(one_row)


def test_a_superuser_sees_every_announcement(client, alpha, beta):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    body = client.get(reverse(CHANGELIST)).content.decode()
    assert "Alpha announcement" in body and "Beta announcement" in body
    assert client.get(_change(beta.announcement)).status_code == 200
