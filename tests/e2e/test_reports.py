"""Dashboards, neighbourhood figures, placements, exports and statements in the browser: each
page at 360 px and 1280 px with a screenshot and an axe-core check; a student issues a
practical-training statement and the school checks its code; a wijkdocent downloads a CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_USERS, WIDTHS

pytestmark = pytest.mark.e2e

YASSINE = "yassine.elidrissi@student.example.org"  # Woensdagteam, with the demo's statement

PAGES = [
    ("wijkdocent", "/", "dashboard-wijkdocent"),
    ("student", "/", "dashboard-student"),
    ("supervisor", "/", "dashboard-supervisor"),
    ("admin", "/", "dashboard-admin"),
    ("wijkdocent", "/reports/neighbourhoods", "neighbourhoods"),
    ("wijkdocent", "/reports/neighbourhoods/1?start=2026-08-01&end=2026-12-31", "neighbourhood"),
    ("wijkdocent", "/reports/neighbourhoods/1/activities?weeks=12", "activities"),
    ("wijkdocent", "/reports/placements", "placements"),
    ("wijkdocent", "/exports/", "exports"),
    ("supervisor", "/teams/1#statement:Nadia Sadiki", "statement-preview"),
]


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """axe-core goes in as an inline script, which the CSP blocks: only these contexts bypass it."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("role", "path", "name"), PAGES)
def test_report_page_looks_right_and_has_no_axe_violations(
    page, log_in, check_axe, screenshot, console_errors, role, path, name, width
):
    page.set_viewport_size({"width": width, "height": 900})
    path, _, statement_of = path.partition("#statement:")
    log_in(page, DEMO_USERS[role][0], path=path)
    if statement_of:
        page.get_by_role("link", name=f"Praktijkverklaring van {statement_of}").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for figure in page.locator("figure.chart").all():
        expect(figure.locator("svg[role=img]")).to_be_visible()
        box = figure.locator("svg").bounding_box()
        assert box["width"] <= width, f"a chart on {path} is wider than the {width} px screen"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} scrolls sideways by {overflow} px at {width} px"
    screenshot(page, f"{name}-{width}")
    check_axe(page, f"{path} as {role} at {width} px")
    assert console_errors == []


def test_chart_table_alternative_opens_with_the_keyboard(page, log_in):
    page.set_viewport_size({"width": 1280, "height": 900})
    report = "/reports/neighbourhoods/1?start=2026-08-01&end=2026-12-31"
    log_in(page, DEMO_USERS["wijkdocent"][0], path=report)
    summary = page.locator("figure.chart details summary").first
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("figure.chart details table").first
    expect(table).to_be_visible()
    expect(table.locator("caption")).not_to_be_empty()


@pytest.mark.parametrize("width", WIDTHS)
def test_verify_page_has_no_axe_violations(page, check_axe, screenshot, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    expect(page.get_by_role("alert")).to_contain_text("geen verklaring met deze code")
    screenshot(page, f"verify-unknown-{width}")
    check_axe(page, f"/verify with an unknown code at {width} px")


def test_an_issued_statement_downloads_prints_and_checks_on_a_phone(
    page, browser, base_url, log_in, screenshot, console_errors
):
    """The demo's issued statement (Yassine, Woensdagteam): the student opens it from the
    dashboard, downloads the signed PDF and prints the page; the school checks the code."""
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, YASSINE)
    page.get_by_role("link", name=re.compile("^Praktijkverklaring voor Woensdagteam")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Praktijkverklaring")
    page.get_by_role("link", name=re.compile("^Stand per")).first.click()
    expect(page.get_by_text("geldig per")).to_be_visible()
    code = page.locator(".statement-code .code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als ondertekende PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert b"/ByteRange" in Path(download.value.path()).read_bytes()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "statement-detail-360")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    screenshot(page, "statement-print-360")
    page.emulate_media(media="screen")

    school = browser.new_context(base_url=base_url)
    check = school.new_page()
    check.goto("/verify")
    check.get_by_label("Verificatiecode").fill(code.lower().replace("-", " "))
    check.get_by_role("button", name="Controleren").click()
    expect(check.get_by_role("heading", level=2)).to_contain_text("Echt")
    expect(check.get_by_text("Yassine El Idrissi")).to_be_visible()
    school.close()
    assert console_errors == []


def test_wijkdocent_downloads_participations_as_csv(page, log_in):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, DEMO_USERS["wijkdocent"][0], path="/exports/")
    page.get_by_label("CSV (UTF-8, puntkomma)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Downloaden").click()
    data = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[0][:3] == ["Student", "Studentnummer", "Niveau"]
    assert len(rows) > 10
    assert all(len(row) == len(rows[0]) for row in rows)
