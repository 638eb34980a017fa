"""Helpers for browser tests of live pages (static/js/stream.js)."""


def connected(page, *, subscribed: str | None = None) -> None:
    """Wait until the page's socket is open (and its subscription confirmed)."""
    page.wait_for_function("() => window.cercleStream && window.cercleStream.connected")
    if subscribed:
        page.wait_for_function(
            "key => window.cercleStream.subscribed.includes(key)", arg=subscribed
        )


def keep_watch(page) -> None:
    """From here on, nothing may reload the page: a marker on window would vanish."""
    page.evaluate("window.__stillTheSamePage = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__stillTheSamePage === true")
