"""The statement and neighbourhood report PDFs: what they say, in which language, on which page."""

from __future__ import annotations

import copy
import io
import re
from datetime import UTC, date, datetime

import pytest
from flask import session
from pypdf import PdfReader

from wijklab.statements.pdf import neighbourhood_report_pdf, statement_pdf

CODE = "7KQ2-M9XD-PA4R-TW3H"
VERIFY_URL = "http://localhost/verify/7KQ2M9XDPA4RTW3H"
MM = 72 / 25.4  # PDF points per millimetre

SNAPSHOT = {
    "code": CODE,
    "verify_url": VERIFY_URL,
    "issued_at": "2026-11-28T14:05:00+00:00",
    "issued_by": "Fatima El Amrani",
    "student": {
        "name": "Ayşe Yılmaz",
        "level": "mbo",
        "study_year": 2,
        "school": "ROC Amsterdam",
        "programme": "Maatschappelijke zorg",
        "crebo": "25480",
    },
    "team": {
        "name": "Team Noord",
        "project": "Buurtkamer Noord",
        "partner": "Buurtwerk Noord",
        "neighbourhood": "Amsterdam-Noord",
    },
    "supervisor": {"name": "Sanne de Vries", "organisation": "Buurtwerk Noord"},
    "period": {"start": "2026-09-01", "end": "2027-01-31"},
    "hours": {
        "total_minutes": 4530,
        "collective_minutes": 4200,
        "individual_minutes": 330,
        "by_category": [
            {"category": "residents_activity", "minutes": 1800},
            {"category": "network", "minutes": 2400},
            {"category": "individual_support", "minutes": 330},
        ],
        "by_week": [
            {"year": 2026, "week": 37, "minutes": 240},
            {"year": 2026, "week": 38, "minutes": 4290},
        ],
    },
    "goals": [
        {
            "title": "Zoë en Yassine organiseren een buurtmaaltijd",
            "codes": ["B1-K1-W2", "B1-K2"],
            "signed_by": "Sanne de Vries",
            "signed_at": "2026-11-20T10:00:00+00:00",
            "statement": "Ayşe bereidde de maaltijd voor met bewoners van de Van der Pekbuurt.",
        }
    ],
}

REPORT = {
    "neighbourhood": {"name": "Amsterdam-Noord", "city": "Amsterdam"},
    "period": {"start": date(2026, 9, 1), "end": date(2027, 1, 31)},
    "generated_at": datetime(2026, 11, 28, 14, 5, tzinfo=UTC),
    "projects": 3,
    "teams": 4,
    "tasks": 52,
    "residents_reached": 1640,
    "students": {"mbo": 12, "hbo": 8},
    "activities": [
        {"category": "residents_activity", "tasks": 20, "residents": 400},
        {"category": "network", "tasks": 7, "residents": 0},
        {"category": "individual_support", "tasks": 25, "residents": 1240},
    ],
    "partners": [
        {"name": "Buurtwerk Noord", "projects": 2},
        {"name": "Stichting Çelik & Zoë", "projects": 1},
    ],
    "hours": {
        "mbo": {"collective": 12000, "individual": 300},
        "hbo": {"collective": 9000, "individual": 0},
    },
}


def snapshot(**changes) -> dict:
    data = copy.deepcopy(SNAPSHOT)
    data.update(changes)
    return data


def report(**changes) -> dict:
    data = copy.deepcopy(REPORT)
    data.update(changes)
    return data


def many_goals(count: int) -> list[dict]:
    """Goals whose statements differ in length, so their titles land all over the pages."""
    sentence = "Yassine werkte zelfstandig en betrouwbaar samen met bewoners en partners. "
    return [
        {
            "title": f"Leerdoel {n}: samen met Çelik een wijkonderzoek in Noord opzetten",
            "codes": ["B1-K1-W2"],
            "signed_by": "Sanne de Vries",
            "signed_at": "2026-11-20T10:00:00+00:00",
            "statement": sentence * (2 + (n * 7) % 13) + f"Einde verklaring {n}.",
        }
        for n in range(1, count + 1)
    ]


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def text(data: bytes) -> str:
    return "\n".join(pages(data))


def text_runs(page) -> list[tuple[str, float, float]]:
    """Every piece of text on a page with its x and y in points (y from the bottom edge)."""
    runs: list[tuple[str, float, float]] = []

    def visit(content, cm, tm, font_dict, font_size):
        if content.strip():
            runs.append((content, tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return runs


# The practical-training statement


def test_statement_names_the_student_team_supervisor_and_period(app):
    with app.test_request_context():
        content = text(statement_pdf(snapshot()))

    for expected in (
        "Praktijkverklaring",
        "Ayşe Yılmaz",
        "mbo, studiejaar 2",
        "ROC Amsterdam",
        "Maatschappelijke zorg (crebo 25480)",
        "Team Noord",
        "Buurtkamer Noord",
        "Amsterdam-Noord",
        "Sanne de Vries, Buurtwerk Noord",
        "1 sep. 2026 – 31 jan. 2027",
    ):
        assert expected in content


def test_statement_shows_verified_hours_by_category_with_total_and_split(app):
    with app.test_request_context():
        content = text(statement_pdf(snapshot()))

    assert "Bewonersactiviteit 30,0" in content
    assert "Netwerk en samenwerking 40,0" in content
    assert "Individuele ondersteuning (cliëntgericht) 5,5" in content
    assert "Totaal 75,5" in content
    assert "waarvan collectief werk 70,0" in content
    assert "waarvan individuele ondersteuning 5,5" in content


def test_statement_shows_verified_hours_per_iso_week(app):
    with app.test_request_context():
        content = text(statement_pdf(snapshot()))

    assert "2026 week 37 4,0" in content
    assert "2026 week 38 71,5" in content


def test_statement_rounds_hours_half_up_to_one_decimal(app):
    hours = dict(SNAPSHOT["hours"], by_category=[{"category": "network", "minutes": 15}])
    with app.test_request_context():
        content = text(statement_pdf(snapshot(hours=hours)))

    assert "Netwerk en samenwerking 0,3" in content


def test_statement_shows_signed_goal_with_codes_statement_and_signer(app):
    with app.test_request_context():
        content = text(statement_pdf(snapshot()))

    assert "1. Zoë en Yassine organiseren een buurtmaaltijd" in content
    assert "B1-K1-W2" in content and "B1-K2" in content
    assert "Ayşe bereidde de maaltijd voor met bewoners van de Van der Pekbuurt." in content
    assert "Afgetekend door Sanne de Vries op 20 nov. 2026" in content
    assert "Uitgegeven Fatima El Amrani op 28 nov. 2026" in content


def test_statement_without_goals_says_no_goals_are_signed_off_yet(app):
    with app.test_request_context():
        content = text(statement_pdf(snapshot(goals=[])))

    assert "Er zijn nog geen leerdoelen afgetekend." in content
    assert "Afgetekend door" not in content


def test_statement_without_verified_hours_says_so_instead_of_an_empty_table(app):
    hours = {"total_minutes": 0, "collective_minutes": 0, "individual_minutes": 0}
    with app.test_request_context():
        content = text(statement_pdf(snapshot(hours=hours)))

    assert "Er zijn nog geen goedgekeurde uren." in content
    assert "Totaal" not in content


def test_statement_footer_has_code_url_and_page_numbers_on_every_page(app):
    with app.test_request_context():
        texts = pages(statement_pdf(snapshot()))

    assert texts
    for number, page_text in enumerate(texts, start=1):
        assert f"Verificatiecode {CODE} · controleer op {VERIFY_URL}" in page_text
        assert f"Pagina {number} van {len(texts)}" in page_text


def test_statement_with_forty_long_goals_runs_over_several_pages_with_footer_on_each(app):
    with app.test_request_context():
        data = statement_pdf(snapshot(goals=many_goals(40)))
    texts = pages(data)
    words = " ".join("\n".join(texts).split())  # a wrapped line joins up again

    assert len(texts) >= 5
    assert texts[0].count("Pagina 1 van ") == 1
    for number, page_text in enumerate(texts, start=1):
        assert CODE in page_text
        assert f"Pagina {number} van {len(texts)}" in page_text
    for n in range(1, 41):
        assert f"Einde verklaring {n}." in words


def test_long_statement_text_wraps_within_the_page_margins(app):
    with app.test_request_context():
        reader = PdfReader(io.BytesIO(statement_pdf(snapshot(goals=many_goals(5)))))

    runs = [run for page in reader.pages for run in text_runs(page)]
    statement_lines = [content for content, _x, _y in runs if "Yassine werkte" in content]
    assert len(statement_lines) > 20
    # A4 is 210 mm wide: at 10 pt a line within the 18 mm margins holds about 95 characters.
    assert max(len(line) for line in statement_lines) <= 100
    assert all(18 * MM - 1 <= x <= 210 * MM for _content, x, _y in runs)


def test_goal_block_never_starts_at_the_bottom_of_a_page(app):
    with app.test_request_context():
        reader = PdfReader(io.BytesIO(statement_pdf(snapshot(goals=many_goals(40)))))

    title_heights = [
        y
        for page in reader.pages
        for content, _x, y in text_runs(page)
        if re.match(r"\d+\. Leerdoel \d+:", content)
    ]
    assert len(title_heights) == 40
    # Above the footer (22 mm) there is room for the title, its codes and three lines of text.
    assert min(title_heights) > 45 * MM


def test_statement_shows_signing_date_in_amsterdam_time(app):
    goal = dict(SNAPSHOT["goals"][0], signed_at="2026-11-20T23:30:00+00:00")
    with app.test_request_context():
        content = text(statement_pdf(snapshot(goals=[goal])))

    assert "Afgetekend door Sanne de Vries op 21 nov. 2026" in content


def test_statement_numbers_and_dates_follow_the_english_locale(app):
    with app.test_request_context():
        session["locale"] = "en"
        content = text(statement_pdf(snapshot()))

    assert "75.5" in content
    assert "75,5" not in content
    assert "Sep 1, 2026 – Jan 31, 2027" in content


def test_statement_keeps_an_unknown_category_key_as_its_label(app):
    hours = dict(SNAPSHOT["hours"], by_category=[{"category": "retired_kind", "minutes": 60}])
    with app.test_request_context():
        content = text(statement_pdf(snapshot(hours=hours)))

    assert "retired_kind 1,0" in content


def test_statement_leaves_out_school_and_crebo_when_unknown(app):
    student = dict(SNAPSHOT["student"], school=None, crebo=None, level="hbo", study_year=3)
    with app.test_request_context():
        content = text(statement_pdf(snapshot(student=student)))

    assert "hbo, studiejaar 3" in content
    assert "crebo" not in content
    assert "School" not in content


def test_statement_metadata_names_title_author_and_issue_date(app):
    with app.test_request_context():
        metadata = PdfReader(io.BytesIO(statement_pdf(snapshot()))).metadata

    assert metadata.title == "Praktijkverklaring Ayşe Yılmaz"
    assert metadata.author == "wijklab"
    assert metadata.creation_date == datetime(2026, 11, 28, 14, 5, tzinfo=UTC)


def test_same_snapshot_renders_identical_bytes(app):
    with app.test_request_context():
        first = statement_pdf(snapshot())
        second = statement_pdf(snapshot())

    assert first.startswith(b"%PDF-")
    assert first == second


def test_missing_font_raises_runtime_error_naming_the_debian_package(app, tmp_path):
    app.config["PDF_FONT_DIR"] = str(tmp_path / "no-fonts-here")
    with app.test_request_context(), pytest.raises(RuntimeError, match="fonts-dejavu-core"):
        statement_pdf(snapshot())


# The neighbourhood report


def test_report_title_names_neighbourhood_city_and_period(app):
    with app.test_request_context():
        content = text(neighbourhood_report_pdf(report()))

    assert "Wijkrapportage Amsterdam-Noord" in content
    assert "Amsterdam · 1 sep. 2026 – 31 jan. 2027" in content


def test_report_shows_key_figures(app):
    with app.test_request_context():
        content = text(neighbourhood_report_pdf(report()))

    for figure, label in (
        ("3", "projecten"),
        ("4", "teams"),
        ("52", "taken"),
        ("1.640", "bewoners bereikt"),
        ("12", "mbo-studenten"),
        ("8", "hbo-studenten"),
    ):
        assert f"{figure}\n{label}" in content


def test_report_shows_tasks_and_residents_by_category_with_totals(app):
    with app.test_request_context():
        content = text(neighbourhood_report_pdf(report()))

    assert "Bewonersactiviteit 20 400" in content
    assert "Netwerk en samenwerking 7 0" in content
    assert "Individuele ondersteuning (cliëntgericht) 25 1.240" in content
    assert "Totaal 52 1.640" in content


def test_report_shows_verified_hours_for_mbo_hbo_and_together(app):
    with app.test_request_context():
        content = text(neighbourhood_report_pdf(report()))

    assert "mbo 200,0 5,0 205,0" in content
    assert "hbo 150,0 0,0 150,0" in content
    assert "Totaal 350,0 5,0 355,0" in content


def test_report_lists_partner_organisations_with_their_projects(app):
    with app.test_request_context():
        content = text(neighbourhood_report_pdf(report()))

    assert "Buurtwerk Noord 2" in content
    assert "Stichting Çelik & Zoë 1" in content


def test_report_without_activities_or_partners_says_so(app):
    with app.test_request_context():
        content = text(neighbourhood_report_pdf(report(activities=[], partners=[], hours={})))

    assert "Geen taken in deze periode." in content
    assert "Geen partnerorganisaties in deze periode." in content
    assert "Totaal 0,0 0,0 0,0" in content


def test_report_footer_shows_generation_time_in_amsterdam_and_page_numbers(app):
    partners = [{"name": f"Partner {n}", "projects": 1} for n in range(80)]
    generated = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)
    with app.test_request_context():
        texts = pages(neighbourhood_report_pdf(report(partners=partners, generated_at=generated)))

    assert len(texts) >= 2
    for number, page_text in enumerate(texts, start=1):
        assert "Gemaakt met wijklab op 29 nov. 2026 om 00:30" in page_text
        assert f"Pagina {number} van {len(texts)}" in page_text
    assert "Partner 79 1" in texts[-1]


def test_report_metadata_names_title_author_and_generation_date(app):
    with app.test_request_context():
        metadata = PdfReader(io.BytesIO(neighbourhood_report_pdf(report()))).metadata

    assert metadata.title == "Wijkrapportage Amsterdam-Noord"
    assert metadata.author == "wijklab"
    assert metadata.creation_date == datetime(2026, 11, 28, 14, 5, tzinfo=UTC)


def test_statement_names_the_team_under_its_project(app):
    """Many teams are called "Team 1": the project comes first and the team follows it."""
    with app.test_request_context():
        content = " ".join(text(statement_pdf(snapshot())).split())
    assert "Project Buurtkamer Noord Team Team Noord" in content
