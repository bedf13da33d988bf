"""On a phone (360 px): a student logs a collective task for three participants; the supervisor
verifies it from the waiting list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

STUDENT = "iris.meijer@student.example.org"  # in the demo's Dinsdagteam
SUPERVISOR = "p.devries@demussen.example.org"


def test_student_logs_a_task_and_supervisor_verifies_it(
    page, base_url, log_in, screenshot, console_errors
):
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, STUDENT)

    page.get_by_role("link", name="Dinsdagteam", exact=True).first.click()
    page.get_by_role("link", name="Taak loggen").click()
    page.get_by_label("Wat hebben jullie gedaan?").fill("Kerstkaarten maken met buren")
    page.get_by_label("Datum").fill("2026-11-24")
    page.get_by_label("Soort werk").select_option(label="Bewonersactiviteit")
    # Every member starts ticked: keep three, with their own minutes.
    boxes = page.locator(".participant input[type=checkbox]")
    expect(boxes).to_have_count(4)
    boxes.nth(3).uncheck()
    minutes = page.locator(".participant input[name^=minutes_]")
    for index, value in enumerate(["150", "120", "90"]):
        minutes.nth(index).fill(value)
    page.get_by_label("Aantal bewoners bereikt").fill("22")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    screenshot(page, "task-saved-360")

    expect(page.get_by_role("heading", level=1)).to_have_text("Kerstkaarten maken met buren")
    expect(page.get_by_text("wacht op controle").first).to_be_visible()
    expect(page.locator(".member-list li")).to_have_count(3)
    task_url = page.url

    page.locator('form[action$="/auth/logout"] button[type="submit"]').click()
    log_in(page, SUPERVISOR)
    page.get_by_role("link", name="Wacht op jou").click()
    card = page.locator(".waiting-list li").filter(has_text="Kerstkaarten maken met buren")
    expect(card).to_have_count(1)
    card.locator("input[type=checkbox]").check()
    screenshot(page, "waiting-list-360")
    page.get_by_role("button", name="Selectie goedkeuren").click()
    expect(page.get_by_text(re.compile(r"1 taak goedgekeurd"))).to_be_visible()

    page.goto(task_url)
    expect(page.get_by_text("goedgekeurd").first).to_be_visible()
    expect(page.get_by_text("Goedgekeurd door Petra de Vries")).to_be_visible()
    assert console_errors == []
