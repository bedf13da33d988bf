"""Who may do what with practical-training statements, URL by URL: anonymous visitors go to
log in, the wrong role gets 403, people of other teams get 404 (they may not know the student
is there), a missing CSRF token gets 400, and nothing changes when refused. Also the statement
list, per role and in a constant number of queries, and the download for the exam committee."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.statements.test_statements import (
    CUTOFF,
    accept_agreement,
    confirmed,
    issued,
    requested,
    sign_out,
)
from tests.statements.test_statements import lab as lab  # noqa: F401 (the fixture)
from tests.test_query_counts import count_for
from wijklab.extensions import db
from wijklab.statements.models import RequestStatus, Statement, StatementRequest

EVERYONE = [
    "zoe",
    "teammate",
    "supervisor",
    "wijkdocent",
    "admin",
    "other_student",
    "other_supervisor",
    "other_docent",
]


def expected(allowed: set[str], who: str) -> int | None:
    """None: allowed. Otherwise what the refusal looks like for ``who``."""
    if who in allowed:
        return None
    readers = {"zoe", "supervisor", "wijkdocent", "admin"}
    if who in readers:
        return 403
    return 403 if who in ("other_docent",) else 404


def state():
    return [
        (r.status, r.confirmed_at is not None)
        for r in db.session.scalars(select(StatementRequest).order_by(StatementRequest.id))
    ], len(db.session.scalars(select(Statement)).all())


@pytest.mark.parametrize("who", EVERYONE)
def test_the_overview_is_for_the_student_the_supervisor_and_the_wijkdocent(
    lab, client, login_as, who
):
    login_as(lab[who])
    response = client.get(f"/statements/teams/{lab['team'].id}/students/{lab['zoe'].id}")
    refused = expected({"zoe", "supervisor", "wijkdocent", "admin"}, who)
    assert response.status_code == (refused or 200)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_student_requests(lab, client, login_as, who):
    login_as(lab[who])
    response = client.post(
        f"/statements/teams/{lab['team'].id}/students/{lab['zoe'].id}/request",
        data={"cutoff_date": CUTOFF.isoformat()},
    )
    refused = expected({"zoe"}, who)
    if refused:
        assert response.status_code == refused
        assert state() == ([], 0)
    else:
        assert response.status_code == 302
        assert state() == ([(RequestStatus.PENDING, False)], 0)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_teams_supervisor_confirms(lab, client, login_as, who):
    made = requested(client, login_as, lab)
    login_as(lab[who])
    response = client.post(f"/statements/requests/{made.id}/confirm")
    refused = expected({"supervisor"}, who)
    assert response.status_code == (refused or 302)
    assert state() == ([(RequestStatus.PENDING, not refused)], 0)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_projects_wijkdocent_or_an_admin_issues(lab, client, login_as, who):
    made = confirmed(client, login_as, lab)
    login_as(lab[who])
    response = client.post(f"/statements/requests/{made.id}/issue")
    refused = expected({"wijkdocent", "admin"}, who)
    assert response.status_code == (refused or 302)
    if refused:
        assert state() == ([(RequestStatus.PENDING, True)], 0)
    else:
        assert state() == ([(RequestStatus.ISSUED, True)], 1)


@pytest.mark.parametrize("who", EVERYONE)
def test_the_wijkdocent_admin_or_supervisor_return(lab, client, login_as, who):
    made = requested(client, login_as, lab)
    login_as(lab[who])
    response = client.post(f"/statements/requests/{made.id}/return", data={"reason": "Nee"})
    refused = expected({"wijkdocent", "admin", "supervisor"}, who)
    assert response.status_code == (refused or 302)
    status = RequestStatus.PENDING if refused else RequestStatus.RETURNED
    assert state() == ([(status, False)], 0)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_student_withdraws(lab, client, login_as, who):
    made = requested(client, login_as, lab)
    login_as(lab[who])
    response = client.post(f"/statements/requests/{made.id}/withdraw")
    refused = expected({"zoe"}, who)
    assert response.status_code == (refused or 302)
    status = RequestStatus.PENDING if refused else RequestStatus.WITHDRAWN
    assert state() == ([(status, False)], 0)


@pytest.mark.parametrize("who", EVERYONE)
def test_a_request_an_issued_statement_and_its_pdf_are_read_by_those_involved(
    lab, client, login_as, who
):
    statement = issued(client, login_as, lab)
    login_as(lab[who])
    refused = expected({"zoe", "supervisor", "wijkdocent", "admin"}, who)
    for url in (
        f"/statements/requests/{statement.request_id}",
        f"/statements/{statement.id}",
        f"/statements/{statement.id}.pdf",
    ):
        assert client.get(url).status_code == (refused or 200), url


def test_anonymous_visitors_are_sent_to_log_in(lab, client, login_as):
    statement = issued(client, login_as, lab)
    rid, sid = statement.request_id, statement.id
    base = f"/statements/teams/{lab['team'].id}/students/{lab['zoe'].id}"
    for method, url in [
        ("get", base),
        ("post", f"{base}/request"),
        ("get", f"/statements/requests/{rid}"),
        ("post", f"/statements/requests/{rid}/confirm"),
        ("post", f"/statements/requests/{rid}/issue"),
        ("post", f"/statements/requests/{rid}/return"),
        ("post", f"/statements/requests/{rid}/withdraw"),
        ("get", "/statements"),
        ("get", "/statements/committee"),
        ("get", f"/statements/{sid}"),
        ("get", f"/statements/{sid}.pdf"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"], url


def test_unknown_ids_give_404(lab, client, login_as):
    login_as(lab["admin"])
    for url in (
        f"/statements/teams/9999/students/{lab['zoe'].id}",
        f"/statements/teams/{lab['team'].id}/students/9999",
        f"/statements/teams/{lab['team'].id}/students/{lab['outsider'].id}",
        "/statements/requests/9999",
        "/statements/9999",
        "/statements/9999.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/statements/requests/9999/issue").status_code == 404


@pytest.mark.parametrize(
    ("who", "action", "data"),
    [
        ("zoe", "request", {"cutoff_date": CUTOFF.isoformat()}),
        ("supervisor", "confirm", {}),
        ("wijkdocent", "issue", {}),
        ("wijkdocent", "return", {"reason": "Nee"}),
        ("zoe", "withdraw", {}),
    ],
)
def test_a_post_without_a_csrf_token_is_refused(lab, app, client, login_as, who, action, data):
    made = None
    if action != "request":
        made = (
            confirmed(client, login_as, lab)
            if action == "issue"
            else requested(client, login_as, lab)
        )
    before = state()
    app.config["WTF_CSRF_ENABLED"] = True
    login_as(lab[who])
    if made is None:
        url = f"/statements/teams/{lab['team'].id}/students/{lab['zoe'].id}/request"
    else:
        url = f"/statements/requests/{made.id}/{action}"
    assert client.post(url, data=data).status_code == 400
    assert state() == before


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_each_person_what_they_may_read(lab, client, login_as):
    statement = issued(client, login_as, lab)
    waiting = requested(client, login_as, lab, date(2026, 11, 27))
    for who, sees in [
        ("zoe", True),
        ("supervisor", True),
        ("wijkdocent", True),
        ("admin", True),
        ("teammate", False),
        ("other_supervisor", False),
        ("other_docent", False),
    ]:
        login_as(lab[who])
        response = client.get("/statements")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert (f'/statements/{statement.id}"' in html) is sees, who
        assert (f'/statements/requests/{waiting.id}"' in html) is sees, who


def test_the_list_runs_the_same_number_of_queries_for_more_statements(lab, client, login_as):
    issued(client, login_as, lab)
    requested(client, login_as, lab)
    login_as(lab["wijkdocent"])
    client.get("/statements")  # sends the mail the steps above queued: not the page's queries
    few = count_for(client, "/statements")
    for n in range(4):
        student = factories.make_student(name=f"Student {n}")
        team = factories.make_team(
            project=lab["team"].project, supervisor=lab["supervisor"], members=[student]
        )
        accept_agreement(team, student)
        made = StatementRequest(team_id=team.id, student_id=student.id, cutoff_date=CUTOFF)
        db.session.add(made)
        db.session.commit()
    sign_out(client)
    login_as(lab["wijkdocent"])
    client.get("/statements")
    assert count_for(client, "/statements") == few


# --- the exam committee -----------------------------------------------------------------------


def committee(client, school, start="2026-11-01", end="2026-11-30"):
    return client.get(
        "/statements/committee", query_string={"school": school.id, "start": start, "end": end}
    )


def test_the_committee_download_is_a_zip_of_signed_pdfs_and_a_summary(lab, client, login_as):
    statement = issued(client, login_as, lab)
    login_as(lab["wijkdocent"])
    school = lab["zoe"].student_profile.school
    response = committee(client, school)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 1 and statement.code in pdfs[0] and "Zoë" in pdfs[0]
    assert archive.read(pdfs[0]).startswith(b"%PDF")
    assert b"/ByteRange" in archive.read(pdfs[0])  # signed
    sheet = load_workbook(io.BytesIO(archive.read("overzicht.xlsx"))).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Student"] == "Zoë van den Berg"
    assert row["School"] == "ROC Mondriaan"
    assert float(row["Totaal uren"]) == 3.0
    assert float(row["Collectief"]) == 2.5
    assert float(row["Individuele ondersteuning"]) == 0.5
    assert float(row["Afgesproken BPV-uren"]) == 320.0
    assert row["Afgetekende leerdoelen"] == 1
    assert row["Kerntaken/competenties"] == "B1-K1-W2, B1-K2"
    assert sheet.max_row == 2


def test_the_committee_download_leaves_out_other_periods_schools_and_projects(
    lab, client, login_as
):
    issued(client, login_as, lab)
    school = lab["zoe"].student_profile.school
    login_as(lab["wijkdocent"])
    response = committee(client, school, "2026-12-01", "2026-12-31")
    assert response.status_code == 404
    assert "Er zijn geen uitgegeven verklaringen" in response.get_data(as_text=True)
    other_school = factories.make_organisation("school", name="Hogeschool Elders")
    assert committee(client, other_school).status_code == 404
    login_as(lab["other_docent"])
    assert committee(client, school).status_code == 404  # not their project


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-11-30", "2026-11-01", "De einddatum ligt vóór de begindatum."),
        ("", "2026-11-30", "Vul een geldige datum in."),
        ("1900-01-01", "2026-11-30", "Kies een datum tussen 2000 en 2100."),
    ],
)
def test_the_committee_form_says_what_is_wrong(lab, client, login_as, start, end, message):
    login_as(lab["wijkdocent"])
    response = committee(client, lab["zoe"].student_profile.school, start, end)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_foreign_school_id_is_refused(lab, client, login_as):
    login_as(lab["wijkdocent"])
    response = client.get(
        "/statements/committee",
        query_string={"school": 99999, "start": "2026-11-01", "end": "2026-11-30"},
    )
    assert response.status_code == 400


def test_a_download_with_too_many_statements_asks_for_a_shorter_period(lab, app, client, login_as):
    issued(client, login_as, lab, cutoff=date(2026, 11, 20))
    issued(client, login_as, lab, cutoff=CUTOFF)
    app.config["COMMITTEE_EXPORT_MAX"] = 1
    login_as(lab["wijkdocent"])
    response = committee(client, lab["zoe"].student_profile.school)
    assert response.status_code == 400
    assert "Dit zijn 2 verklaringen; één download bevat er hoogstens 1." in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("who", ["zoe", "supervisor"])
def test_students_and_supervisors_do_not_download_for_the_committee(lab, client, login_as, who):
    login_as(lab[who])
    assert client.get("/statements/committee").status_code == 403
