"""A newcomer signs up, logs in, lands on home and switches to French, in a real browser."""

import pytest
from playwright.sync_api import expect

from communities.services.memberships import membership_add
from tests.factories import PASSWORD, UserFactory, make_community, make_post

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_log_in_and_switch_to_french(page, shot, log_in):
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome to Cercle")).to_be_visible()
    page.get_by_role("button", name="Create an account").click()

    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Email").fill("nina.guerin@acme.example")
    page.get_by_label("Display name").fill("Nina Guerin")
    page.get_by_label("Password:", exact=True).fill("A-long-pass-phrase-42")
    page.get_by_label("Password (again)").fill("A-long-pass-phrase-42")
    shot(page, "signup")
    page.get_by_role("main").get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Hello, Nina Guerin")).to_be_visible()

    page.get_by_text("Nina Guerin", exact=True).click()
    page.get_by_role("link", name="Log out").click()
    page.get_by_role("button", name="Sign Out").click()
    expect(page.get_by_role("heading", name="Welcome to Cercle")).to_be_visible()

    log_in(page, "nina.guerin@acme.example", "A-long-pass-phrase-42")
    expect(page.get_by_role("heading", name="Hello, Nina Guerin")).to_be_visible()
    shot(page, "home")

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", name="Bonjour, Nina Guerin")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Dernières nouvelles de vos communautés")
    ).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    shot(page, "home-fr")


def test_signup_refused_for_another_domain_shows_the_reason(page, settings):
    settings.CERCLE_SIGNUP_DOMAINS = ["acme.example"]
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("someone@gmail.example")
    page.get_by_label("Display name").fill("Some One")
    page.get_by_label("Password:", exact=True).fill("A-long-pass-phrase-42")
    page.get_by_label("Password (again)").fill("A-long-pass-phrase-42")
    page.get_by_role("main").get_by_role("button", name="Sign Up").click()
    expect(
        page.get_by_text("Sign up with your company email address (@acme.example).")
    ).to_be_visible()


def test_wrong_password_is_explained_on_the_login_page(page, log_in, shot):
    user = UserFactory(email="leo@acme.example")
    log_in(page, user.email, "not-the-password")
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    shot(page, "login-error")


def _mila_in_a_guild():
    user = UserFactory(email="mila@acme.example", display_name="Mila Garnier")
    community = make_community(name="Engineering Guild")
    membership_add(community=community, user=user)
    make_post(
        community, author=user, title="RFC: one logging format", body="Structured **JSON** logs."
    )
    return user


def test_home_fits_a_phone_and_the_keyboard_reaches_content_first(new_page, log_in, shot, arrange):
    user = arrange(_mila_in_a_guild)
    phone = new_page(width=375, height=740)
    log_in(phone, user.email, PASSWORD)
    expect(phone.get_by_role("link", name="RFC: one logging format")).to_be_visible()
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the page scrolls sideways on a phone ({scroll_width}px)"
    shot(phone, "home-mobile")

    phone.keyboard.press("Tab")
    focused = phone.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"
