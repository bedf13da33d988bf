"""The hours chart in the browser: on the student's dashboard and hours page at 360 px and
1280 px the bar, the figure and the schedule sentence show, nothing scrolls sideways and axe-core
finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_USERS, WIDTHS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """axe-core goes in as an inline script, which the CSP blocks: only these contexts bypass it."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("where", ["dashboard", "hours"])
def test_hours_chart_shows_the_bar_and_the_schedule(
    page, log_in, check_axe, screenshot, width, where
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, DEMO_USERS["student"][0], path="/")
    if where == "hours":
        page.get_by_role("link", name="Al je uren per team en per week").click()
    figure = page.locator("figure#chart-hours")
    expect(figure.locator("svg[role=img]")).to_be_visible()
    expect(figure.locator(".chart-summary")).to_contain_text("schema")
    expect(figure.locator("text.chart-value")).to_contain_text("van")
    bar = figure.locator("rect.chart-bar.series-0")
    assert bar.bounding_box()["width"] >= 3, "the approved hours bar is too thin to see"
    assert figure.locator("svg").bounding_box()["width"] <= width
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the {where} page scrolls sideways by {overflow} px at {width} px"
    screenshot(page, f"hours-progress-{where}-{width}")
    check_axe(page, f"{where} with the hours chart at {width} px")
