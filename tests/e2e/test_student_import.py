"""From the school's list to a team, in the browser: the wijkdocent uploads a student list with
one wrong e-mail address, sees the error in the dry run, uploads the corrected file and imports
it, then lets the team builder propose a team for a partner that takes only years 2 to 4, and
accepts it: the first-year student stays out, with the reason shown."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import DEMO_USERS
from wijklab.accounts.models import StudentProfile, User
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation
from wijklab.projects.models import Project, ProjectStatus
from wijklab.teams.models import Team, TeamMembership

pytestmark = pytest.mark.e2e

HEADER = "studentnummer;naam;e-mail;school;niveau;opleiding;crebo;leerjaar;dagen;BPV-uren\n"
ROWS = [
    "910001;Fatma Çelik;fatma.celik@student.example.org;ROC Mondriaan;mbo;Sociaal werk;25480;1;"
    "ma, di, wo, do, vr;400",
    "910002;Kees de Wit;kees.dewit@student.example.org;ROC Mondriaan;mbo;Sociaal werk;25480;2;"
    "ma, di, wo, do, vr;400",
    "910003;Lina Haddad;lina.haddad@student.example.org;Haagse Hogeschool;hbo;Social Work;;3;"
    "ma, di, wo, do, vr;600",
]
WRONG = "910004;Sara Lim;sara.lim@@student;Haagse Hogeschool;hbo;Social Work;;2;ma, di;600"
RIGHT = WRONG.replace("sara.lim@@student", "sara.lim@student.example.org")
PARTNER = "Welzijn Schilderswijk"  # takes years 2 to 4 in the demo data
SUPERVISOR = "Selin Yılmaz"


def csv_file(last_row: str) -> dict:
    # Excel writes Windows-1252 with semicolons: the way most school systems hand it over.
    body = HEADER + "\n".join([*ROWS, last_row]) + "\n"
    return {"name": "studenten.csv", "mimeType": "text/csv", "buffer": body.encode("cp1252")}


def a_draft_project(app) -> int:
    """A draft project of the demo wijkdocent with the partner that takes years 2 to 4."""
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == DEMO_USERS["wijkdocent"][0]))
        project = Project(
            title="Buurtkeuken import",
            neighbourhood=db.session.scalar(select(Neighbourhood).order_by(Neighbourhood.id)),
            partner=db.session.scalar(select(Organisation).where(Organisation.name == PARTNER)),
            owner=owner,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 6, 30),
            status=ProjectStatus.DRAFT,
            weekdays=frozenset({0, 1, 2, 3, 4}),
            min_mbo=1,
            min_hbo=1,
            max_size=4,
        )
        db.session.add(project)
        db.session.commit()
        project_id = project.id
        db.session.remove()
    return project_id


def test_wijkdocent_imports_students_and_builds_a_team_the_partner_takes(
    page, base_url, live_app, log_in, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, DEMO_USERS["wijkdocent"][0], path="/users/import")

    page.get_by_label("Bestand (CSV of Excel .xlsx)").set_input_files(csv_file(WRONG))
    page.get_by_label("School").select_option(label="ROC Mondriaan")
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import controleren")
    expect(page.get_by_role("alert")).to_contain_text("1 rij heeft een fout")
    expect(page.locator("tr.has-error")).to_contain_text("Sara Lim")
    expect(page.get_by_role("button", name="Import bevestigen")).to_have_count(0)
    screenshot(page, "import-error-1280")

    page.get_by_role("link", name="Ander bestand kiezen").click()
    page.get_by_label("Bestand (CSV of Excel .xlsx)").set_input_files(csv_file(RIGHT))
    page.get_by_label("School").select_option(label="ROC Mondriaan")
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.locator("tr.has-error")).to_have_count(0)
    page.get_by_role("button", name="Import bevestigen").click()
    expect(page.get_by_role("link", name="Afdrukbare lijst met uitnodigingslinks")).to_be_visible()

    with live_app.app_context():
        numbers = set(
            db.session.scalars(
                select(StudentProfile.student_number).where(
                    StudentProfile.student_number.like("91000%")
                )
            )
        )
        db.session.remove()
    assert numbers == {"910001", "910002", "910003", "910004"}

    project_id = a_draft_project(live_app)
    page.goto(f"/projects/{project_id}/builder")
    page.get_by_label("Aantal teams").fill("1")
    page.locator("#supervisor_id").select_option(label=SUPERVISOR)
    page.get_by_role("button", name="Stel teams voor").click()
    expect(page.get_by_role("heading", name="Voorstel: 1 team")).to_be_visible()
    # The first-year student is not placed, and the page says why.
    unplaced = page.locator("li, tr").filter(has_text="Fatma Çelik")
    expect(unplaced.first).to_contain_text("de partner neemt dit studiejaar niet aan")
    screenshot(page, "builder-partner-years-1280")
    page.get_by_role("button", name="Voorstel accepteren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buurtkeuken import")

    with live_app.app_context():
        years = db.session.scalars(
            select(StudentProfile.study_year)
            .join(TeamMembership, TeamMembership.student_id == StudentProfile.user_id)
            .join(Team, Team.id == TeamMembership.team_id)
            .where(Team.project_id == project_id)
        ).all()
        db.session.remove()
    assert years and min(years) >= 2
