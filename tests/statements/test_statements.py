"""Practical-training statements through the test client: the student requests one as of a
cut-off date, the supervisor confirms the practical part, the wijkdocent (or an admin) issues it
or returns the request; what the statement, its PDF and the public verification say; the status
rules (valid as of the cut-off until something counted is withdrawn); bad input; and who may do
what on every URL."""

from __future__ import annotations

import hashlib
import io
import json
import re
import string
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from wijklab.agreements import services as agreement_services
from wijklab.agreements.models import Party
from wijklab.extensions import db, limiter
from wijklab.goals import services as goal_services
from wijklab.goals.models import GoalStatus
from wijklab.projects.models import ProjectStatus
from wijklab.statements import services
from wijklab.statements.models import RequestStatus, Statement, StatementRequest
from wijklab.tasks import services as task_services
from wijklab.tasks.models import Category, TaskStatus

STATEMENT_TEXT = "Zoë bereidde de bewonersavond zelfstandig voor en leidde het gesprek."
GOAL_TITLE = "Ik leid een bewonersbijeenkomst"
NOT_COUNTED_GOALS = ["Concept: ik schrijf een plan", "Actief: ik voer huisbezoeken uit"]
SIGNED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)
FIXED_CODE = "7KQ0M9XDPA4RTW3H"
NOT_FOUND = "Er is geen verklaring met deze code."
AGREED_HOURS = 320
CUTOFF = date(2026, 11, 27)


def agreement_data(bpv_hours: int = AGREED_HOURS, focuses: str = "Gesprekken leiden\nNetwerken"):
    return agreement_services.AgreementData(
        weekdays=frozenset({1, 3}),
        hours_per_week=8,
        agreed_bpv_hours=bpv_hours,
        learning_focuses=focuses,
        supervision_form="Wekelijks gesprek op locatie",
        supervision_frequency="Elke week",
        backup_contact="Coördinator Buurtwerk, 070 123 4567",
    )


def accept_agreement(team, student, bpv_hours: int = AGREED_HOURS):
    """A start agreement the student, the supervisor and the wijkdocent all accepted."""
    data = agreement_data(bpv_hours)
    agreement = agreement_services.draw_agreement(team, student, data, by=student)
    db.session.commit()
    parties = {
        Party.STUDENT: student,
        Party.SUPERVISOR: team.supervisor,
        Party.WIJKDOCENT: team.project.owner,
    }
    for party, user in parties.items():
        agreement_services.accept_agreement(agreement, party, by=user, version=agreement.version)
        db.session.commit()
    assert agreement.accepted_at is not None
    return agreement


def verified(task, by) -> None:
    task.status = TaskStatus.VERIFIED
    task.verified_by = by
    task.verified_at = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    db.session.commit()


@pytest.fixture
def lab(app, admin, wijkdocent, supervisor, student, clock):
    """Zoë (the ``student`` fixture) in "Team Noord" of the wijkdocent's project, supervised by
    Petra: three verified tasks (3 hours in weeks 41 and 42), a pending and a returned one, one
    signed-off goal and a draft and an active goal. Around them: a teammate, a student, a
    supervisor and a wijkdocent of another project, and a student who was never in the team."""
    clock.set(datetime(2026, 11, 28, 11, 0, tzinfo=UTC))
    student.student_profile.school.name = "ROC Mondriaan"
    db.session.commit()
    project = factories.make_project(
        owner=wijkdocent,
        title="Buurtkamer Noord",
        status=ProjectStatus.ACTIVE,
        partner=factories.make_organisation("partner", name="Buurtwerk Noord"),
        neighbourhood=factories.make_neighbourhood(name="Schilderswijk"),
    )
    teammate = factories.make_student(name="Ayşe Yılmaz")
    team = factories.make_team(
        project=project, supervisor=supervisor, members=[student, teammate], name="Team Noord"
    )
    other_docent = factories.make_user(role="wijkdocent", name="Karin Docent")
    other_supervisor = factories.make_supervisor(name="Henk Jansen")
    other_student = factories.make_student(name="Jesse de Groot")
    factories.make_team(
        project=factories.make_project(owner=other_docent, status=ProjectStatus.ACTIVE),
        supervisor=other_supervisor,
        members=[other_student],
    )
    outsider = factories.make_student(name="Yassine El Amrani")

    def task(day, category, minutes, status="pending"):
        made = factories.make_task(
            team=team,
            participants=[student],
            minutes=minutes,
            date=day,
            category=category,
            title=f"{category.value} {day.isoformat()}",
        )
        if status == "verified":
            verified(made, supervisor)
        elif status == "returned":
            made.status = TaskStatus.RETURNED
            made.return_reason = "Te weinig uitleg"
            db.session.commit()
        return made

    meal = task(date(2026, 10, 5), Category.RESIDENTS_ACTIVITY, 90, "verified")
    task(date(2026, 10, 7), Category.NETWORK, 60, "verified")
    task(date(2026, 10, 12), Category.INDIVIDUAL_SUPPORT, 30, "verified")
    pending = task(date(2026, 10, 19), Category.INFORMATION, 600)
    task(date(2026, 10, 20), Category.RESEARCH, 420, "returned")

    goal = factories.make_goal(team=team, student=student, status="active", title=GOAL_TITLE)
    goal.framework_items = [
        factories.make_framework_item("B1-K2"),
        factories.make_framework_item("B1-K1-W2"),
    ]
    db.session.commit()
    goal_services.add_evidence(goal, meal.participations[0], by=student)
    goal.status = GoalStatus.REVIEW_REQUESTED
    db.session.commit()
    goal_services.transition(goal, "sign_off", by=supervisor, statement=STATEMENT_TEXT)
    db.session.commit()
    goal.sign_offs[-1].signed_at = SIGNED_AT
    db.session.commit()
    factories.make_goal(team=team, student=student, status="draft", title=NOT_COUNTED_GOALS[0])
    factories.make_goal(team=team, student=student, status="active", title=NOT_COUNTED_GOALS[1])
    accept_agreement(team, student)
    return {
        "admin": admin,
        "wijkdocent": wijkdocent,
        "supervisor": supervisor,
        "zoe": student,
        "teammate": teammate,
        "other_docent": other_docent,
        "other_supervisor": other_supervisor,
        "other_student": other_student,
        "outsider": outsider,
        "team": team,
        "goal": goal,
        "meal": meal,
        "pending": pending,
    }


def preview_url(lab, student="zoe") -> str:
    return f"/statements/teams/{lab['team'].id}/students/{lab[student].id}"


def statements() -> list[Statement]:
    return list(db.session.scalars(select(Statement).order_by(Statement.id)))


def requests_made() -> list[StatementRequest]:
    return list(db.session.scalars(select(StatementRequest).order_by(StatementRequest.id)))


def sign_out(client) -> None:
    with client.session_transaction() as session:
        session.clear()


def ask(client, lab, cutoff=CUTOFF, student="zoe", **extra):
    data = {"cutoff_date": cutoff.isoformat() if isinstance(cutoff, date) else cutoff, **extra}
    return client.post(f"{preview_url(lab, student)}/request", data=data)


def requested(client, login_as, lab, cutoff=CUTOFF) -> StatementRequest:
    login_as(lab["zoe"])
    response = ask(client, lab, cutoff)
    assert response.status_code == 302, response.get_data(as_text=True)
    sign_out(client)
    return requests_made()[-1]


def confirmed(client, login_as, lab, cutoff=CUTOFF) -> StatementRequest:
    made = requested(client, login_as, lab, cutoff)
    login_as(lab["supervisor"])
    assert client.post(f"/statements/requests/{made.id}/confirm").status_code == 302
    sign_out(client)
    return made


def issued(client, login_as, lab, by="wijkdocent", cutoff=CUTOFF) -> Statement:
    """Request, confirm and issue a statement through the pages, then sign out again."""
    made = confirmed(client, login_as, lab, cutoff)
    login_as(lab[by])
    response = client.post(f"/statements/requests/{made.id}/issue")
    assert response.status_code == 302
    sign_out(client)
    return statements()[-1]


def flat(html: str) -> str:
    """The page text without tags, with white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


@pytest.fixture
def anonymous(app):
    return app.test_client()


# --- the flow --------------------------------------------------------------------------------


def test_the_student_requests_the_supervisor_confirms_and_the_wijkdocent_issues(
    lab, client, login_as
):
    login_as(lab["zoe"])
    response = ask(client, lab, note="Voor mijn BPV-dossier")
    [made] = requests_made()
    assert response.headers["Location"] == f"/statements/requests/{made.id}"
    assert (made.status, made.cutoff_date, made.note) == (
        RequestStatus.PENDING,
        CUTOFF,
        "Voor mijn BPV-dossier",
    )
    assert statements() == []
    login_as(lab["supervisor"])
    assert client.post(f"/statements/requests/{made.id}/confirm").status_code == 302
    assert made.confirmed_by_id == lab["supervisor"].id and made.confirmed_at is not None
    login_as(lab["wijkdocent"])
    response = client.post(f"/statements/requests/{made.id}/issue")
    [statement] = statements()
    assert response.headers["Location"] == f"/statements/{statement.id}"
    assert made.status == RequestStatus.ISSUED and made.decided_by_id == lab["wijkdocent"].id
    assert statement.request_id == made.id and statement.cutoff_date == CUTOFF
    assert statement.issued_by_id == lab["wijkdocent"].id
    assert statement.confirmed_by_id == lab["supervisor"].id
    assert len(statement.code) == 16 and set(statement.code) <= set(services.ALPHABET)
    content = services.load_content(statement)
    assert content["issued_by"] == {"name": lab["wijkdocent"].name, "role": "wijkdocent"}
    assert content["confirmed_by"]["name"] == "Petra de Vries"
    assert content["cutoff"] == "2026-11-27"


def test_an_admin_issues_on_behalf_of_the_school(lab, client, login_as):
    statement = issued(client, login_as, lab, by="admin")
    assert statement.issued_by_id == lab["admin"].id
    assert services.load_content(statement)["issued_by"]["role"] == "admin"


def test_the_wijkdocent_cannot_issue_before_the_supervisor_confirms(lab, client, login_as):
    made = requested(client, login_as, lab)
    login_as(lab["wijkdocent"])
    response = client.post(f"/statements/requests/{made.id}/issue", follow_redirects=True)
    assert "De werkbegeleider heeft het praktijkdeel nog niet bevestigd." in response.get_data(
        as_text=True
    )
    assert statements() == [] and made.status == RequestStatus.PENDING


def test_the_wijkdocent_returns_a_request_with_a_reason_and_the_student_may_ask_again(
    lab, client, login_as
):
    made = requested(client, login_as, lab)
    login_as(lab["wijkdocent"])
    response = client.post(
        f"/statements/requests/{made.id}/return", data={"reason": "Eerst je uren bijwerken"}
    )
    assert response.status_code == 302
    assert made.status == RequestStatus.RETURNED
    assert made.return_reason == "Eerst je uren bijwerken"
    login_as(lab["zoe"])
    page = flat(client.get(f"/statements/requests/{made.id}").get_data(as_text=True))
    assert "teruggegeven" in page and "Eerst je uren bijwerken" in page
    assert ask(client, lab).status_code == 302
    assert [r.status for r in requests_made()] == [RequestStatus.RETURNED, RequestStatus.PENDING]


def test_returning_without_a_reason_keeps_the_request_pending(lab, client, login_as):
    made = requested(client, login_as, lab)
    login_as(lab["wijkdocent"])
    response = client.post(f"/statements/requests/{made.id}/return", data={"reason": "  "})
    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.get_data(as_text=True)
    assert made.status == RequestStatus.PENDING


def test_a_decided_request_cannot_be_issued_or_returned_again(lab, client, login_as):
    statement = issued(client, login_as, lab)
    login_as(lab["wijkdocent"])
    response = client.post(
        f"/statements/requests/{statement.request_id}/issue", follow_redirects=True
    )
    assert "Over deze aanvraag is al besloten." in response.get_data(as_text=True)
    response = client.post(
        f"/statements/requests/{statement.request_id}/return", data={"reason": "Toch niet"}
    )
    assert response.status_code == 400
    assert len(statements()) == 1
    assert db.session.get(StatementRequest, statement.request_id).status == RequestStatus.ISSUED


def test_the_student_withdraws_a_pending_request(lab, client, login_as):
    made = requested(client, login_as, lab)
    login_as(lab["zoe"])
    assert client.post(f"/statements/requests/{made.id}/withdraw").status_code == 302
    assert made.status == RequestStatus.WITHDRAWN


def test_everyone_involved_hears_of_each_step(lab, client, login_as):
    from wijklab.activity.models import Notification

    issued(client, login_as, lab)
    kinds = {
        (n.user_id, n.kind)
        for n in db.session.scalars(
            select(Notification).where(Notification.kind.like("statement%"))
        )
    }
    assert (lab["supervisor"].id, "statement_requested") in kinds
    assert (lab["wijkdocent"].id, "statement_requested") in kinds
    assert (lab["wijkdocent"].id, "statement_confirmed") in kinds
    assert (lab["zoe"].id, "statement_issued") in kinds
    assert (lab["supervisor"].id, "statement_issued") in kinds
    assert (lab["wijkdocent"].id, "statement_issued") not in kinds  # the issuer knows


# --- bad input: a clear message, and nothing changes ------------------------------------------


@pytest.mark.parametrize(
    ("cutoff", "message"),
    [
        (date(2026, 11, 29), "De stand-per-datum kan niet in de toekomst liggen."),
        (date(2026, 8, 31), "De stand-per-datum ligt vóór het begin in dit team"),
        ("", "Vul een geldige datum in."),
        ("27-11-2026x", "Ongeldige datum."),
        ("1999-01-01", "Kies een datum tussen 2000 en 2100."),
    ],
)
def test_a_request_with_a_bad_cutoff_says_why_and_changes_nothing(
    lab, client, login_as, cutoff, message
):
    login_as(lab["zoe"])
    response = ask(client, lab, cutoff)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert requests_made() == []


def test_a_request_keeps_what_was_typed_after_an_error(lab, client, login_as):
    login_as(lab["zoe"])
    response = ask(client, lab, date(2026, 12, 5), note="Mijn toelichting")
    html = response.get_data(as_text=True)
    assert 'value="2026-12-05"' in html and "Mijn toelichting" in html


def test_a_request_with_an_over_long_note_is_refused(lab, client, login_as):
    login_as(lab["zoe"])
    response = ask(client, lab, note="x" * 1001)
    assert response.status_code == 400
    assert requests_made() == []


def test_a_request_without_an_accepted_start_agreement_is_refused(lab, client, login_as):
    agreement = agreement_services.find_agreement(lab["team"], lab["zoe"])
    data = agreement_data(focuses="Gesprekken leiden\nVerslag schrijven")
    agreement_services.change_agreement(agreement, data, by=lab["zoe"], version=agreement.version)
    db.session.commit()
    assert agreement.accepted_at is None
    login_as(lab["zoe"])
    response = ask(client, lab)
    assert response.status_code == 400
    assert "Er is nog geen startafspraak" in response.get_data(as_text=True)
    assert requests_made() == []


def test_issuing_after_the_agreement_changed_is_refused(lab, client, login_as):
    made = confirmed(client, login_as, lab)
    agreement = agreement_services.find_agreement(lab["team"], lab["zoe"])
    data = agreement_data(focuses="Gesprekken leiden\nVerslag schrijven")
    agreement_services.change_agreement(agreement, data, by=lab["zoe"], version=agreement.version)
    db.session.commit()
    login_as(lab["wijkdocent"])
    response = client.post(f"/statements/requests/{made.id}/issue", follow_redirects=True)
    assert "Er is nog geen startafspraak" in response.get_data(as_text=True)
    assert statements() == [] and made.status == RequestStatus.PENDING


def test_a_second_request_while_one_is_pending_is_refused(lab, client, login_as):
    requested(client, login_as, lab)
    login_as(lab["zoe"])
    assert "Lopende aanvraag" in client.get(preview_url(lab)).get_data(as_text=True)
    response = ask(client, lab, date(2026, 11, 20))
    assert response.status_code == 400
    assert "Er loopt al een aanvraag" in response.get_data(as_text=True)
    assert len(requests_made()) == 1


def test_a_student_who_left_the_team_cannot_request(lab, client, login_as):
    membership = next(m for m in lab["team"].memberships if m.student_id == lab["zoe"].id)
    membership.left_on = date(2026, 11, 1)
    db.session.commit()
    login_as(lab["zoe"])
    response = ask(client, lab, date(2026, 10, 30))
    assert response.status_code == 400
    assert "Je bent uit dit team vertrokken" in response.get_data(as_text=True)
    assert requests_made() == []


def test_a_statement_is_never_edited_or_deleted_through_any_url(lab, client, login_as):
    statement = issued(client, login_as, lab)
    login_as(lab["admin"])
    for method in (client.post, client.put, client.delete):
        assert method(f"/statements/{statement.id}").status_code == 405
    assert len(statements()) == 1


# --- what the statement says -----------------------------------------------------------------


def test_the_content_counts_verified_work_up_to_the_cutoff_only(lab, client, login_as):
    # A verified task after the cut-off and one on it: only the second counts.
    for day, minutes in ((date(2026, 11, 28), 240), (CUTOFF, 45)):
        task = factories.make_task(
            team=lab["team"],
            participants=[lab["zoe"]],
            minutes=minutes,
            date=day,
            category=Category.STUDY_ASSIGNMENT,
            title=f"Studieopdracht {day}",
        )
        verified(task, lab["supervisor"])
    content, basis = services.statement_content(lab["team"], lab["zoe"], CUTOFF)
    hours = content["hours"]
    # 90 + 60 collective, 30 individual support, 45 study assignment
    assert (hours["collective_minutes"], hours["study_minutes"], hours["individual_minutes"]) == (
        150,
        45,
        30,
    )
    assert hours["total_minutes"] == 225
    assert hours["agreed_minutes"] == AGREED_HOURS * 60
    assert [(w["week"], w["minutes"]) for w in hours["by_week"]] == [(41, 150), (42, 30), (48, 45)]
    assert content["period"] == {"start": "2026-09-01", "end": "2026-11-27"}
    assert len(basis["participations"]) == 4 and len(basis["sign_offs"]) == 1
    [goal] = content["goals"]
    assert goal["codes"] == ["B1-K1-W2", "B1-K2"]
    assert {i["code"] for i in goal["items"]} == {"B1-K1-W2", "B1-K2"}
    assert content["agreement"]["accepted_at"].startswith("2026-11-28")
    assert content["coverage"]["covered"] >= 1


def test_a_sign_off_after_the_cutoff_does_not_count(lab):
    content, basis = services.statement_content(lab["team"], lab["zoe"], date(2026, 11, 19))
    assert content["goals"] == [] and basis["sign_offs"] == []


def test_agreed_hours_come_from_the_accepted_start_agreement(lab):
    profile = lab["zoe"].student_profile
    assert profile.agreed_bpv_hours == AGREED_HOURS  # acceptance replaced the typed hours
    profile.agreed_bpv_hours = 999
    db.session.commit()
    content, _ = services.statement_content(lab["team"], lab["zoe"], CUTOFF)
    assert content["hours"]["agreed_minutes"] == AGREED_HOURS * 60


HOURS = [
    "3,0 uur in totaal: 2,5 uur collectief werk, 0,0 uur studieopdrachten en 0,5 uur"
    " individuele ondersteuning.",
    "Afgesproken BPV-uren: 320,0 uur; 1% daarvan is goedgekeurd.",
    "Bewonersactiviteit 1,5",
    "Netwerk en samenwerking 1,0",
    "Individuele ondersteuning (cliëntgericht) 0,5",
    "2026 week 41 2,5",
    "2026 week 42 0,5",
]
GOAL = [GOAL_TITLE, "B1-K1-W2", STATEMENT_TEXT, "Afgetekend door Petra de Vries op 20 nov. 2026"]
NOT_COUNTED = ["Informatie en advies", "Wijkonderzoek", "week 43", *NOT_COUNTED_GOALS]


def test_the_preview_shows_verified_hours_and_signed_off_goals_only(lab, client, login_as):
    login_as(lab["zoe"])
    response = client.get(preview_url(lab))
    assert response.status_code == 200
    text = flat(response.get_data(as_text=True))
    for expected in [*HOURS, *GOAL, "Zoë van den Berg", "ROC Mondriaan", "Team Noord"]:
        assert expected in text
    for absent in NOT_COUNTED:
        assert absent not in text
    assert statements() == []


def test_the_statement_page_names_who_confirmed_and_who_issued(lab, client, login_as):
    statement = issued(client, login_as, lab)
    login_as(lab["zoe"])
    text = flat(client.get(f"/statements/{statement.id}").get_data(as_text=True))
    for expected in [
        *HOURS,
        *GOAL,
        "Praktijkdeel bevestigd door Petra de Vries, Buurtwerk Noord",
        f"{lab['wijkdocent'].name} namens ROC Mondriaan",
        services.display_code(statement.code),
        statement.fingerprint,
        "geldig per 27 nov. 2026",
        "Startafspraak geaccepteerd op 28 nov. 2026",
        "Stand per 27 nov. 2026",
    ]:
        assert expected in text, expected


def test_the_fingerprint_is_the_sha256_of_the_frozen_content(lab, client, login_as):
    statement = issued(client, login_as, lab)
    canonical = json.dumps(
        json.loads(statement.content), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert statement.fingerprint == hashlib.sha256(canonical.encode()).hexdigest()
    # Any change of the content gives another fingerprint.
    changed = json.loads(statement.content)
    changed["hours"]["total_minutes"] += 60
    assert services.fingerprint(changed) != statement.fingerprint


def test_the_issued_content_stays_frozen_after_later_work(lab, client, login_as):
    statement = issued(client, login_as, lab)
    before = statement.content
    task_services.verify_task(lab["pending"], by=lab["supervisor"], on_behalf=False)
    db.session.commit()
    login_as(lab["zoe"])
    text = flat(client.get(f"/statements/{statement.id}").get_data(as_text=True))
    assert "3,0 uur in totaal" in text and "Informatie en advies" not in text
    assert db.session.get(Statement, statement.id).content == before


def test_the_pdf_is_signed_and_shows_hours_goals_people_code_and_fingerprint(lab, client, login_as):
    statement = issued(client, login_as, lab)
    login_as(lab["zoe"])
    response = client.get(f"/statements/{statement.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    text = pdf_text(data)
    for expected in [
        "Zoë van den Berg",
        "stand per 27 nov. 2026",
        "waarvan studieopdrachten",
        "Afgesproken BPV-uren in de startafspraak: 320,0 uur",
        GOAL_TITLE,
        "B1-K1-W2",
        "Petra de Vries, Buurtwerk Noord",
        "namens ROC Mondriaan",
        services.display_code(statement.code),
        statement.fingerprint,
    ]:
        assert expected in text, expected
    from pyhanko.pdf_utils.reader import PdfFileReader

    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert signature.field_name


# --- status in plain words --------------------------------------------------------------------


def revoke_the_sign_off(lab):
    goal_services.transition(
        lab["goal"], "reopen", by=lab["supervisor"], reason="Verkeerde taak als bewijs"
    )


def edit_a_verified_task(lab):
    task = lab["meal"]
    data = task_services.TaskData(
        date=task.date,
        title=task.title,
        category=task.category,
        description="Met foto's van de avond.",
        participants=[
            task_services.Participant(p.student_id, p.minutes, p.role) for p in task.participations
        ],
    )
    task_services.edit_task(task, data, by=lab["zoe"], version=task.version, today=TODAY)
    assert task.status == TaskStatus.PENDING


FRAUD_WORDS = ("vervals", "ongeldig", "fraude", "nep", "verouderd")


def test_a_fresh_statement_is_genuine_and_valid_as_of_its_cutoff(lab, client, login_as, anonymous):
    statement = issued(client, login_as, lab)
    text = flat(anonymous.get(f"/verify/{statement.code}").get_data(as_text=True))
    assert "Echt en geldig per 27 nov. 2026" in text
    assert "Alles wat deze verklaring telt, staat nog steeds." in text


def test_later_work_and_a_task_before_the_cutoff_approved_after_it_keep_it_valid(
    lab, client, login_as, anonymous
):
    statement = issued(client, login_as, lab)
    # The pending task of 19 October (before the cut-off) is approved after issuing.
    task_services.verify_task(lab["pending"], by=lab["supervisor"], on_behalf=False)
    later = factories.make_task(
        team=lab["team"], participants=[lab["zoe"]], minutes=60, date=date(2026, 11, 28)
    )
    verified(later, lab["supervisor"])
    text = flat(anonymous.get(f"/verify/{statement.code}").get_data(as_text=True))
    assert "Echt en geldig per 27 nov. 2026" in text
    assert not any(word in text.lower() for word in FRAUD_WORDS)
    assert services.standing(statement).holds


def test_a_revoked_sign_off_says_which_part_no_longer_holds(lab, client, login_as, anonymous):
    statement = issued(client, login_as, lab)
    revoke_the_sign_off(lab)
    db.session.commit()
    text = flat(anonymous.get(f"/verify/{statement.code}").get_data(as_text=True))
    assert "Echt, maar een deel geldt niet meer" in text
    assert "De aftekening van een leerdoel met B1-K1-W2, B1-K2 is ingetrokken." in text
    assert "De rest van de verklaring blijft geldig." in text
    assert GOAL_TITLE not in text  # the public page names codes, not the student's goals
    assert not any(word in text.lower() for word in FRAUD_WORDS)


def test_a_verified_task_edited_back_to_pending_says_which_hours_no_longer_hold(
    lab, client, login_as, anonymous
):
    statement = issued(client, login_as, lab)
    edit_a_verified_task(lab)
    db.session.commit()
    text = flat(anonymous.get(f"/verify/{statement.code}").get_data(as_text=True))
    assert "Echt, maar een deel geldt niet meer" in text
    assert "1 goedgekeurde taakdeelname (1,5 uur) is niet meer goedgekeurd" in text
    standing = services.standing(statement)
    assert (standing.withdrawn_tasks, standing.withdrawn_minutes) == (1, 90)


def test_a_newer_statement_is_mentioned_and_the_older_one_stays_valid(
    lab, client, login_as, anonymous
):
    older = issued(client, login_as, lab, cutoff=date(2026, 11, 1))
    newer = issued(client, login_as, lab, cutoff=CUTOFF)
    text = flat(anonymous.get(f"/verify/{older.code}").get_data(as_text=True))
    assert "Echt en geldig per 1 nov. 2026" in text
    newer_text = "Er is een nieuwere verklaring voor deze student in dit team, met stand per 27"
    assert newer_text in text
    assert "nieuwere" not in flat(anonymous.get(f"/verify/{newer.code}").get_data(as_text=True))


def test_a_statement_from_before_requests_is_shown_as_genuine_without_a_withdrawal_check(
    lab, anonymous
):
    content = {
        "student": {"name": "Zoë van den Berg", "school": "ROC Mondriaan"},
        "team": {"name": "Team Noord", "project": "Buurtkamer Noord"},
        "supervisor": {"name": "Petra de Vries"},
        "period": {"start": "2026-09-01", "end": "2027-06-30"},
        "hours": {"total_minutes": 180, "collective_minutes": 150, "individual_minutes": 30},
        "goals": [],
        "code": "7KQ0-M9XD-PA4R-TW3H",
        "verify_url": "http://localhost/verify/7KQ0M9XDPA4RTW3H",
        "issued_at": "2026-10-01T10:00:00+00:00",
        "issued_by": "Petra de Vries",
    }
    statement = Statement(
        code=FIXED_CODE,
        student_id=lab["zoe"].id,
        team_id=lab["team"].id,
        fingerprint="0" * 64,
        content=json.dumps(content),
        issued_at=datetime(2026, 10, 1, 10, tzinfo=UTC),
    )
    db.session.add(statement)
    db.session.commit()
    response = anonymous.get(f"/verify/{FIXED_CODE}")
    assert response.status_code == 200
    text = flat(response.get_data(as_text=True))
    assert "Echt" in text and "eerdere versie van wijklab" in text
    assert "3,0 uur" in text


# --- public verification ---------------------------------------------------------------------


def test_verify_shows_the_figures_that_prove_the_content(lab, client, login_as, anonymous):
    statement = issued(client, login_as, lab)
    text = flat(anonymous.get(f"/verify/{statement.code}").get_data(as_text=True))
    for expected in [
        "Student Zoë van den Berg",
        "School ROC Mondriaan",
        "Project Buurtkamer Noord Team Team Noord",
        "Periode 1 sep. 2026 – 27 nov. 2026",
        "Stand per 27 nov. 2026",
        "Goedgekeurde uren 3,0 uur",
        "collectief werk: 2,5 uur",
        "studieopdrachten: 0,0 uur",
        "individuele ondersteuning: 0,5 uur",
        "Afgesproken BPV-uren 320,0 uur",
        "Afgetekende leerdoelen 1 (B1-K1-W2, B1-K2)",
        "Praktijkdeel bevestigd door Petra de Vries op",
        f"{lab['wijkdocent'].name} namens ROC Mondriaan",
        statement.fingerprint,
    ]:
        assert expected in text, expected
    # Not the student's own words, goal titles or the activities.
    for secret in (GOAL_TITLE, STATEMENT_TEXT, "Bewonersactiviteit", "Schilderswijk"):
        assert secret not in text


@pytest.fixture
def fixed_code(monkeypatch):
    """Issue the next statement under a known code with a 0 in it."""
    monkeypatch.setattr(services, "new_code", lambda: FIXED_CODE)


@pytest.mark.parametrize(
    "typed",
    [
        FIXED_CODE.lower(),
        "7KQ0-M9XD-PA4R-TW3H",
        "7KQ0 M9XD PA4R TW3H",
        " 7KQO-M9XD-PA4R-TW3H ",
        "7kqo m9xd-pa4r tw3h",
    ],
)
def test_verify_accepts_lower_case_dashes_spaces_and_o_for_zero(
    lab, client, login_as, anonymous, fixed_code, typed
):
    statement = issued(client, login_as, lab)
    assert statement.code == FIXED_CODE
    for url in (f"/verify/{quote(typed)}", f"/verify?code={quote(typed)}"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert 'value="7KQ0-M9XD-PA4R-TW3H"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed",
    ["7KQ0M9XDPA4RTW3J", "7KQ0M9XDPA4RTW3", "7KQ0M9XDPA4RTW3U", "abc", "'; DROP TABLE x; --"],
)
def test_verify_with_an_unknown_or_malformed_code_gives_404_in_dutch(
    lab, client, login_as, anonymous, fixed_code, typed
):
    issued(client, login_as, lab)
    response = anonymous.get(f"/verify/{quote(typed)}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert NOT_FOUND in html and "Zoë" not in html


def test_the_verify_form_without_a_code_asks_for_one(anonymous):
    response = anonymous.get("/verify")
    assert response.status_code == 200
    assert "Vul de verificatiecode in" in response.get_data(as_text=True)


def test_verify_is_never_cached(lab, client, login_as, anonymous):
    statement = issued(client, login_as, lab)
    assert anonymous.get(f"/verify/{statement.code}").headers["Cache-Control"] == "no-store"


@pytest.fixture
def limited_app(app):
    app.config["VERIFY_RATE_LIMIT"] = "5 per minute"
    limiter.reset()
    yield app
    limiter.reset()


def test_verify_answers_429_after_the_rate_limit(lab, client, login_as, limited_app, anonymous):
    statement = issued(client, login_as, lab)
    codes = [statement.code] + [f"GEEN{n:012d}" for n in range(1, 5)]
    assert [anonymous.get(f"/verify/{code}").status_code for code in codes] == [200] + [404] * 4
    response = anonymous.get(f"/verify/{statement.code}")
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)
    other = anonymous.get(f"/verify/{statement.code}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


# --- codes -----------------------------------------------------------------------------------


def test_the_alphabet_is_crockford_base32():
    assert len(services.ALPHABET) == len(set(services.ALPHABET)) == 32
    assert set(services.ALPHABET) == set(string.digits + string.ascii_uppercase) - set("ILOU")


def test_a_thousand_new_codes_are_distinct_and_use_only_the_alphabet():
    codes = [services.new_code() for _ in range(1000)]
    assert len(set(codes)) == 1000
    assert all(len(code) == 16 and set(code) <= set(services.ALPHABET) for code in codes)
    # 16 characters of 5 bits: 80 bits. Over 16,000 characters every one of the 32 shows up.
    assert set("".join(codes)) == set(services.ALPHABET)


def test_a_code_is_drawn_from_the_secrets_module(monkeypatch):
    calls = []

    def choice(sequence):
        calls.append(sequence)
        return sequence[len(calls) % len(sequence)]

    monkeypatch.setattr(services.secrets, "choice", choice)
    code = services.new_code()
    assert len(calls) == 16 and all(seq == services.ALPHABET for seq in calls)
    assert code == "".join(services.ALPHABET[n % 32] for n in range(1, 17))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7kq0-m9xd-pa4r-tw3h", FIXED_CODE),
        (" 7KQO M9XD\tPA4R-TW3H ", FIXED_CODE),
        ("1111-IIII-LLLL-iiii", "1" * 16),
        ("7KQ0M9XDPA4RTW3U", None),
        ("7KQ0M9XDPA4RTW3", None),
        ("", None),
    ],
)
def test_normalise_code(typed, expected):
    assert services.normalise_code(typed) == expected
