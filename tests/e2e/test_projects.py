"""A wijkdocent sets up a project in the browser, lets the team builder propose teams from the
demo students, moves a student, checks again, accepts, and starts the project."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_USERS

pytestmark = pytest.mark.e2e


def test_wijkdocent_builds_teams_for_a_new_project(
    page, base_url, log_in, screenshot, console_errors
):
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, DEMO_USERS["wijkdocent"][0])

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Projecten").click()
    page.get_by_role("link", name="Nieuw project").first.click()
    page.get_by_label("Titel", exact=True).fill("Buurtmoestuin Zoë & Ayşe")
    page.get_by_label("Wijk", exact=True).select_option(label="Schilderswijk (Den Haag)")
    # A partner whose werkbegeleider still has room (Petra de Vries's teams are full).
    page.get_by_label("Partnerorganisatie", exact=True).select_option(label="Wijkpunt Feijenoord")
    page.get_by_label("Startdatum").fill("2026-09-01")
    page.get_by_label("Einddatum").fill("2027-06-30")
    page.get_by_label("Samenvatting").fill("Een moestuin met en voor bewoners.")
    page.get_by_label("Maximale teamgrootte").fill("6")
    page.get_by_role("button", name="Opslaan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Buurtmoestuin Zoë & Ayşe")
    expect(
        page.get_by_text("Project Buurtmoestuin Zoë & Ayşe aangemaakt als concept.")
    ).to_be_visible()
    project_url = page.url

    page.get_by_role("link", name="Teams samenstellen").click()
    page.get_by_label("Aantal teams").fill("2")
    page.locator("#supervisor_id").select_option(label="Rayen Kromosoeto")
    page.get_by_role("button", name="Stel teams voor").click()
    expect(page.get_by_role("heading", name="Voorstel: 2 teams")).to_be_visible()
    screenshot(page, "builder-proposal-1280")

    # Swap a student of team 1 with one of team 2, then let wijklab check the rules again.
    cards = page.locator("fieldset.team-card")
    to_two = cards.nth(0).locator("select.move").last
    to_one = cards.nth(1).locator("select.move").last
    moved = to_two.get_attribute("id"), to_one.get_attribute("id")
    to_two.select_option("2")
    to_one.select_option("1")
    page.get_by_role("button", name="Opnieuw controleren").click()
    expect(cards.nth(1).locator(f"#{moved[0]}")).to_have_value("2")
    expect(cards.nth(0).locator(f"#{moved[1]}")).to_have_value("1")

    expect(page.locator("#accept_supervisor_id")).to_have_value(
        page.locator("#accept_supervisor_id option", has_text="Rayen Kromosoeto").get_attribute(
            "value"
        )
    )
    page.get_by_role("button", name="Voorstel accepteren").click()

    expect(page).to_have_url(project_url)
    expect(page.get_by_text(re.compile(r"2 teams aangemaakt"))).to_be_visible()
    team_cards = page.locator("article.team-card")
    expect(team_cards).to_have_count(2)
    expect(team_cards.first.get_by_text("Rayen Kromosoeto")).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "project-after-builder-360")
    assert console_errors == []
