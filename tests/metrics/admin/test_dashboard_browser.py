"""The community dashboard in a real Chromium: the charts are drawn from the page's
figures with the vendored Chart.js, on a desktop and on a 375 px phone, and the page
never scrolls sideways (wide tables scroll inside their box)."""

import pytest

from tests.browser.conftest import arrange, browser, new_page  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

from .conftest import build_alpha

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp"


def _log_in_to_admin(page, email):
    page.goto("/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 812)])
def test_community_dashboard_draws_its_charts_without_page_overflow(
    new_page,  # noqa: F811
    arrange,  # noqa: F811
    cm,
    width,
    height,
):
    # Memberships are added through the services, which send live events on commit.
    alpha = arrange(lambda: build_alpha(cm))
    page = new_page(width=width, height=height)
    _log_in_to_admin(page, cm.email)
    page.goto(f"/admin/metrics/profiletypeweek/community/{alpha.community.pk}/")
    page.wait_for_function(
        "() => document.querySelectorAll('canvas[data-drawn=true]').length === 2"
    )
    assert page.evaluate("() => typeof window.Chart") == "function"
    for canvas_id in ("chart-days", "chart-trend"):
        box = page.locator(f"#{canvas_id}").bounding_box()
        assert box["width"] > 0.6 * min(width, 1000) - 60 and box["height"] >= 150, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
    # The Chart.js instance holds the figures of the page's table.
    assert page.evaluate("() => window.cercleDashboard.days.data.datasets.length") == 2
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    page.screenshot(path=f"{SCREENSHOTS}/dashboard-{width}.png", full_page=True)
