"""A statement from request to public check, in the browser: a demo student asks for one as of
today, the supervisor confirms the practical part, the wijkdocent issues it, and an anonymous
visitor types the code on /verify and sees the totals the statement counted."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import DEMO_USERS
from wijklab.accounts.models import User
from wijklab.agreements.models import StartAgreement
from wijklab.extensions import db
from wijklab.statements.models import RequestStatus, Statement, StatementRequest
from wijklab.teams.models import Team, TeamMembership

pytestmark = pytest.mark.e2e


def a_student_who_may_ask(app) -> tuple[str, int, int]:
    """A current member of a team the demo supervisor supervises in a project of the demo
    wijkdocent, with an accepted start agreement and no request waiting: picked now, because
    other browser tests change the shared demo data."""
    supervisor_email, wijkdocent_email = DEMO_USERS["supervisor"][0], DEMO_USERS["wijkdocent"][0]
    with app.app_context():
        supervisor = db.session.scalar(select(User).where(User.email == supervisor_email))
        wijkdocent = db.session.scalar(select(User).where(User.email == wijkdocent_email))
        waiting = select(StatementRequest.student_id).where(
            StatementRequest.status == RequestStatus.PENDING
        )
        row = db.session.execute(
            select(User.email, Team.id, User.id)
            .join(TeamMembership, TeamMembership.student_id == User.id)
            .join(Team, Team.id == TeamMembership.team_id)
            .join(
                StartAgreement,
                (StartAgreement.team_id == Team.id) & (StartAgreement.student_id == User.id),
            )
            .where(
                Team.supervisor_id == supervisor.id,
                Team.project.has(owner_id=wijkdocent.id),
                TeamMembership.left_on.is_(None),
                StartAgreement.accepted_at.is_not(None),
                User.id.not_in(waiting),
            )
            .order_by(User.id)
            .limit(1)
        ).first()
        db.session.remove()
    assert row is not None, "the demo data has no student who may ask for a statement"
    return row.email, row[1], row[2]


def test_a_statement_goes_from_request_to_public_check(
    browser, base_url, live_app, log_in, screenshot
):
    email, team_id, student_id = a_student_who_may_ask(live_app)

    student = browser.new_page(base_url=base_url)
    log_in(student, email, path=f"/statements/teams/{team_id}/students/{student_id}")
    note = student.get_by_label("Toelichting voor de wijkdocent (niet verplicht)")
    note.fill("Voor mijn dossier")
    student.get_by_role("button", name="Aanvragen").click()
    expect(student.get_by_role("heading", level=1)).to_contain_text("Aanvraag praktijkverklaring")
    expect(student.get_by_text("wacht op de werkbegeleider")).to_be_visible()
    request_url = student.url
    student.context.close()

    supervisor = browser.new_page(base_url=base_url)
    supervisor.on("dialog", lambda dialog: dialog.accept())
    log_in(supervisor, DEMO_USERS["supervisor"][0], path=request_url)
    supervisor.get_by_role("button", name="Praktijkdeel bevestigen").click()
    expect(supervisor.get_by_text("Je hebt het praktijkdeel bevestigd.")).to_be_visible()
    supervisor.context.close()

    docent = browser.new_page(base_url=base_url)
    docent.on("dialog", lambda dialog: dialog.accept())
    log_in(docent, DEMO_USERS["wijkdocent"][0], path=request_url)
    docent.get_by_role("button", name="Verklaring uitgeven").click()
    expect(docent.get_by_text("Praktijkverklaring uitgegeven.")).to_be_visible()
    code = docent.locator("strong.code").inner_text()
    screenshot(docent, "statement-issued")
    docent.context.close()

    with live_app.app_context():
        statement = db.session.scalar(select(Statement).order_by(Statement.id.desc()).limit(1))
        hours = json.loads(statement.content)["hours"]
        fingerprint = statement.fingerprint
        db.session.remove()
    total = f"{hours['total_minutes'] / 60:.1f}".replace(".", ",")

    visitor = browser.new_page(base_url=base_url)
    visitor.set_viewport_size({"width": 360, "height": 780})
    visitor.goto("/verify")
    visitor.get_by_label("Verificatiecode").fill(code.lower())
    visitor.get_by_role("button", name="Controleren").click()
    expect(visitor.get_by_role("heading", level=2)).to_contain_text("Echt en geldig per")
    expect(visitor.locator("dl.facts")).to_contain_text(f"{total} uur")
    expect(visitor.locator("dl.facts")).to_contain_text(fingerprint)
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(visitor, "statement-verified-360")
    visitor.context.close()
