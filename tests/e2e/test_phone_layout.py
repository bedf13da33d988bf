"""Issue 13 on a 360 px phone: /projects/ fits the screen for every role, the header leaves the
content near the top, the menu is reached by keyboard from the skip link, and axe-core finds
nothing on the pages a student and a supervisor open most."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_USERS

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
HEADER_MAX = 160  # px from the top of the page to the start of the content


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """axe-core goes in as an inline script, which the app's CSP blocks: this context bypasses
    the CSP (as tests/e2e/test_accessibility.py does)."""
    return {**browser_context_args, "bypass_csp": True}


def _content_top(page) -> float:
    """Where the content starts: the top of <main>, or of the first h1 when main has none."""
    return page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const h1 = document.querySelector('main h1') || document.querySelector('h1');
            const tops = [main, h1].filter(Boolean).map(e => e.getBoundingClientRect().top);
            return Math.min(...tops);
        }"""
    )


@pytest.mark.parametrize("role", list(DEMO_USERS))
def test_projects_fit_a_phone_with_the_content_near_the_top(page, log_in, screenshot, role):
    page.set_viewport_size(PHONE)
    log_in(page, DEMO_USERS[role][0], path="/projects/")
    assert page.url.endswith("/projects/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    screenshot(page, f"projects-{role}-360")
    assert width <= PHONE["width"], f"/projects/ is {width} px wide for {role}"
    top = _content_top(page)
    assert top <= HEADER_MAX, f"the content of /projects/ starts at {top} px for {role}"


@pytest.mark.parametrize("role", ["student", "supervisor"])
def test_the_menu_is_reached_by_keyboard_from_the_skip_link(page, log_in, role):
    page.set_viewport_size(PHONE)
    log_in(page, DEMO_USERS[role][0])
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    for _ in range(3):
        page.keyboard.press("Tab")
        in_nav = page.evaluate(
            "() => !!document.activeElement.closest('nav.main-nav') "
            "&& document.activeElement.tagName === 'A'"
        )
        if in_nav:
            break
    assert in_nav, "Tab from the skip link does not reach the menu within three presses"
    box = page.evaluate(
        "() => { const r = document.activeElement.getBoundingClientRect();"
        " return {left: r.left, right: r.right, width: r.width, height: r.height}; }"
    )
    # The focused menu link is on the screen, not clipped away.
    assert box["width"] > 0 and box["height"] > 0
    assert box["left"] >= 0 and box["right"] <= PHONE["width"]


@pytest.mark.parametrize("role", ["student", "supervisor"])
@pytest.mark.parametrize("path", ["/", "/projects/", "/goals/", "/tasks/waiting"])
def test_pages_have_no_accessibility_violations_at_360(page, log_in, check_axe, role, path):
    page.set_viewport_size(PHONE)
    log_in(page, DEMO_USERS[role][0], path=path)
    check_axe(page, f"{path} as {role} at 360 px")
