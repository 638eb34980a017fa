"""A member opens a community, writes a post with the composer, comments and reacts,
in a real browser: comments and reactions update in place, without a page reload."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Comment, Post, Reaction
from tests.factories import PASSWORD, UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db(transaction=True)


def _guild_with_a_member():
    owner = UserFactory(email="odile@acme.example", display_name="Odile Owner")
    community = make_community(
        owner=owner, name="Engineering Guild", description="Builders of the platform."
    )
    member = make_member(
        community, UserFactory(email="mia@acme.example", display_name="Mia Martin")
    )
    make_post(community, author=owner, title="Welcome aboard", body="Say *hello*.")
    return member


def test_member_posts_comments_and_reacts_without_reloading(page, log_in, shot, arrange):
    member = arrange(_guild_with_a_member)

    log_in(page, member.email, PASSWORD)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Communities"
    ).click()
    page.get_by_role("link", name="Engineering Guild").click()
    expect(page.get_by_role("heading", name="Engineering Guild", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Welcome aboard")).to_be_visible()

    page.get_by_text("Write a post").click()
    page.get_by_label("Title").fill("Zero downtime deploys")
    page.get_by_label("Message").fill("We switch to **blue-green** deploys. #deploys")
    preview = page.locator("#composer-preview")
    expect(preview.locator("strong")).to_have_text("blue-green")
    expect(page.get_by_label("Poll options")).to_be_hidden()
    shot(page, "community")
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_text("Your post is published.")).to_be_visible()
    page.get_by_role("link", name="Zero downtime deploys").click()
    expect(page.get_by_role("heading", name="Zero downtime deploys", level=1)).to_be_visible()
    post = Post.objects.get(title="Zero downtime deploys")

    # From here on, nothing may reload the page: a marker on window would vanish.
    page.evaluate("window.__stillTheSamePage = true")

    page.get_by_label("Your comment").fill("Canary first, then **everyone**.")
    page.get_by_role("button", name="Comment", exact=True).click()
    comments = page.locator("#comments")
    expect(comments.get_by_text("Canary first, then")).to_be_visible()
    expect(comments.locator("strong", has_text="everyone")).to_be_visible()

    like = page.locator(f"#react-post-{post.pk}-like")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like.locator(".reaction-count")).to_have_text("0")
    like.click()
    expect(page.locator(f"#react-post-{post.pk}-like")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#react-post-{post.pk}-like .reaction-count")).to_have_text("1")
    expect(page.get_by_role("button", name=re.compile(r"^Like 1$"))).to_have_count(1)

    assert page.evaluate("window.__stillTheSamePage") is True
    assert Comment.objects.filter(post=post, author=member).count() == 1
    assert Reaction.objects.filter(post=post, user=member, kind="like").exists()
    shot(page, "post")


def _task_force():
    owner = UserFactory(email="lea@acme.example", display_name="Léa Roux")
    community = make_community(owner=owner, name="Metrics Task Force")
    make_post(community, author=owner, title="Dashboards", body="What do we *act* on?")
    return owner, community


def test_community_page_fits_a_phone(new_page, log_in, arrange):
    owner, community = arrange(_task_force)
    phone = new_page(width=375, height=740)
    log_in(phone, owner.email, PASSWORD)
    phone.goto(f"/communities/{community.slug}/")
    expect(phone.get_by_role("link", name="Dashboards")).to_be_visible()
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the page scrolls sideways on a phone ({scroll_width}px)"
    phone.get_by_role("link", name="Dashboards").click()
    expect(phone.get_by_role("heading", name="Dashboards", level=1)).to_be_visible()
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the post page scrolls sideways on a phone ({scroll_width}px)"
