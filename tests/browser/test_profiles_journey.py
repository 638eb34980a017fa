"""A member completes their profile, finds a colleague in the people directory, follows
them and gives them kudos, in a real browser: follow and kudos update in place."""

import pytest
from playwright.sync_api import expect

from profiles.models import Follow, Kudos
from profiles.services import user_profile_update
from tests.factories import PASSWORD, UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def _two_colleagues():
    alice = UserFactory(email="alice@acme.example", display_name="Alice Arnaud")
    user_profile_update(
        user=alice,
        job_title="Site reliability engineer",
        department="Platform",
        location="Lyon",
        time_zone="Europe/Paris",
        bio="Keeps the lights **on**.",
        skills=["Kubernetes", "Python"],
        interests=["Cycling"],
    )
    bob = UserFactory(email="bob@acme.example", display_name="Bob Bernard")
    user_profile_update(user=bob, department="Sales", interests=["Cycling"])
    community = make_community(owner=alice, name="Engineering Guild")
    make_member(community, bob)
    return alice, bob


def test_member_edits_profile_finds_a_colleague_follows_and_gives_kudos(
    page, log_in, shot, arrange
):
    alice, bob = arrange(_two_colleagues)
    log_in(page, bob.email, PASSWORD)

    # Complete my profile: a new skill.
    page.get_by_text("Bob Bernard", exact=True).click()
    page.get_by_role("link", name="Edit my profile").click()
    page.get_by_label("Job title").fill("Account executive")
    page.get_by_label("Skills").fill("Negotiation, Kubernetes")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Bob Bernard", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Negotiation")).to_be_visible()

    # Find a colleague who knows Kubernetes.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="People"
    ).click()
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    page.get_by_label("Name, job or skill").fill("kubernetes")
    results = page.locator("#people-results")
    expect(results.get_by_role("link", name="Alice Arnaud")).to_be_visible()
    expect(results.get_by_role("link", name="Bob Bernard")).to_be_visible()
    page.get_by_label("Department").fill("Platform")
    expect(results.get_by_role("link", name="Bob Bernard")).to_have_count(0)
    shot(page, "people")
    results.get_by_role("link", name="Alice Arnaud").click()
    expect(page.get_by_role("heading", name="Alice Arnaud", level=1)).to_be_visible()
    expect(page.get_by_text("Site reliability engineer")).to_be_visible()

    # From here on, nothing may reload the page.
    page.evaluate("window.__stillTheSamePage = true")
    follow = page.locator("#follow-button")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(page.locator("#follow-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#follow-box")).to_contain_text("1 follower")

    page.get_by_role("button", name="Give kudos").click()
    page.get_by_label("For").select_option(label="Teamwork")
    page.get_by_label("Message", exact=True).fill("Thanks for the midnight rollback!")
    page.get_by_role("button", name="Send kudos").click()
    expect(page.get_by_text("Kudos sent to Alice Arnaud")).to_be_visible()
    assert page.evaluate("window.__stillTheSamePage") is True

    assert Follow.objects.filter(follower=bob, followed=alice).exists()
    kudos = Kudos.objects.get(giver=bob)
    assert list(kudos.recipients.all()) == [alice]
    assert kudos.value == "teamwork"

    page.reload()
    expect(page.locator("#kudos").get_by_text("Thanks for the midnight rollback!")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "profile")


def test_people_pages_fit_a_phone(new_page, log_in, arrange):
    alice, bob = arrange(_two_colleagues)
    phone = new_page(width=375, height=740)
    log_in(phone, bob.email, PASSWORD)
    for url in ("/people/", f"/people/{alice.pk}/", "/people/me/edit/"):
        phone.goto(url)
        expect(phone.locator("h1")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{url} scrolls sideways on a phone ({width}px)"
