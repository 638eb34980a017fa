"""Live updates in a real browser, on one ASGI server (HTTP and ``/ws/stream/``): a
reaction counts on the other members' open post pages; an announcement that asks for
acknowledgement puts its banner on every open tab of a member, and acknowledging it in
one tab takes the banner and the post page's Acknowledge button away in the others. No
page reloads for any of it.
"""

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from communities.models import Membership, Post
from communities.services.posts import post_create
from notifications.models import Acknowledgement, StreamEvent
from tests.browser.live import connected, keep_watch, not_reloaded
from tests.factories import PASSWORD, UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db(transaction=True)

BANNER = "Announcements to acknowledge"


@dataclass
class World:
    manager: object
    alice: object
    bob: object
    community: object
    post: object


def _world() -> World:
    owner = UserFactory(email="olga@acme.example", display_name="Olga Owner")
    community = make_community(owner=owner, name="Staff", description="Everyone.")
    manager = make_member(
        community,
        UserFactory(email="manu@acme.example", display_name="Manu Manager"),
        Membership.Role.MANAGER,
    )
    alice = make_member(
        community, UserFactory(email="alice@acme.example", display_name="Alice Archer")
    )
    bob = make_member(community, UserFactory(email="bob@acme.example", display_name="Bob Baker"))
    post = make_post(community, author=owner, title="Canteen menu", body="Soup on *Monday*.")
    return World(manager, alice, bob, community, post)


def _announce(world: World, title: str) -> Post:
    """The manager publishes an announcement that every member must acknowledge."""
    return post_create(
        author=world.manager,
        community=world.community,
        title=title,
        body="Please read the *new* rules.",
        kind=Post.Kind.ANNOUNCEMENT,
        requires_acknowledgement=True,
    )


def _banner(page):
    return page.get_by_role("region", name=BANNER)


def _count_page_fetches(page) -> None:
    """Record the URLs the page's script fetches (the live script's refreshes; htmx's
    requests do not go through fetch)."""
    page.evaluate(
        """() => {
          window.__fetched = [];
          const fetchFromTheNetwork = window.fetch;
          window.fetch = (...request) => {
            window.__fetched.push(String(request[0]));
            return fetchFromTheNetwork(...request);
          };
        }"""
    )


def _handled(page, event_id: int) -> None:
    """Wait until the page's script has handled the personal event ``event_id``."""
    page.wait_for_function(
        "id => window.cercleStream.lastEventId !== null && window.cercleStream.lastEventId >= id",
        arg=event_id,
    )


def test_a_reaction_counts_on_the_other_members_open_post_page(asgi_new_page, log_in, arrange):
    world = arrange(_world)
    post_url = f"/posts/{world.post.pk}/"

    alice = asgi_new_page()
    log_in(alice, world.alice.email, PASSWORD)
    alice.goto(post_url)
    connected(alice, subscribed=f"post:{world.post.pk}")
    keep_watch(alice)
    alices_like = alice.locator(f"#react-post-{world.post.pk}-like")
    expect(alices_like.locator(".reaction-count")).to_have_text("0")

    bob = asgi_new_page()
    log_in(bob, world.bob.email, PASSWORD)
    bob.goto(post_url)
    bobs_like = bob.locator(f"#react-post-{world.post.pk}-like")

    # Bob likes the post: Alice's page counts it, and it is not hers.
    bobs_like.click()
    expect(bobs_like).to_have_attribute("aria-pressed", "true")
    expect(alices_like.locator(".reaction-count")).to_have_text("1")
    expect(alices_like).to_have_attribute("aria-pressed", "false")
    expect(alice.locator(f"#react-post-{world.post.pk}-celebrate .reaction-count")).to_have_text(
        "0"
    )

    # He takes it back: the count on Alice's page goes down again.
    bobs_like.click()
    expect(bobs_like).to_have_attribute("aria-pressed", "false")
    expect(alices_like.locator(".reaction-count")).to_have_text("0")

    assert not_reloaded(alice)


def test_the_acknowledgement_banner_comes_and_goes_in_every_open_tab(
    asgi_new_page, log_in, arrange
):
    world = arrange(_world)

    first_tab = asgi_new_page()
    log_in(first_tab, world.alice.email, PASSWORD)
    first_tab.goto(f"/communities/{world.community.slug}/")
    second_tab = first_tab.context.new_page()
    second_tab.goto(f"/posts/{world.post.pk}/")
    for tab in (first_tab, second_tab):
        connected(tab)
        keep_watch(tab)
        expect(_banner(tab)).to_have_count(0)

    # A manager publishes an announcement to acknowledge: both tabs show the banner.
    announcement = arrange(lambda: _announce(world, "New expense policy"))
    for tab in (first_tab, second_tab):
        expect(_banner(tab).get_by_role("link", name="New expense policy")).to_be_visible()

    # Alice acknowledges it in the first tab: the banner leaves the second tab.
    _count_page_fetches(first_tab)
    _banner(first_tab).get_by_role("button", name="Acknowledge").click()
    expect(_banner(first_tab).get_by_role("status")).to_have_text("✓ Acknowledged")
    expect(_banner(second_tab)).to_have_count(0)
    assert Acknowledgement.objects.filter(post=announcement, user=world.alice).exists()

    # The first tab keeps its "Acknowledged" in view: the event it hears too does not
    # refresh the banner away under the member's eyes.
    event = StreamEvent.objects.get(user=world.alice, type="announcement.acknowledged")
    _handled(first_tab, event.pk)
    assert first_tab.evaluate("window.__fetched") == []
    expect(_banner(first_tab).get_by_role("status")).to_have_text("✓ Acknowledged")

    for tab in (first_tab, second_tab):
        assert not_reloaded(tab)


def test_acknowledging_in_one_tab_updates_the_announcement_open_in_another(
    asgi_new_page, log_in, arrange
):
    world = arrange(_world)
    announcement = arrange(lambda: _announce(world, "New expense policy"))

    banner_tab = asgi_new_page()
    log_in(banner_tab, world.alice.email, PASSWORD)
    banner_tab.goto(f"/communities/{world.community.slug}/")
    post_tab = banner_tab.context.new_page()
    post_tab.goto(f"/posts/{announcement.pk}/")
    box = post_tab.get_by_role("region", name="Acknowledgement requested")
    expect(box.get_by_role("button", name="Acknowledge")).to_be_visible()
    expect(_banner(post_tab)).to_be_visible()
    for tab in (banner_tab, post_tab):
        connected(tab)
        keep_watch(tab)

    _banner(banner_tab).get_by_role("button", name="Acknowledge").click()
    expect(_banner(banner_tab).get_by_role("status")).to_have_text("✓ Acknowledged")

    # The announcement's page says it is done, and asks no more.
    expect(box.get_by_role("status")).to_contain_text("You acknowledged this on")
    expect(box.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(_banner(post_tab)).to_have_count(0)
    assert not_reloaded(post_tab)
