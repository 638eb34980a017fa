"""Live pages in a real browser: two members in two browser contexts, on one ASGI server
(HTTP and ``/ws/stream/``). What Alice does reaches Bob's open pages without a reload:
her new post ("1 new post — show"), her comment, her mention (the bell), her message;
and a page whose socket dropped catches up on reconnecting, without counting twice.
"""

import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from notifications.models import StreamEvent
from notifications.selectors.notifications import unread_count
from notifications.services.conversations import conversation_start
from tests.browser.live import connected, keep_watch, not_reloaded
from tests.factories import PASSWORD, UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db(transaction=True)

# The conversation page asks for new messages every 20 s by itself.
CONVERSATION_POLL_SECONDS = 20


@dataclass
class World:
    alice: object
    bob: object
    community: object
    post: object
    conversation: object


def _world() -> World:
    alice = UserFactory(email="alice@acme.example", display_name="Alice Archer")
    bob = UserFactory(email="bob@acme.example", display_name="Bob Baker")
    community = make_community(owner=alice, name="Product Guild", description="We ship.")
    make_member(community, bob)
    post = make_post(community, author=alice, title="Roadmap review", body="Q3 *plans*.")
    # Bob wrote first: Alice has the unread message, Bob's bell starts at zero.
    conversation = conversation_start(
        creator=bob, participant_ids=[alice.pk], body="Do you have a minute?"
    ).conversation
    return World(alice, bob, community, post, conversation)


def _bell(page):
    return page.locator("#nav-bell a")


def test_what_alice_does_reaches_bobs_open_pages_without_a_reload(
    asgi_new_page, log_in, arrange, shot
):
    world = arrange(_world)

    bob_stream = asgi_new_page()
    log_in(bob_stream, world.bob.email, PASSWORD)
    bob_stream.goto(f"/communities/{world.community.slug}/")
    expect(bob_stream.get_by_role("link", name="Roadmap review")).to_be_visible()
    connected(bob_stream, subscribed=f"community:{world.community.pk}")
    bob_post = bob_stream.context.new_page()
    bob_post.goto(f"/posts/{world.post.pk}/")
    connected(bob_post, subscribed=f"post:{world.post.pk}")
    for page in (bob_stream, bob_post):
        keep_watch(page)
        expect(_bell(page)).to_have_attribute("aria-label", "Notifications, none unread")

    alice = asgi_new_page()
    log_in(alice, world.alice.email, PASSWORD)

    # Alice publishes a post: Bob's stream offers it, without reloading.
    alice.goto(f"/communities/{world.community.slug}/")
    alice.get_by_text("Write a post").click()
    alice.get_by_label("Title").fill("Release train")
    alice.get_by_label("Message").fill("We ship every *second* Tuesday.")
    alice.get_by_role("button", name="Publish").click()
    expect(alice.get_by_text("Your post is published.")).to_be_visible()

    new_posts = bob_stream.get_by_role("button", name="1 new post — show")
    expect(new_posts).to_be_visible()
    expect(bob_stream.get_by_role("link", name="Release train")).to_have_count(0)
    shot(bob_stream, "live-new-posts")
    new_posts.click()
    expect(bob_stream.get_by_role("link", name="Release train")).to_be_visible()
    expect(bob_stream.get_by_role("link", name="Roadmap review")).to_be_visible()
    expect(new_posts).to_be_hidden()

    # Alice comments: the comment appears on Bob's post page.
    alice.goto(f"/posts/{world.post.pk}/")
    alice.get_by_label("Your comment").fill("Let us freeze the scope on Friday.")
    alice.get_by_role("button", name="Comment", exact=True).click()
    expect(alice.locator("#comments").get_by_text("Let us freeze the scope")).to_be_visible()
    bob_comments = bob_post.locator("#comments")
    expect(bob_comments.get_by_text("Let us freeze the scope on Friday.")).to_be_visible()
    expect(bob_comments.get_by_text("Alice Archer", exact=True)).to_be_visible()
    expect(_bell(bob_post)).to_have_attribute("aria-label", "Notifications, none unread")

    # Alice mentions Bob: his bell counts it on every open page.
    alice.get_by_label("Your comment").fill("@bob can you check the numbers?")
    alice.get_by_role("button", name="Comment", exact=True).click()
    expect(bob_comments.get_by_text("can you check the numbers?")).to_be_visible()
    for page in (bob_stream, bob_post):
        expect(_bell(page)).to_have_attribute("aria-label", "Notifications, 1 unread")
        expect(_bell(page).locator(".bell-badge")).to_have_text("1")
    shot(bob_post, "live-comment-and-bell")

    # Alice answers Bob's message while he is on the conversation: it appears at once,
    # well before the page would have asked by itself.
    conversation_url = f"/conversations/{world.conversation.pk}/"
    alice.goto(conversation_url)
    bob_chat = bob_stream.context.new_page()
    bob_chat.goto(conversation_url)
    connected(bob_chat)
    keep_watch(bob_chat)
    opened_at = time.monotonic()
    alice.get_by_label("Your message").fill("Sure, call me after lunch.")
    alice.get_by_role("button", name="Send").click()
    bob_messages = bob_chat.locator("#message-list")
    expect(bob_messages.get_by_text("Sure, call me after lunch.")).to_be_visible()
    assert time.monotonic() - opened_at < CONVERSATION_POLL_SECONDS
    shot(bob_chat, "live-conversation")
    # Reading it there clears its notification on Bob's other pages too.
    for page in (bob_stream, bob_post, bob_chat):
        expect(_bell(page)).to_have_attribute("aria-label", "Notifications, 1 unread")

    for page in (bob_stream, bob_post, bob_chat):
        assert not_reloaded(page)
    assert unread_count(user=world.bob) == 1


def test_a_page_whose_socket_dropped_catches_up_once(asgi_new_page, log_in, arrange):
    world = arrange(_world)

    bob = asgi_new_page()
    log_in(bob, world.bob.email, PASSWORD)
    bob.goto(f"/communities/{world.community.slug}/")
    connected(bob)
    keep_watch(bob)
    first_url = bob.evaluate("window.cercleStream.url")
    rendered_after = bob.evaluate("window.cercleStream.lastEventId")
    assert first_url.endswith(f"/ws/stream/?last_event_id={rendered_after or 0}")

    alice = asgi_new_page()
    log_in(alice, world.alice.email, PASSWORD)
    alice.goto(f"/posts/{world.post.pk}/")

    # Bob's connection drops, and stays down while Alice mentions him.
    bob.context.set_offline(True)
    bob.evaluate("window.cercleStream.socket.close()")
    bob.wait_for_function("() => !window.cercleStream.connected")
    alice.get_by_label("Your comment").fill("@bob the figures are in.")
    alice.get_by_role("button", name="Comment", exact=True).click()
    expect(alice.locator("#comments").get_by_text("the figures are in.")).to_be_visible()
    missed = StreamEvent.objects.filter(user=world.bob).latest("id")
    assert missed.type == "notification.created"
    bob.wait_for_timeout(2_000)  # past the first retries, which fail while offline
    assert bob.evaluate("[window.cercleStream.connected, window.cercleStream.connections]") == [
        False,
        1,
    ]
    expect(_bell(bob)).to_have_attribute("aria-label", "Notifications, none unread")

    # Back online: the socket resumes after the last event it had and catches up.
    bob.context.set_offline(False)
    expect(_bell(bob)).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(_bell(bob).locator(".bell-badge")).to_have_text("1")
    connected(bob)
    assert bob.evaluate("window.cercleStream.connections") == 2
    assert bob.evaluate("window.cercleStream.url").endswith(f"?last_event_id={rendered_after or 0}")
    assert bob.evaluate("window.cercleStream.lastEventId") == missed.pk
    assert bob.evaluate("sessionStorage.getItem('cercle:stream:last-event-id')") == str(missed.pk)

    # Dropped again with nothing new: it resumes after the replayed event, counts nothing.
    bob.evaluate("window.cercleStream.socket.close()")
    bob.wait_for_function("() => window.cercleStream.connections === 3")
    connected(bob)
    assert bob.evaluate("window.cercleStream.url").endswith(f"?last_event_id={missed.pk}")

    # Live again: Alice's next mention counts once.
    alice.get_by_label("Your comment").fill("@bob and the forecast too.")
    alice.get_by_role("button", name="Comment", exact=True).click()
    expect(_bell(bob).locator(".bell-badge")).to_have_text("2")
    bob.wait_for_timeout(500)
    expect(_bell(bob)).to_have_attribute("aria-label", "Notifications, 2 unread")
    assert unread_count(user=world.bob) == 2
    assert not_reloaded(bob)


def test_a_page_that_missed_too_much_to_replay_reloads_unless_a_form_is_being_written(
    asgi_new_page, log_in, arrange, settings
):
    # Any missed event is one too many: the server answers "resync" instead of a replay.
    settings.CERCLE_STREAM_REPLAY_LIMIT = 0
    world = arrange(_world)

    bob = asgi_new_page()
    log_in(bob, world.bob.email, PASSWORD)
    bob.goto(f"/communities/{world.community.slug}/")
    connected(bob)
    keep_watch(bob)
    alice = asgi_new_page()
    log_in(alice, world.alice.email, PASSWORD)
    alice.goto(f"/posts/{world.post.pk}/")

    def mention_bob_while_he_is_offline(text: str) -> None:
        bob.context.set_offline(True)
        bob.evaluate("window.cercleStream.socket.close()")
        bob.wait_for_function("() => !window.cercleStream.connected")
        alice.get_by_label("Your comment").fill(text)
        alice.get_by_role("button", name="Comment", exact=True).click()
        expect(alice.locator("#comments").get_by_text(text[5:])).to_be_visible()
        bob.context.set_offline(False)

    # Bob is writing a post: the page offers to reload rather than lose his draft.
    bob.get_by_text("Write a post").click()
    bob.get_by_label("Title").fill("Half-written idea")
    mention_bob_while_he_is_offline("@bob first figures.")
    notice = bob.get_by_role("status").filter(has_text="New activity arrived while you were away.")
    expect(notice).to_be_visible()
    assert not_reloaded(bob)
    expect(bob.get_by_label("Title")).to_have_value("Half-written idea")
    notice.get_by_role("button", name="Reload to catch up").click()
    expect(_bell(bob)).to_have_attribute("aria-label", "Notifications, 1 unread")
    assert not not_reloaded(bob)

    # Nothing being written: the page reloads by itself, and shows the new state.
    connected(bob)
    keep_watch(bob)
    mention_bob_while_he_is_offline("@bob second figures.")
    expect(_bell(bob)).to_have_attribute("aria-label", "Notifications, 2 unread")
    assert not not_reloaded(bob)
    connected(bob)
    expect(bob.get_by_role("status").filter(has_text="New activity")).to_have_count(0)
