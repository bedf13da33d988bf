"""A student creates a learning goal, links verified evidence and asks for review; the
supervisor gives feedback and signs it off; the student sees the signed-off goal and its
timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

STUDENT = "ayse.demir@student.example.org"  # Dinsdagteam, with verified demo tasks
SUPERVISOR = "p.devries@demussen.example.org"
TITLE = "Ik leid een buurtoverleg met bewoners"


def test_goal_from_creation_to_sign_off(page, base_url, log_in, screenshot, console_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, STUDENT, path="/teams/1")
    page.get_by_role("link", name="Nieuw leerdoel").click()
    page.get_by_label("Leerdoel", exact=True).fill(TITLE)
    page.get_by_label("Succescriteria").fill("Twee overleggen zelfstandig voorbereid en geleid.")
    page.get_by_label("B1-K1 Werkt aan de aanpak van sociale problematiek").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    page.get_by_role("button", name="Leerdoel activeren").click()
    oldest = page.locator("#participation_id option").count() - 1  # a verified demo task
    page.get_by_label("Taak", exact=True).select_option(index=oldest)
    page.get_by_label("Wat laat deze taak zien?").fill("Hier leidde ik het gesprek aan tafel.")
    page.get_by_role("button", name="Bewijs koppelen").click()
    expect(page.get_by_text("Bewijs gekoppeld.")).to_be_visible()
    page.get_by_role("button", name="Beoordeling aanvragen").click()
    expect(page.get_by_text("ter beoordeling").first).to_be_visible()
    goal_url = page.url

    page.locator('form[action$="/auth/logout"] button[type="submit"]').click()
    log_in(page, SUPERVISOR, path=goal_url)
    feedback = "Je leidt het gesprek rustig en betrekt iedereen."
    page.get_by_label("Feedback", exact=True).fill(feedback)
    page.get_by_label("Beoordeling").select_option(label="zelfstandig zichtbaar")
    page.get_by_role("button", name="Feedback geven").click()
    expect(page.get_by_text("Feedback toegevoegd.")).to_be_visible()
    statement = "Zelfstandig zichtbaar bij twee overleggen."
    page.get_by_label("Verklaring bij het aftekenen").fill(statement)
    page.get_by_role("button", name="Aftekenen").click()
    expect(page.get_by_text("afgetekend").first).to_be_visible()

    page.locator('form[action$="/auth/logout"] button[type="submit"]').click()
    log_in(page, STUDENT, path=goal_url)
    expect(page.get_by_text("Afgetekend door Petra de Vries")).to_be_visible()
    timeline = page.locator("h2:has-text('Tijdlijn') + ol li")
    expect(timeline).to_have_count(6)  # created, activate, evidence, review, feedback, sign-off
    screenshot(page, "goal-signed-off-1280")
    assert console_errors == []
