"""Notifications as people use them, in a real browser: the bell and the centre, the
settings page, a community's level and a thread's mute, direct conversations, an
announcement to acknowledge with its report, a phone-sized screen, and the unsubscribe
link of an email opened without logging in.

Every in-place update is checked without a page reload: a marker set on ``window``
would vanish if the page reloaded.
"""

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from communities.models import Membership, NotificationLevel, Post
from communities.services.comments import comment_create
from communities.services.posts import post_create
from notifications.models import (
    Acknowledgement,
    AnnouncementReminder,
    Delivery,
    Kind,
    Message,
    Notification,
    NotificationPreference,
    NotificationSettings,
    ThreadSubscription,
)
from notifications.services.conversations import conversation_start
from notifications.unsubscribe import Scope, unsubscribe_token
from tests.factories import PASSWORD, UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 375
STILL_THE_SAME_PAGE = "window.__stillTheSamePage"


def _mark_the_page(page) -> None:
    page.evaluate(f"{STILL_THE_SAME_PAGE} = true")


def _assert_not_reloaded(page) -> None:
    assert page.evaluate(STILL_THE_SAME_PAGE) is True, "the page reloaded"


def _bell(page):
    return page.locator("#nav-bell a")


def _open(link) -> None:
    """Click a notification's link (one box, hidden "Unread:" label included)."""
    link.click()


def _guild():
    """Alice owns the Engineering Guild; Bob is a member."""
    alice = UserFactory(email="alice@acme.example", display_name="Alice Arnaud")
    bob = UserFactory(email="bob@acme.example", display_name="Bob Bernard")
    community = make_community(owner=alice, name="Engineering Guild")
    make_member(community, bob)
    return alice, bob, community


# 1. Mention → bell → centre → post ------------------------------------------------------------


def _bob_is_mentioned():
    alice, bob, community = _guild()
    post = post_create(
        author=alice,
        community=community,
        title="Quarterly roadmap",
        body="@bob can you review the *migration* plan?",
    )
    return alice, bob, community, post


def test_mention_rings_the_bell_and_leads_to_the_post(page, log_in, shot, arrange):
    alice, bob, community, post = arrange(_bob_is_mentioned)

    log_in(page, bob.email, PASSWORD)
    expect(_bell(page)).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(_bell(page).locator(".bell-badge")).to_have_text("1")

    _bell(page).click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    mention = page.get_by_role(
        "link", name="Unread: Alice Arnaud mentioned you in “Quarterly roadmap”"
    )
    expect(mention).to_be_visible()
    expect(page.get_by_text("1 unread notification", exact=True)).to_be_visible()
    shot(page, "notifications-centre")

    _open(mention)
    expect(page.get_by_role("heading", name="Quarterly roadmap", level=1)).to_be_visible()
    assert page.url.endswith(f"/posts/{post.pk}/")
    expect(_bell(page)).to_have_attribute("aria-label", "Notifications, none unread")

    _bell(page).click()
    expect(
        page.get_by_role("link", name="Alice Arnaud mentioned you in “Quarterly roadmap”")
    ).to_be_visible()
    expect(page.get_by_text("Unread:")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    assert Notification.objects.get(recipient=bob, kind=Kind.MENTION).read_at is not None

    # Two more mentions arrive; "Mark all as read" clears them in place.
    def two_more_mentions():
        for title in ("Release train", "On-call rota"):
            post_create(author=alice, community=community, title=title, body=f"@bob {title}?")

    arrange(two_more_mentions)
    page.reload()
    expect(_bell(page)).to_have_attribute("aria-label", "Notifications, 2 unread")
    expect(page.get_by_text("2 unread notifications", exact=True)).to_be_visible()
    expect(page.locator(".notification--unread")).to_have_count(2)
    _mark_the_page(page)

    page.get_by_role("button", name="Mark all as read").click()
    expect(
        page.get_by_role("status").filter(has_text="2 notifications marked read.")
    ).to_have_count(1)
    expect(page.locator(".notification--unread")).to_have_count(0)
    expect(page.locator(".notification")).to_have_count(3)
    expect(_bell(page)).to_have_attribute("aria-label", "Notifications, none unread")
    expect(_bell(page).locator(".bell-badge")).to_have_count(0)
    _assert_not_reloaded(page)
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


# 2. Preferences ----------------------------------------------------------------------------


def test_member_sets_preferences_and_they_are_kept(page, log_in, shot, arrange):
    _alice, bob, _community = arrange(_guild)

    log_in(page, bob.email, PASSWORD)
    page.get_by_text("Bob Bernard", exact=True).click()
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("heading", name="Notification settings", level=1)).to_be_visible()

    page.get_by_label("Mentions of me").select_option(label="Off")
    page.get_by_label("Quiet from").fill("20:00")
    page.get_by_label("Quiet until").fill("08:00")
    page.get_by_role("button", name="Save my notification settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Your notification settings are saved.")).to_have_count(0)
    expect(page.get_by_label("Mentions of me")).to_have_value(Delivery.OFF)
    expect(page.get_by_label("Quiet from")).to_have_value("20:00")
    expect(page.get_by_label("Quiet until")).to_have_value("08:00")
    shot(page, "notifications-preferences")
    assert NotificationPreference.objects.get(user=bob, kind=Kind.MENTION).delivery == Delivery.OFF

    # A start without an end: the form says what is wrong and nothing changes.
    page.get_by_label("Quiet until").fill("")
    page.get_by_label("Mentions of me").select_option(label="In the app only")
    page.get_by_role("button", name="Save my notification settings").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Nothing was saved. Please correct the problems below."
    )
    expect(page.get_by_text("Give the end of your quiet hours too.")).to_be_visible()
    settings = NotificationSettings.objects.get(user=bob)
    assert settings.quiet_hours_start == time(20, 0)
    assert settings.quiet_hours_end == time(8, 0)
    assert NotificationPreference.objects.get(user=bob, kind=Kind.MENTION).delivery == Delivery.OFF


# 3. Community level and thread mute --------------------------------------------------------


def test_community_level_all_posts_and_muting_a_thread(page, log_in, arrange):
    alice, bob, community = arrange(_guild)

    log_in(page, bob.email, PASSWORD)
    page.goto(f"/communities/{community.slug}/")
    expect(page.get_by_role("heading", name="Engineering Guild", level=1)).to_be_visible()
    _mark_the_page(page)
    level = page.get_by_label("Notifications", exact=True)
    level.select_option(label="All posts")
    expect(
        page.get_by_role("status").filter(
            has_text="Notifications from Engineering Guild: All posts."
        )
    ).to_have_count(1)
    expect(page.get_by_label("Notifications", exact=True)).to_have_value(NotificationLevel.ALL)
    _assert_not_reloaded(page)
    assert (
        Membership.objects.get(user=bob, community=community).notification_level
        == NotificationLevel.ALL
    )

    post = arrange(
        lambda: post_create(
            author=alice, community=community, title="Incident review", body="Friday, 10:00."
        )
    )
    _bell(page).click()
    new_post = page.get_by_role(
        "link", name="Unread: Alice Arnaud posted “Incident review” in Engineering Guild"
    )
    expect(new_post).to_be_visible()
    _open(new_post)
    expect(page.get_by_role("heading", name="Incident review", level=1)).to_be_visible()

    # Follow, then mute the thread: the buttons say the state, in place.
    _mark_the_page(page)
    follow = page.get_by_role("button", name="Follow this thread")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(
        page.get_by_role("button", name="Following this thread (press to unfollow)")
    ).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Mute thread").click()
    muted = page.get_by_role("button", name="Thread muted (press to unmute)")
    expect(muted).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Mute thread")).to_have_count(0)
    _assert_not_reloaded(page)
    assert (
        ThreadSubscription.objects.get(user=bob, post=post).state == ThreadSubscription.State.MUTED
    )

    # The muted thread stays silent: Alice's comment does not reach Bob.
    arrange(lambda: comment_create(author=alice, post=post, body="Agenda attached."))
    assert not Notification.objects.filter(recipient=bob, kind=Kind.THREAD_COMMENT).exists()
    page.reload()
    expect(_bell(page)).to_have_attribute("aria-label", "Notifications, none unread")


# 4. Conversations --------------------------------------------------------------------------


def test_direct_conversation_between_two_colleagues(page, new_page, log_in, shot, arrange):
    alice, bob, _community = arrange(_guild)

    # Bob's page polls for new messages every 20 s: a controllable clock lets the test
    # move time on instead of waiting.
    page.clock.install()
    log_in(page, bob.email, PASSWORD)
    page.goto(f"/people/{alice.pk}/")
    expect(page.get_by_role("heading", name="Alice Arnaud", level=1)).to_be_visible()
    page.get_by_role("button", name="Send a message").click()
    expect(page.get_by_role("heading", name="New conversation", level=1)).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("^Alice Arnaud"))).to_be_checked()
    page.get_by_label("Message:", exact=True).fill("Lunch on **Thursday**?")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_text("Your message is sent.")).to_be_visible()
    expect(page.get_by_role("heading", name="Alice Arnaud", level=1)).to_be_visible()
    messages = page.locator("#message-list")
    expect(messages.locator("strong", has_text="Thursday")).to_be_visible()
    expect(messages.get_by_text("You", exact=True)).to_have_count(1)
    _mark_the_page(page)

    # Alice, in a browser of her own, sees an unread conversation and replies.
    alice_page = new_page()
    log_in(alice_page, alice.email, PASSWORD)
    nav_messages = alice_page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=re.compile(r"^Messages")
    )
    expect(nav_messages.locator(".nav-count")).to_contain_text("1")
    expect(nav_messages).to_have_accessible_name(
        re.compile(r"Messages 1 conversation with unread messages")
    )
    nav_messages.click()
    expect(alice_page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    results = alice_page.locator("#conversation-results")
    expect(results.get_by_text("1 unread", exact=True)).to_be_visible()
    results.get_by_role("link", name="Bob Bernard").click()
    expect(alice_page.get_by_role("heading", name="Bob Bernard", level=1)).to_be_visible()
    expect(alice_page.locator("#message-list strong", has_text="Thursday")).to_be_visible()
    expect(alice_page.locator("#message-list").get_by_text("New", exact=True)).to_be_visible()
    # Opened: the conversation no longer counts as unread in her navigation.
    expect(
        alice_page.get_by_role("navigation", name="Main navigation").locator(".nav-count")
    ).to_have_count(0)

    _mark_the_page(alice_page)
    alice_page.get_by_label("Your message").fill("Yes, *12:30* at the canteen.")
    alice_page.get_by_role("button", name="Send", exact=True).click()
    alice_messages = alice_page.locator("#message-list .message-item")
    expect(alice_messages).to_have_count(2)
    expect(alice_messages.last.locator("em", has_text="12:30")).to_be_visible()
    expect(alice_messages.last.get_by_text("You", exact=True)).to_be_visible()
    expect(alice_page.get_by_label("Your message")).to_have_value("")
    _assert_not_reloaded(alice_page)
    assert Message.objects.count() == 2

    # Bob's open page picks the reply up by itself.
    page.clock.run_for(21_000)
    bob_messages = page.locator("#message-list .message-item")
    expect(bob_messages).to_have_count(2)
    expect(bob_messages.last.locator("em", has_text="12:30")).to_be_visible()
    expect(bob_messages.last.get_by_text("Alice Arnaud", exact=True)).to_be_visible()
    _assert_not_reloaded(page)
    shot(page, "notifications-conversation")


# 5. Announcement acknowledgement -----------------------------------------------------------


def _announcement():
    manager = UserFactory(email="maud@acme.example", display_name="Maud Manager")
    bob = UserFactory(email="bob@acme.example", display_name="Bob Bernard")
    carl = UserFactory(email="carl@acme.example", display_name="Carl Colin")
    community = make_community(owner=manager, name="All Staff")
    make_member(community, bob)
    make_member(community, carl)
    post = post_create(
        author=manager,
        community=community,
        kind=Post.Kind.ANNOUNCEMENT,
        title="New travel policy",
        body="Book trains for trips **under four hours**.",
        requires_acknowledgement=True,
    )
    return manager, bob, carl, post


def test_announcement_banner_acknowledgement_and_report(page, new_page, log_in, shot, arrange):
    manager, bob, _carl, post = arrange(_announcement)

    log_in(page, bob.email, PASSWORD)
    banner = page.get_by_role("region", name="Announcements to acknowledge")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name="New travel policy")).to_be_visible()
    shot(page, "notifications-announcement-banner")

    _mark_the_page(page)
    banner.get_by_role("button", name="Acknowledge “New travel policy”").click()
    expect(banner.get_by_text("Acknowledged")).to_be_visible()
    expect(banner.get_by_role("button", name=re.compile("^Acknowledge"))).to_have_count(0)
    _assert_not_reloaded(page)
    assert Acknowledgement.objects.filter(post=post, user=bob).exists()

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Communities"
    ).click()
    expect(page.get_by_role("heading", name="Communities", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Announcements to acknowledge")).to_have_count(0)

    # The manager reads the report and reminds the one who has not acknowledged.
    manager_page = new_page()
    log_in(manager_page, manager.email, PASSWORD)
    expect(manager_page.get_by_role("region", name="Announcements to acknowledge")).to_have_count(0)
    manager_page.goto(f"/posts/{post.pk}/")
    manager_page.get_by_role("link", name="See who acknowledged").click()
    expect(
        manager_page.get_by_role("heading", name="Acknowledgements of “New travel policy”", level=1)
    ).to_be_visible()
    expect(manager_page.locator(".ack-report__rate")).to_contain_text("50%")
    expect(manager_page.locator(".ack-report__rate")).to_contain_text("1 of 2 members acknowledged")
    pending = manager_page.get_by_role("heading", name="1 member has not acknowledged")
    expect(pending).to_be_visible()
    not_acknowledged = manager_page.locator("section", has=pending)
    expect(not_acknowledged.get_by_role("link", name="Carl Colin")).to_be_visible()
    expect(not_acknowledged.get_by_role("link", name="Bob Bernard")).to_have_count(0)
    shot(manager_page, "notifications-acknowledgement-report")

    manager_page.get_by_role("button", name="Send a reminder").click()
    expect(manager_page.get_by_text("Reminder sent to 1 member.")).to_be_visible()
    expect(manager_page.get_by_role("button", name="Send a reminder")).to_have_count(0)
    expect(manager_page.get_by_text("A reminder was sent recently.")).to_be_visible()
    reminder = AnnouncementReminder.objects.get(post=post)
    assert (reminder.sent_by_id, reminder.recipient_count) == (manager.pk, 1)


# 6. A phone -------------------------------------------------------------------------------


def _bob_with_a_conversation():
    alice, bob, _community, _post = _bob_is_mentioned()
    conversation_start(
        creator=alice,
        participant_ids=[bob.pk],
        body="A long link: https://intranet.acme.example/" + "very-long-path-segment/" * 6,
    )
    return bob


def _assert_fits(phone, what: str) -> None:
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, f"{what} scrolls sideways on a phone ({scroll_width}px)"


def test_notification_pages_fit_a_phone(new_page, log_in, shot, arrange):
    bob = arrange(_bob_with_a_conversation)
    phone = new_page(width=PHONE_WIDTH, height=740)
    log_in(phone, bob.email, PASSWORD)

    phone.goto("/notifications/")
    expect(
        phone.get_by_role("link", name="Unread: Alice Arnaud mentioned you in “Quarterly roadmap”")
    ).to_be_visible()
    _assert_fits(phone, "the notification centre")
    shot(phone, "notifications-phone-centre")

    phone.goto("/notifications/preferences/")
    expect(phone.get_by_role("heading", name="Notification settings", level=1)).to_be_visible()
    _assert_fits(phone, "the notification settings page")

    phone.goto("/conversations/")
    expect(phone.get_by_role("link", name="Alice Arnaud")).to_be_visible()
    _assert_fits(phone, "the conversation list")

    phone.get_by_role("link", name="Alice Arnaud").click()
    expect(phone.get_by_role("heading", name="Alice Arnaud", level=1)).to_be_visible()
    expect(phone.get_by_label("Your message")).to_be_visible()
    _assert_fits(phone, "a conversation")


# 7. Unsubscribe from an email without logging in -------------------------------------------


def test_unsubscribe_link_works_without_logging_in(new_page, arrange):
    bob = arrange(lambda: UserFactory(email="bob@acme.example", display_name="Bob Bernard"))
    token = unsubscribe_token(user_id=bob.pk, scope=Scope.EMAIL)

    visitor = new_page()
    visitor.goto(f"/notifications/unsubscribe/{token}/")
    expect(
        visitor.get_by_role("heading", name="Stop notification emails?", level=1)
    ).to_be_visible()
    expect(visitor.get_by_text("bob@acme.example")).to_be_visible()
    expect(visitor.get_by_role("link", name="Log in")).to_be_visible()
    assert not NotificationSettings.objects.filter(user=bob, email_enabled=False).exists()

    visitor.get_by_role("button", name="Stop notification emails").click()
    expect(visitor.get_by_role("heading", name="You are unsubscribed", level=1)).to_be_visible()
    expect(visitor.get_by_role("status")).to_contain_text(
        "bob@acme.example will no longer receive notification emails."
    )
    assert NotificationSettings.objects.get(user=bob).email_enabled is False

    # A tampered link changes nothing and says so.
    visitor.goto(f"/notifications/unsubscribe/{token[:-2]}xx/")
    expect(visitor.get_by_role("heading", name="This link does not work", level=1)).to_be_visible()
