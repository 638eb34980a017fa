"""A real Chromium driven by Playwright, reusable by every browser test.

Fixtures:
- ``browser``: one headless Chromium for the session. Missing browser: the
  tests are skipped with a notice on a developer's machine, and fail in CI.
- ``page``: a fresh context and page (desktop size) pointed at the live server.
- ``new_page(width=..., locale=...)``: more pages, e.g. a second user or a phone.
- ``shot(page, name)``: saves a screenshot to docs/screenshots/<name>.png.
- ``log_in(page, email, password)``: the login form, as a person fills it.
- ``arrange(function)``: runs test set-up that goes through services (they send live
  events on commit) in a thread of its own, away from Playwright's event loop.
"""

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CERCLE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser(django_db_setup, django_db_blocker):
    """One Chromium per test module.

    Playwright's sync API keeps an event loop running in the test thread while
    the browser lives, and Django refuses ORM calls when it sees one. The tests'
    own fixtures need the ORM, so the guard is lifted for exactly that span; the
    server under test runs in its own thread and is unaffected.
    """
    if not CHROMIUM.exists():
        message = (
            f"Browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium); "
            "they did not run."
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make(*, width: int = 1280, height: int = 900, locale: str = "en-GB"):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}, locale=locale
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def log_in():
    def fill(page, email: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()

    return fill


@pytest.fixture
def arrange():
    """Run ``function`` in a thread of its own and return its result.

    Services send live events on commit through ``async_to_sync``, which refuses to run
    in a thread where an event loop is running, as Playwright's is in the test thread.
    """
    from django.db import connection

    def run_outside_the_browser_loop(function):
        result, failure = [], []

        def run():
            try:
                result.append(function())
            except BaseException as error:  # re-raised in the test thread
                failure.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
        return result[0]

    return run_outside_the_browser_loop
