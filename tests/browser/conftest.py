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
- ``asgi_live_server``: the whole ASGI application (HTTP and ``/ws/stream/``) served by
  uvicorn in a thread of the test process, for tests of live pages; ``asgi_new_page``
  is ``new_page`` pointed at it. Its tests use ``django_db(transaction=True)``.
"""

import asyncio
import os
import socket
import threading
import time
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


def _pages(browser, base_url: str):
    """``make(width=, height=, locale=)`` opening a page in a fresh browser context on
    ``base_url``; every context is closed when the test ends."""
    contexts = []

    def make(*, width: int = 1280, height: int = 900, locale: str = "en-GB"):
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": height}, locale=locale
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(browser, live_server):
    yield from _pages(browser, live_server.url)


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


# --- An ASGI live server: HTTP and websockets --------------------------------------------


class _SharedConnections:
    """Stands in for django.db.connections' per-thread storage: the in-memory SQLite
    connections of the test thread are every thread's (the test database lives in
    them), anything else stays per thread."""

    def __init__(self, per_thread, shared: dict):
        object.__setattr__(self, "_per_thread", per_thread)
        object.__setattr__(self, "_shared", shared)

    def __getattr__(self, alias):
        shared = object.__getattribute__(self, "_shared")
        if alias in shared:
            return shared[alias]
        return getattr(object.__getattribute__(self, "_per_thread"), alias)

    def __setattr__(self, alias, value):
        if alias not in object.__getattribute__(self, "_shared"):
            setattr(object.__getattribute__(self, "_per_thread"), alias, value)

    def __delattr__(self, alias):
        if alias not in object.__getattribute__(self, "_shared"):
            delattr(object.__getattribute__(self, "_per_thread"), alias)


def _asgi_application(*, one_request_at_a_time: bool):
    """config.asgi.application, with static files served from the finders (as
    live_server does); HTTP requests one after the other when asked (a single SQLite
    connection shared by every thread must not interleave two transactions)."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config import asgi

    http = ASGIStaticFilesHandler(asgi.django_asgi_application)
    turn = asyncio.Lock() if one_request_at_a_time else None

    async def application(scope, receive, send):
        if scope["type"] != "http":
            await asgi.application(scope, receive, send)
        elif turn is None:
            await http(scope, receive, send)
        else:
            async with turn:
                await http(scope, receive, send)

    return application


class AsgiLiveServer:
    """uvicorn serving the project's ASGI application in a thread of the test process,
    on a free port of 127.0.0.1.

    Being in this process, it reads and writes the test database (on SQLite in memory,
    through the test thread's very connection, as pytest-django's live_server does;
    otherwise through connections of its own) and the views' on-commit events go
    through the channel layer on the server's event loop, where the sockets listen: the
    in-memory layer works as well as Redis.
    """

    STARTUP_SECONDS = 20
    SHUTDOWN_SECONDS = 10

    def __init__(self):
        import uvicorn
        from django.db import connections

        shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        self._connections = connections
        self._per_thread = connections._connections
        self._shared = shared
        for conn in shared.values():
            conn.inc_thread_sharing()
        if shared:
            connections._connections = _SharedConnections(self._per_thread, shared)

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(
            _asgi_application(one_request_at_a_time=bool(shared)),
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=self.SHUTDOWN_SECONDS // 2,
        )
        self._server = uvicorn.Server(config)
        self._failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="asgi-live-server", daemon=True)
        self._thread.start()
        self._wait_until_started()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as error:  # reported by _wait_until_started / stop
            self._failure.append(error)

    def _wait_until_started(self) -> None:
        deadline = time.monotonic() + self.STARTUP_SECONDS
        while not self._server.started:
            if self._failure or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the ASGI live server did not start: {self._failure!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the ASGI live server did not start in time")
            time.sleep(0.02)

    def stop(self) -> None:
        """Close the open connections and sockets, end the thread, give the test
        thread back its own database connections."""
        self._server.should_exit = True
        self._thread.join(self.SHUTDOWN_SECONDS)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(self.SHUTDOWN_SECONDS)
        self._socket.close()
        if self._shared:
            self._connections._connections = self._per_thread
        for conn in self._shared.values():
            conn.dec_thread_sharing()
        if self._thread.is_alive():
            raise RuntimeError("the ASGI live server thread did not stop")


@pytest.fixture(scope="module")
def asgi_live_server(django_db_setup, django_db_blocker):
    server = AsgiLiveServer()
    yield server
    server.stop()


@pytest.fixture
def asgi_new_page(browser, asgi_live_server):
    yield from _pages(browser, asgi_live_server.url)
