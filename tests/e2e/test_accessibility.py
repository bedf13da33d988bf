"""axe-core finds no accessibility violations, on a phone (360 px) and a laptop (1280 px) screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_USERS, WIDTHS

pytestmark = pytest.mark.e2e

ADMIN_PAGES = ["/users", "/organisations/", "/neighbourhoods/", "/users/new"]


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """axe-core goes in as an inline script, which the app's CSP (script-src 'self') blocks, as
    it should: only these contexts bypass the CSP. The other browser tests keep it on."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def at_width(page):
    def resize(width: int) -> None:
        page.set_viewport_size({"width": width, "height": 800})

    return resize


@pytest.mark.parametrize("width", WIDTHS)
def test_login_page_has_no_axe_violations(page, at_width, check_axe, screenshot, width):
    at_width(width)
    page.goto("/auth/login")
    screenshot(page, f"login-{width}")

    check_axe(page, f"/auth/login at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
def test_failed_login_page_has_no_axe_violations(page, at_width, check_axe, width):
    at_width(width)
    page.goto("/auth/login")
    page.locator('input[name="email"]').fill(DEMO_USERS["admin"][0])
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()

    check_axe(page, f"/auth/login with errors at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", list(DEMO_USERS))
def test_dashboard_has_no_axe_violations(page, at_width, log_in, check_axe, role, width):
    at_width(width)
    log_in(page, DEMO_USERS[role][0])

    check_axe(page, f"the {role} dashboard at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_page_has_no_axe_violations(
    page, base_url, at_width, log_in, check_axe, screenshot, path, width
):
    at_width(width)
    log_in(page, DEMO_USERS["admin"][0], path=path)
    expect(page).to_have_url(f"{base_url}{path}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "admin-" + "-".join(filter(None, path.split("/"))) + f"-{width}")

    check_axe(page, f"{path} as admin at {width} px")


# The demo's first project (Samen aan tafel), its Dinsdagteam and its first task.
WIJKDOCENT_PAGES = [
    "/projects/",
    "/projects/1",
    "/projects/1/builder?propose=1&team_count=2",
    "/teams/1",
    "/teams/1/tasks/new",
    "/tasks/1",
    "/tasks/waiting",
    "/teams/1/visits",
    "/goals/",
    "/goals/3",
]
STUDENT_PAGES = ["/projects/", "/teams/1", "/teams/1/tasks/new", "/teams/1/goals/new", "/goals/4"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("role", "path"),
    [("wijkdocent", p) for p in WIJKDOCENT_PAGES] + [("student_member", p) for p in STUDENT_PAGES],
)
def test_project_and_task_pages_have_no_axe_violations(
    page, base_url, at_width, log_in, check_axe, screenshot, role, path, width
):
    email = (
        DEMO_USERS["wijkdocent"][0] if role == "wijkdocent" else "nadia.sadiki@student.example.org"
    )
    at_width(width)
    log_in(page, email, path=path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    name = "-".join(filter(None, path.split("?")[0].split("/")))
    screenshot(page, f"{role}-{name}-{width}")

    check_axe(page, f"{path} as {role} at {width} px")
