"""Logging in and out through the browser, the language switch, a failed login, the skip link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_USERS, WIDTHS
from wijklab.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# A demo student no other browser test uses: the language test leaves its saved choice behind
# if it fails halfway.
LANGUAGE_USER = "noor.bakker@student.example.org"


@pytest.mark.parametrize("role", list(DEMO_USERS))
def test_each_role_logs_in_sees_dashboard_and_logs_out(
    page, base_url, screenshot, console_errors, role
):
    email, name, label = DEMO_USERS[role]

    page.goto("/auth/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()

    expect(page).to_have_url(f"{base_url}/")

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    header = page.get_by_role("banner")
    expect(header.locator(".user-name")).to_have_text(name)
    expect(header.locator(".user-role")).to_have_text(label)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        expect(header.get_by_role("button", name="Uitloggen")).to_be_visible()
        screenshot(page, f"dashboard-{role}-{width}")

    header.get_by_role("button", name="Uitloggen").click()

    expect(page).to_have_url(f"{base_url}/auth/login")
    expect(page.get_by_role("heading", name="Inloggen bij Wijklab")).to_be_visible()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    expect(page.get_by_role("banner").locator(".user-name")).to_have_count(0)
    assert console_errors == []


def test_language_choice_switches_to_english_and_is_saved_for_the_user(page, base_url, log_in):
    html = page.locator("html")
    log_in(page, LANGUAGE_USER)
    expect(html).to_have_attribute("lang", "nl")

    page.get_by_role("banner").get_by_role("button", name="English").click()

    expect(page).to_have_url(f"{base_url}/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Nederlands")).to_be_visible()

    # Log out (the button's text is translated now, so find it by its form) and back in.
    page.locator('form[action$="/auth/logout"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    log_in(page, LANGUAGE_USER)

    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Nederlands")).to_be_visible()

    page.get_by_role("button", name="Nederlands").click()

    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_failed_login_shows_dutch_error_and_keeps_the_email(page, base_url):
    email = DEMO_USERS["admin"][0]
    page.goto("/auth/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill("niet-het-goede-wachtwoord")

    page.get_by_role("button", name="Inloggen", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text("Onbekend e-mailadres of verkeerd wachtwoord.")
    expect(page).to_have_url(f"{base_url}/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator('input[name="email"]')).to_have_value(email)
    expect(page.locator('input[name="password"]')).to_have_value("")
    expect(page.get_by_role("banner").locator(".user-name")).to_have_count(0)


def test_first_tab_on_login_page_focuses_the_skip_link(page, base_url):
    page.goto("/auth/login")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Naar de inhoud")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{base_url}/auth/login#main")
    expect(page.locator("main")).to_be_focused()
