"""The verification address on a statement comes from configuration, never from the request's
Host header; /verify is never cached."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.statements.models import Statement
from wijklab.statements.services import load_content
from wijklab.statements.views import _verify_url

PUBLIC = "https://wijklab.example.org"


def _team_of(student, wijkdocent):
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    return factories.make_team(project=project, members=[student])


def _issue(client, login_as, wijkdocent, team, student, host: str):
    from wijklab.statements import services

    factories.make_agreement(team, student)
    request = services.request_statement(team, student, cutoff=team.start_date)
    services.confirm_request(request, by=team.supervisor)
    db.session.commit()
    login_as(wijkdocent)
    # The test client keeps cookies per host: hand the session to the forged host too.
    cookie = client.get_cookie("wijklab_session")
    client.set_cookie("wijklab_session", cookie.value, domain=host)
    response = client.post(f"/statements/requests/{request.id}/issue", headers={"Host": host})
    assert response.status_code == 302
    return db.session.scalars(select(Statement).order_by(Statement.id.desc())).first()


def test_a_forged_host_does_not_reach_the_printed_verification_address(
    app, client, login_as, wijkdocent, student
):
    team = _team_of(student, wijkdocent)
    statement = _issue(client, login_as, wijkdocent, team, student, "verify.evil.example")
    snapshot = load_content(statement)
    assert snapshot["verify_url"] == f"{PUBLIC}/verify/{statement.code}"

    page = client.get(f"/statements/{statement.id}", headers={"Host": "verify.evil.example"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{PUBLIC}/verify/{statement.code}" in html
    assert "evil.example" not in html

    pdf = client.get(f"/statements/{statement.id}.pdf", headers={"Host": "verify.evil.example"})
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "evil.example" not in text
    assert "wijklab.example.org/verify/" in "".join(text.split())


def test_the_verification_address_follows_the_configured_public_url(app):
    app.config["PUBLIC_URL"] = "https://lab.gemeente.example.org"
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert _verify_url("ABCD") == "https://lab.gemeente.example.org/verify/ABCD"


def test_verify_pages_are_never_cached(client):
    for path in ("/verify", "/verify?code=XXXX", "/verify/0000000000000000"):
        response = client.get(path)
        assert response.status_code in (200, 404)
        assert response.headers["Cache-Control"] == "no-store"


def test_a_rate_limited_verify_page_is_not_cached_either(app, client):
    app.config["VERIFY_RATE_LIMIT"] = "1 per minute"
    from wijklab.extensions import limiter

    limiter.reset()
    client.get("/verify")
    response = client.get("/verify")
    assert response.status_code == 429
    assert response.headers["Cache-Control"] == "no-store"
    limiter.reset()
