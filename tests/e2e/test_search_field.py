"""The export form's student field as a searchable combobox (issue 16): typed, chosen with the
keyboard, announced to screen readers, and used by the download; and the same field without
JavaScript through its "Zoeken" button."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_USERS

pytestmark = pytest.mark.e2e


@pytest.fixture
def search_fields(live_app):
    """Every list of the export form as a search field: the demo's lists are short enough to
    be selects otherwise."""
    before = live_app.config.get("EXPORT_SELECT_MAX")
    live_app.config["EXPORT_SELECT_MAX"] = 0
    yield
    if before is None:
        live_app.config.pop("EXPORT_SELECT_MAX", None)
    else:
        live_app.config["EXPORT_SELECT_MAX"] = before


def rows_of(download) -> list[dict]:
    with open(download.path(), encoding="utf-8-sig") as file:
        text = file.read()
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_a_student_is_found_and_chosen_with_the_keyboard(
    page, log_in, search_fields, console_errors, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, DEMO_USERS["admin"][0], path="/exports/")
    field = page.get_by_role("combobox", name="Student")
    expect(field).to_have_attribute("aria-expanded", "false")
    listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
    expect(page.locator('button[data-search-button][value="student"]')).to_be_hidden()

    field.press_sequentially("van den b")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Zoë van den Berg")
    status = page.locator(".search-field[data-search-url$='/students'] [role=status]")
    expect(status).to_have_text(re.compile(r"^\d+ gevonden, kies met pijltje omlaag\.$"))
    screenshot(page, "export-search-field-open")

    field.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    field.press("Enter")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).to_have_value(re.compile(r"^Zoë van den Berg"))
    expect(status).to_have_text(re.compile(r"^Gekozen: Zoë van den Berg"))
    chosen = page.locator('input[type=hidden][name="student"]')
    expect(chosen).to_have_value(re.compile(r"^\d+$"))

    # Escape closes an open list without choosing; typing again forgets the earlier choice.
    field.press_sequentially("x")
    expect(chosen).to_have_value("")
    field.fill("")
    field.press_sequentially("zo")
    expect(listbox).to_be_visible()
    field.press("Escape")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")

    # Choose again and download: only Zoë's rows.
    field.fill("")
    field.press_sequentially("van den b")
    expect(options.first).to_contain_text("Zoë van den Berg")
    field.press("ArrowDown")
    field.press("Enter")
    page.get_by_label("CSV (UTF-8, puntkomma)").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Downloaden").click()
    rows = rows_of(info.value)
    assert rows and {row["Student"] for row in rows} == {"Zoë van den Berg"}
    assert console_errors == []


def test_without_javascript_the_search_button_finds_and_the_download_uses_the_choice(
    browser, base_url, search_fields, log_in
):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, DEMO_USERS["admin"][0], path="/exports/")
        field = page.get_by_label("Student", exact=True)
        expect(field).not_to_have_attribute("role", "combobox")
        field.fill("van den b")
        page.locator('button[data-search-button][value="student"]').click()
        found = page.get_by_label("Gevonden")
        expect(found).to_be_visible()
        label = found.locator("option", has_text="Zoë van den Berg").text_content()
        found.select_option(label=label)
        page.get_by_label("CSV (UTF-8, puntkomma)").check()
        with page.expect_download() as info:
            page.get_by_role("button", name="Downloaden").click()
        rows = rows_of(info.value)
        assert rows and {row["Student"] for row in rows} == {"Zoë van den Berg"}
    finally:
        context.close()


def test_the_open_combobox_has_no_axe_violations(new_context, log_in, search_fields, check_axe):
    # axe-core goes in as an inline script, which the app's CSP blocks: only this context
    # bypasses it (the test above keeps the CSP on and checks the console).
    context = new_context(bypass_csp=True)
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, DEMO_USERS["admin"][0], path="/exports/")
    field = page.get_by_role("combobox", name="Student")
    field.press_sequentially("van den b")
    expect(page.get_by_role("listbox")).to_be_visible()
    field.press("ArrowDown")
    check_axe(page, "the export form with the student list open at 360 px")
    assert field.get_attribute("aria-expanded") == "true"
