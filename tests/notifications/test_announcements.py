"""Announcements that require acknowledgement: acknowledging, reminding, the pending list
of a member and the managers' report (services and selectors)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from communities.models import Community, Membership, Post
from communities.services.memberships import membership_ban, membership_leave
from communities.services.posts import post_hide
from config.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationError
from notifications.events import user_group
from notifications.models import (
    Acknowledgement,
    AnnouncementReminder,
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
)
from notifications.selectors.announcements import (
    acknowledgement_report,
    announcement_banner,
    announcements_pending_for,
    announcements_with_acknowledgement_counts,
)
from notifications.services.announcements import announcement_acknowledge, announcement_remind
from notifications.services.fanout import Notice, notify
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.live import Listener

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """A public community "Staff" with one person per relation to it, and an announcement
    of its owner that asks for acknowledgement."""

    community: Community
    owner: object
    manager: object
    moderator: object
    member: object
    colleague: object
    banned: object
    reader: object
    announcement: Post

    def person(self, role: str):
        return getattr(self, role)


def make_world(visibility: str = Community.Visibility.PUBLIC, **post_kwargs) -> World:
    owner = UserFactory(display_name="Olga Owner")
    community = make_community(owner=owner, name="Staff", visibility=visibility)
    manager = make_member(
        community, UserFactory(display_name="Manu Manager"), Membership.Role.MANAGER
    )
    moderator = make_member(
        community, UserFactory(display_name="Mo Moderator"), Membership.Role.MODERATOR
    )
    member = make_member(community, UserFactory(display_name="Mia Member"))
    colleague = make_member(community, UserFactory(display_name="Carl Colleague"))
    banned = make_member(community, UserFactory(display_name="Bob Banned"))
    membership_ban(actor=owner, membership=community.memberships.get(user=banned))
    post_kwargs.setdefault("title", "New expense policy")
    post_kwargs.setdefault("kind", Post.Kind.ANNOUNCEMENT)
    post_kwargs.setdefault("requires_acknowledgement", True)
    announcement = make_post(community, author=owner, **post_kwargs)
    return World(
        community=community,
        owner=owner,
        manager=manager,
        moderator=moderator,
        member=member,
        colleague=colleague,
        banned=banned,
        reader=UserFactory(display_name="Rita Reader"),
        announcement=announcement,
    )


@pytest.fixture
def world(db) -> World:
    return make_world()


def _reminders_of(post) -> dict[int, Notification]:
    return {
        n.recipient_id: n
        for n in Notification.objects.filter(kind=Kind.ANNOUNCEMENT, post=post, data__reminder=True)
    }


# Acknowledging ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("member", None),
        ("manager", None),
        ("moderator", None),
        ("reader", PermissionDenied),  # reads the public community, is not a member
        ("banned", NotFound),
        ("owner", ValidationError),  # the author
    ],
)
def test_who_may_acknowledge_in_a_public_community(world, role, outcome):
    person = world.person(role)
    if outcome is None:
        acknowledgement = announcement_acknowledge(user=person, post=world.announcement)
        assert acknowledgement.user == person
        assert Acknowledgement.objects.filter(post=world.announcement, user=person).count() == 1
    else:
        with pytest.raises(outcome):
            announcement_acknowledge(user=person, post=world.announcement)
        assert not Acknowledgement.objects.exists()


def test_an_outsider_of_a_private_community_is_told_it_does_not_exist(db):
    world = make_world(Community.Visibility.PRIVATE)
    with pytest.raises(NotFound):
        announcement_acknowledge(user=world.reader, post=world.announcement)
    assert not Acknowledgement.objects.exists()


def test_acknowledging_twice_is_a_conflict_and_changes_nothing(world):
    first = announcement_acknowledge(user=world.member, post=world.announcement)
    with pytest.raises(Conflict) as refused:
        announcement_acknowledge(user=world.member, post=world.announcement)
    assert refused.value.message == "You already acknowledged this announcement."
    assert list(Acknowledgement.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.parametrize(
    "post_kwargs",
    [
        {"kind": Post.Kind.ANNOUNCEMENT, "requires_acknowledgement": False},
        {"kind": Post.Kind.DISCUSSION, "requires_acknowledgement": False},
    ],
)
def test_a_post_that_does_not_ask_for_acknowledgement_is_refused(db, post_kwargs):
    world = make_world(**post_kwargs)
    with pytest.raises(ValidationError) as refused:
        announcement_acknowledge(user=world.member, post=world.announcement)
    assert "does not ask" in refused.value.message
    assert not Acknowledgement.objects.exists()


def test_acknowledging_reads_the_notifications_about_the_announcement(
    world, django_capture_on_commit_callbacks
):
    other = make_post(world.community, author=world.owner, title="Other")
    for post in (world.announcement, other):
        notify(
            notice=Notice(
                kind=Kind.ANNOUNCEMENT,
                actor_id=world.owner.pk,
                community_id=world.community.pk,
                post_id=post.pk,
            ),
            candidates=[world.member.pk],
        )
    listener = Listener(user_group(world.member.pk))

    with django_capture_on_commit_callbacks(execute=True):
        announcement_acknowledge(user=world.member, post=world.announcement)

    unread = Notification.objects.filter(recipient=world.member, read_at__isnull=True)
    assert list(unread.values_list("post_id", flat=True)) == [other.pk]
    events = listener.events()
    assert [event["type"] for event in events] == [
        "notification.read",
        "unread_count",
        "announcement.acknowledged",
    ]
    assert events[1]["data"] == {"count": 1}


# Reminding -------------------------------------------------------------------------------


def test_a_reminder_notifies_exactly_the_members_who_have_not_acknowledged(
    world, django_capture_on_commit_callbacks
):
    announcement_acknowledge(user=world.member, post=world.announcement)
    left = make_member(world.community)
    membership_leave(user=left, community=world.community)
    listener = Listener(user_group(world.colleague.pk))

    with django_capture_on_commit_callbacks(execute=True):
        reminder = announcement_remind(actor=world.manager, post=world.announcement)

    notified = _reminders_of(world.announcement)
    # Not the author, not who acknowledged, not the banned or departed, not the actor.
    assert set(notified) == {world.moderator.pk, world.colleague.pk}
    assert all(n.actor_id == world.manager.pk for n in notified.values())
    assert reminder.recipient_count == 2
    assert reminder.sent_by == world.manager
    assert AnnouncementReminder.objects.count() == 1
    created = [e for e in listener.events() if e["type"] == "notification.created"]
    assert created[0]["data"]["post_id"] == world.announcement.pk


def test_a_reminder_respects_who_turned_announcements_off(world):
    NotificationPreference.objects.create(
        user=world.colleague, kind=Kind.ANNOUNCEMENT, delivery=Delivery.OFF
    )
    reminder = announcement_remind(actor=world.owner, post=world.announcement)
    assert set(_reminders_of(world.announcement)) == {
        world.manager.pk,
        world.moderator.pk,
        world.member.pk,
    }
    assert reminder.recipient_count == 3


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("owner", None),
        ("manager", None),
        ("moderator", PermissionDenied),
        ("member", PermissionDenied),
        ("reader", PermissionDenied),
        ("banned", NotFound),
    ],
)
def test_only_managers_remind(world, role, outcome):
    if outcome is None:
        announcement_remind(actor=world.person(role), post=world.announcement)
        assert AnnouncementReminder.objects.count() == 1
    else:
        with pytest.raises(outcome):
            announcement_remind(actor=world.person(role), post=world.announcement)
        assert not AnnouncementReminder.objects.exists()
        assert not _reminders_of(world.announcement)


def test_reminding_again_too_soon_is_refused_with_the_next_possible_time(world, settings):
    settings.CERCLE_ANNOUNCEMENT_REMINDER_HOURS = 24
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        announcement_remind(actor=world.owner, post=world.announcement)
    with (
        time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False),
        pytest.raises(RateLimited) as refused,
    ):
        announcement_remind(actor=world.manager, post=world.announcement)
    assert "next one is possible from" in refused.value.message
    assert AnnouncementReminder.objects.count() == 1
    with time_machine.travel(start + timedelta(hours=24), tick=False):
        announcement_remind(actor=world.manager, post=world.announcement)
    assert AnnouncementReminder.objects.count() == 2
    # Unread reminders merge: one notification per member, not one per reminder.
    assert Notification.objects.filter(recipient=world.member, data__reminder=True).count() == 1


def test_nobody_left_to_remind_is_refused(world):
    for person in (world.manager, world.moderator, world.member, world.colleague):
        announcement_acknowledge(user=person, post=world.announcement)
    with pytest.raises(ValidationError) as refused:
        announcement_remind(actor=world.owner, post=world.announcement)
    assert "Everyone has acknowledged" in refused.value.message
    assert not AnnouncementReminder.objects.exists()


def test_reminding_about_a_post_that_does_not_ask_is_refused(db):
    world = make_world(requires_acknowledgement=False)
    with pytest.raises(ValidationError):
        announcement_remind(actor=world.owner, post=world.announcement)
    assert not AnnouncementReminder.objects.exists()


def test_a_rolled_back_reminder_sends_nothing(world, django_capture_on_commit_callbacks):
    listener = Listener(user_group(world.member.pk))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        announcement_remind(actor=world.owner, post=world.announcement)
        raise RuntimeError("boom")
    assert not AnnouncementReminder.objects.exists()
    assert not _reminders_of(world.announcement)
    assert listener.events() == []


# What a member still has to acknowledge --------------------------------------------------


def test_pending_announcements_are_those_to_acknowledge_in_my_communities(world):
    other_community = make_community(owner=world.owner, name="Elsewhere")
    make_post(
        other_community,
        author=world.owner,
        kind=Post.Kind.ANNOUNCEMENT,
        requires_acknowledgement=True,
        title="Not for Mia",
    )
    make_post(world.community, author=world.owner, kind=Post.Kind.ANNOUNCEMENT, title="No ack")
    hidden = make_post(
        world.community,
        author=world.owner,
        kind=Post.Kind.ANNOUNCEMENT,
        requires_acknowledgement=True,
        title="Hidden",
    )
    post_hide(actor=world.owner, post=hidden)
    newer = make_post(
        world.community,
        author=world.manager,
        kind=Post.Kind.ANNOUNCEMENT,
        requires_acknowledgement=True,
        title="Newer",
    )

    assert list(announcements_pending_for(world.member)) == [newer, world.announcement]
    # The author has nothing to acknowledge in their own announcement.
    assert list(announcements_pending_for(world.manager)) == [world.announcement]
    assert list(announcements_pending_for(world.owner)) == [newer]
    assert list(announcements_pending_for(world.reader)) == []
    assert list(announcements_pending_for(world.banned)) == []

    announcement_acknowledge(user=world.member, post=newer)
    assert list(announcements_pending_for(world.member)) == [world.announcement]


def test_the_banner_shows_three_and_counts_the_rest_in_one_query(world, django_assert_num_queries):
    for index in range(4):
        make_post(
            world.community,
            author=world.owner,
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            title=f"Extra {index}",
        )
    with django_assert_num_queries(1):
        banner = announcement_banner(world.member)
        titles = [post.title for post in banner.announcements]
        communities = [post.community.name for post in banner.announcements]
    assert titles == ["Extra 3", "Extra 2", "Extra 1"]
    assert communities == ["Staff"] * 3
    assert banner.total == 5
    assert banner.more == 2


def test_an_empty_banner(world):
    announcement_acknowledge(user=world.member, post=world.announcement)
    banner = announcement_banner(world.member)
    assert banner.announcements == []
    assert banner.total == 0


@pytest.mark.parametrize("extra", [0, 15])
def test_pending_list_query_count_does_not_grow(world, extra, django_assert_num_queries):
    for index in range(extra):
        make_post(
            world.community,
            author=world.owner,
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            title=f"Extra {index}",
        )
    with django_assert_num_queries(1):
        rows = [
            (post.title, post.community.name, str(post.author))
            for post in announcements_pending_for(world.member)
        ]
    assert len(rows) == extra + 1


# The managers' report --------------------------------------------------------------------


def test_the_report_counts_the_members_to_reach_and_who_acknowledged(world):
    announcement_acknowledge(user=world.member, post=world.announcement)
    announcement_acknowledge(user=world.manager, post=world.announcement)
    # Acknowledged, then left: no longer counted either way.
    announcement_acknowledge(user=world.colleague, post=world.announcement)
    membership_leave(user=world.colleague, community=world.community)
    announcement_remind(actor=world.owner, post=world.announcement)

    report = acknowledgement_report(user=world.owner, post=world.announcement)

    # Members to reach: manager, moderator, member (the owner wrote it; banned and
    # departed members are out).
    assert report.member_count == 3
    assert report.acknowledged_count == 2
    assert report.pending_count == 1
    assert report.rate == 66
    assert list(report.pending) == [world.moderator]
    assert {a.user for a in report.acknowledged} == {world.member, world.manager}
    assert [(r.sent_by, r.recipient_count) for r in report.reminders] == [(world.owner, 1)]
    assert report.next_reminder_at is not None
    assert not report.can_remind


def test_the_report_of_a_fresh_announcement(world):
    report = acknowledgement_report(user=world.manager, post=world.announcement)
    assert (report.member_count, report.acknowledged_count, report.rate) == (4, 0, 0)
    assert report.next_reminder_at is None
    assert report.can_remind


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("owner", None),
        ("manager", None),
        ("moderator", PermissionDenied),
        ("member", PermissionDenied),
        ("reader", PermissionDenied),
        ("banned", NotFound),
    ],
)
def test_only_managers_see_the_report(world, role, outcome):
    if outcome is None:
        assert acknowledgement_report(user=world.person(role), post=world.announcement)
    else:
        with pytest.raises(outcome):
            acknowledgement_report(user=world.person(role), post=world.announcement)


def test_the_report_of_a_secret_community_is_not_found_for_outsiders(db):
    world = make_world(Community.Visibility.SECRET)
    with pytest.raises(NotFound):
        acknowledgement_report(user=world.reader, post=world.announcement)


@pytest.mark.parametrize("extra", [1, 20])
def test_report_query_count_does_not_grow(world, extra, django_assert_num_queries):
    for _ in range(extra):
        person = make_member(world.community)
        announcement_acknowledge(user=person, post=world.announcement)
        make_member(world.community)
    announcement_remind(actor=world.owner, post=world.announcement)

    # Checks (readable, manager), counts, next reminder; then each list once.
    with django_assert_num_queries(7):
        report = acknowledgement_report(user=world.owner, post=world.announcement)
        pending = list(report.pending)
        acknowledged = [a.user.display_name for a in report.acknowledged]
        reminders = [r.sent_by.display_name for r in report.reminders]
    assert len(pending) == 4 + extra
    assert len(acknowledged) == extra
    assert len(reminders) == 1


@pytest.mark.parametrize("count", [1, 10])
def test_counts_per_announcement_cost_no_extra_query(db, count, django_assert_num_queries):
    world = make_world()
    for index in range(count - 1):
        make_post(
            world.community,
            author=world.manager,
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            title=f"More {index}",
        )
    announcement_acknowledge(user=world.member, post=world.announcement)
    with django_assert_num_queries(1):
        rows = {
            post.pk: (post.member_count, post.acknowledged_count)
            for post in announcements_with_acknowledgement_counts(
                Post.objects.filter(kind=Post.Kind.ANNOUNCEMENT)
            )
        }
    assert rows[world.announcement.pk] == (4, 1)
    assert len(rows) == count
