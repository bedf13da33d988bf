"""Practical-training statements through the test client: issuing, what the preview, the page and
the PDF say, public verification (only the bare facts, current or outdated, typo-tolerant codes,
a rate limit), unguessable codes, and who may see and issue a statement."""

from __future__ import annotations

import io
import re
import string
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests import factories
from wijklab.extensions import db, limiter
from wijklab.goals import services as goal_services
from wijklab.goals.models import GoalStatus
from wijklab.projects.models import ProjectStatus
from wijklab.statements import services
from wijklab.statements.models import Statement
from wijklab.tasks import services as task_services
from wijklab.tasks.models import Category, TaskStatus

STATEMENT_TEXT = "Zoë bereidde de bewonersavond zelfstandig voor en leidde het gesprek."
GOAL_TITLE = "Ik leid een bewonersbijeenkomst"
NOT_COUNTED_GOALS = ["Concept: ik schrijf een plan", "Actief: ik voer huisbezoeken uit"]
SIGNED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)
FIXED_CODE = "7KQ0M9XDPA4RTW3H"
NOT_FOUND = "Er is geen verklaring met deze code."


def verified(task, by) -> None:
    task.status = TaskStatus.VERIFIED
    task.verified_by = by
    task.verified_at = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    db.session.commit()


@pytest.fixture
def lab(app, admin, wijkdocent, supervisor, student):
    """Zoë (the ``student`` fixture) in "Team Noord" of the wijkdocent's project, supervised by
    Petra: three verified tasks (3 hours in weeks 41 and 42), a pending and a returned one, one
    signed-off goal and a draft and an active goal. Around them: a teammate, a student, a
    supervisor and a wijkdocent of another project, and a student who was never in the team."""
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


def issue(client, lab, student="zoe"):
    return client.post(preview_url(lab, student))


def statements() -> list[Statement]:
    return list(db.session.scalars(select(Statement).order_by(Statement.id)))


def issued(client, login_as, lab, by="supervisor") -> Statement:
    """Issue a statement as ``by`` through the page and sign out again."""
    login_as(lab[by])
    response = issue(client, lab)
    assert response.status_code == 302
    with client.session_transaction() as session:
        session.clear()
    return statements()[-1]


def flat(html: str) -> str:
    """The page text without tags, with white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


# --- issuing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["zoe", "supervisor", "wijkdocent", "admin"])
def test_issuing_creates_one_statement_with_a_crockford_code(lab, client, login_as, by):
    login_as(lab[by])
    response = issue(client, lab)
    assert response.status_code == 302
    [statement] = statements()
    assert response.headers["Location"] == f"/statements/{statement.id}"
    assert len(statement.code) == 16
    assert set(statement.code) <= set(services.ALPHABET)
    assert (statement.student_id, statement.team_id) == (lab["zoe"].id, lab["team"].id)
    assert statement.issued_by_id == lab[by].id
    assert services.is_current(statement)


def test_issuing_tells_the_code_in_a_flash(lab, client, login_as):
    login_as(lab["supervisor"])
    response = client.post(preview_url(lab), follow_redirects=True)
    [statement] = statements()
    assert response.status_code == 200
    code = services.display_code(statement.code)
    assert f"Praktijkverklaring uitgegeven met verificatiecode {code}." in response.get_data(
        as_text=True
    )


def test_issuing_twice_gives_two_statements_with_their_own_codes(lab, client, login_as):
    login_as(lab["supervisor"])
    assert issue(client, lab).status_code == 302
    assert issue(client, lab).status_code == 302
    first, second = statements()
    assert first.code != second.code
    assert first.fingerprint == second.fingerprint


def test_after_a_change_the_older_statement_is_outdated_on_the_preview(lab, client, login_as):
    login_as(lab["supervisor"])
    issue(client, lab)
    task_services.verify_task(lab["pending"], by=lab["supervisor"], on_behalf=False)
    db.session.commit()
    issue(client, lab)
    older, newer = statements()
    html = client.get(preview_url(lab)).get_data(as_text=True)
    items = re.findall(r'<li class="card"><a href="/statements/(\d+)">(.*?)</li>', html, re.S)
    badges = {int(statement_id): flat(item).split()[-1] for statement_id, item in items}
    assert badges == {older.id: "verouderd", newer.id: "actueel"}


# --- what the statement says -----------------------------------------------------------------

HOURS = [
    "3,0 uur in totaal: 2,5 uur collectief en 0,5 uur individueel.",
    "Bewonersactiviteit 1,5",
    "Netwerk en samenwerking 1,0",
    "Individuele ondersteuning (cliëntgericht) 0,5",
    "2026 week 41 2,5",
    "2026 week 42 0,5",
]
GOAL = [
    GOAL_TITLE,
    "Kwalificatiecodes: B1-K1-W2, B1-K2",
    STATEMENT_TEXT,
    "Afgetekend door Petra de Vries op 20 nov. 2026",
]
# The pending task (information, 10 hours, week 43) and the returned one (research, 7 hours).
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


def test_the_statement_page_shows_the_content_the_signer_and_the_code(lab, client, login_as):
    statement = issued(client, login_as, lab, by="wijkdocent")
    login_as(lab["zoe"])
    response = client.get(f"/statements/{statement.id}")
    assert response.status_code == 200
    text = flat(response.get_data(as_text=True))
    for expected in [*HOURS, *GOAL]:
        assert expected in text
    for absent in NOT_COUNTED:
        assert absent not in text
    assert f"Verificatiecode: {services.display_code(statement.code)}" in text
    assert "door Marloes Docent." in text
    assert f"https://wijklab.example.org/verify/{statement.code}" in text
    assert "Deze verklaring is actueel" in text
    # Many teams are called "Team 1": the team is named under its project.
    assert "Project Buurtkamer Noord Team Team Noord" in text
    assert "Alle verklaringen van Zoë van den Berg in Team Noord · Buurtkamer Noord" in text


def test_the_pdf_shows_hours_goals_signer_and_code(lab, client, login_as):
    statement = issued(client, login_as, lab)
    login_as(lab["zoe"])
    response = client.get(f"/statements/{statement.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="praktijkverklaring-{statement.code}.pdf"'
    )
    text = pdf_text(response.get_data())
    for expected in (
        "Zoë van den Berg",
        "ROC Mondriaan",
        "Project Buurtkamer Noord Team Team Noord",
        "Bewonersactiviteit 1,5",
        "Netwerk en samenwerking 1,0",
        "Individuele ondersteuning (cliëntgericht) 0,5",
        "Totaal 3,0",
        "2026 week 41 2,5",
        "2026 week 42 0,5",
        GOAL_TITLE,
        "Codes: B1-K1-W2, B1-K2",
        STATEMENT_TEXT,
        "Afgetekend door Petra de Vries op 20 nov. 2026",
        services.display_code(statement.code),
    ):
        assert expected in text
    for absent in NOT_COUNTED:
        assert absent.replace("week", "wk") not in text


def test_the_issued_content_stays_frozen_after_a_change(lab, client, login_as):
    statement = issued(client, login_as, lab)
    task_services.verify_task(lab["pending"], by=lab["supervisor"], on_behalf=False)
    db.session.commit()
    login_as(lab["zoe"])
    text = flat(client.get(f"/statements/{statement.id}").get_data(as_text=True))
    assert "3,0 uur in totaal" in text and "Informatie en advies" not in text
    assert "Deze verklaring is verouderd" in text
    preview = flat(client.get(preview_url(lab)).get_data(as_text=True))
    assert "13,0 uur in totaal" in preview and "Informatie en advies 10,0" in preview


# --- public verification ---------------------------------------------------------------------


@pytest.fixture
def anonymous(app):
    return app.test_client()


def test_verify_says_genuine_and_current_for_a_fresh_statement(lab, client, login_as, anonymous):
    statement = issued(client, login_as, lab)
    response = anonymous.get(f"/verify/{statement.code}")
    assert response.status_code == 200
    text = flat(response.get_data(as_text=True))
    assert "Echt en actueel" in text
    assert "verouderd" not in text


def test_verify_shows_only_the_name_the_project_and_team_the_period_and_the_validity(
    lab, client, login_as, anonymous
):
    statement = issued(client, login_as, lab)
    html = anonymous.get(f"/verify/{statement.code}").get_data(as_text=True)
    text = flat(html)
    assert "Student Zoë van den Berg" in text
    # Many teams are called "Team 1": the project says which one.
    assert "Project Buurtkamer Noord Team Team Noord" in text
    assert "Periode 1 sep. 2026 – 30 jun. 2027" in text
    assert "Geldigheid actueel" in text
    for secret in (
        "3,0",
        "1,5",
        "uur",
        "Bewonersactiviteit",
        GOAL_TITLE,
        "B1-K1-W2",
        "ROC Mondriaan",
        "Petra de Vries",
        STATEMENT_TEXT,
        "Zoë bereidde",
        "Buurtwerk Noord",
        "Schilderswijk",
        "Sociaal werk",
    ):
        # As a word: the project's name ("Buurtkamer") holds "uur" and is shown.
        assert not re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", html), secret


def reopen_the_goal(lab):
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


def verify_another_task(lab):
    task_services.verify_task(lab["pending"], by=lab["supervisor"], on_behalf=False)


@pytest.mark.parametrize(
    "change", [reopen_the_goal, edit_a_verified_task, verify_another_task], ids=lambda f: f.__name__
)
def test_verify_says_outdated_after_a_change(lab, client, login_as, anonymous, change):
    statement = issued(client, login_as, lab)
    assert "Echt en actueel" in anonymous.get(f"/verify/{statement.code}").get_data(as_text=True)
    change(lab)
    db.session.commit()
    response = anonymous.get(f"/verify/{statement.code}")
    assert response.status_code == 200
    text = flat(response.get_data(as_text=True))
    assert "Echt, maar verouderd" in text and "Geldigheid verouderd" in text
    assert "Echt en actueel" not in text
    assert not services.is_current(statement)


@pytest.fixture
def fixed_code(monkeypatch):
    """Issue the next statement under a known code with a 0 in it."""
    monkeypatch.setattr(services, "new_code", lambda: FIXED_CODE)


@pytest.mark.parametrize(
    "typed",
    [
        FIXED_CODE,
        FIXED_CODE.lower(),
        "7KQ0-M9XD-PA4R-TW3H",
        "7kq0-m9xd-pa4r-tw3h",
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
        text = flat(response.get_data(as_text=True))
        assert "Echt en actueel" in text
        assert 'value="7KQ0-M9XD-PA4R-TW3H"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed",
    [
        "7KQ0M9XDPA4RTW3J",  # well formed, but no statement has it
        "7KQ0M9XDPA4RTW3",  # one short
        "7KQ0M9XDPA4RTW3HH",  # one too many
        "7KQ0M9XDPA4RTW3U",  # U is not in the alphabet
        "abc",
        "'; DROP TABLE statement; --",
    ],
)
def test_verify_with_an_unknown_or_malformed_code_gives_404_in_dutch(
    lab, client, login_as, anonymous, fixed_code, typed
):
    issued(client, login_as, lab)
    response = anonymous.get(f"/verify/{quote(typed)}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert NOT_FOUND in html
    assert "Echt" not in html and "Zoë" not in html
    assert db.session.scalar(select(func.count(Statement.id))) == 1


def test_the_verify_form_without_a_code_asks_for_one(anonymous):
    response = anonymous.get("/verify")
    assert response.status_code == 200
    assert "Vul de verificatiecode in" in response.get_data(as_text=True)


@pytest.fixture
def limited_app(app):
    app.config["VERIFY_RATE_LIMIT"] = "5 per minute"
    limiter.reset()
    yield app
    limiter.reset()


def test_verify_answers_429_after_the_rate_limit(lab, client, login_as, limited_app, anonymous):
    statement = issued(client, login_as, lab)
    # The real code is found (200), four made-up ones are not (404): all five count.
    codes = [statement.code] + [f"GEEN{n:012d}" for n in range(1, 5)]
    assert [anonymous.get(f"/verify/{code}").status_code for code in codes] == [200] + [404] * 4
    response = anonymous.get(f"/verify/{statement.code}")
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)
    assert anonymous.get(f"/verify?code={statement.code}").status_code == 429
    # The limit is per address: someone else still gets an answer.
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


# --- who may see and issue -------------------------------------------------------------------

ALLOWED = ["zoe", "supervisor", "wijkdocent", "admin"]
REFUSED = {"teammate": 404, "other_student": 404, "other_supervisor": 404, "other_docent": 403}


@pytest.mark.parametrize("who", ALLOWED)
def test_those_involved_see_the_preview(lab, client, login_as, who):
    login_as(lab[who])
    response = client.get(preview_url(lab))
    assert response.status_code == 200
    assert "Verklaring uitgeven" in response.get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), REFUSED.items())
def test_others_get_no_preview_and_issue_nothing(lab, client, login_as, who, status):
    login_as(lab[who])
    assert client.get(preview_url(lab)).status_code == status
    assert issue(client, lab).status_code == status
    assert statements() == []


@pytest.mark.parametrize(("who", "status"), REFUSED.items())
def test_others_do_not_see_an_issued_statement_or_its_pdf(lab, client, login_as, who, status):
    statement = issued(client, login_as, lab)
    login_as(lab[who])
    assert client.get(f"/statements/{statement.id}").status_code == status
    assert client.get(f"/statements/{statement.id}.pdf").status_code == status


@pytest.mark.parametrize("who", ALLOWED)
def test_those_involved_see_an_issued_statement_and_its_pdf(lab, client, login_as, who):
    statement = issued(client, login_as, lab)
    login_as(lab[who])
    assert client.get(f"/statements/{statement.id}").status_code == 200
    assert client.get(f"/statements/{statement.id}.pdf").status_code == 200


@pytest.mark.parametrize("who", ["admin", "wijkdocent", "supervisor", "outsider"])
def test_a_student_who_was_never_in_the_team_gives_404_for_everyone(lab, client, login_as, who):
    login_as(lab[who])
    assert client.get(preview_url(lab, "outsider")).status_code == 404
    assert issue(client, lab, "outsider").status_code == 404
    assert statements() == []


def test_a_former_member_still_gets_a_statement(lab, client, login_as):
    membership = next(m for m in lab["team"].memberships if m.student_id == lab["zoe"].id)
    membership.left_on = date(2026, 11, 1)
    db.session.commit()
    login_as(lab["supervisor"])
    assert issue(client, lab).status_code == 302
    login_as(lab["zoe"])
    text = flat(client.get(preview_url(lab)).get_data(as_text=True))
    assert "1 sep. 2026 – 1 nov. 2026" in text


def test_an_unknown_team_student_or_statement_gives_404(lab, client, login_as):
    login_as(lab["admin"])
    assert client.get(f"/statements/teams/9999/students/{lab['zoe'].id}").status_code == 404
    assert client.get(f"/statements/teams/{lab['team'].id}/students/9999").status_code == 404
    assert client.get("/statements/9999").status_code == 404
    assert client.get("/statements/9999.pdf").status_code == 404


def test_anonymous_is_sent_to_log_in(lab, client):
    for response in (client.get(preview_url(lab)), issue(client, lab)):
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]
    assert statements() == []


def test_issuing_without_a_csrf_token_is_refused(lab, csrf_app, client, login_as):
    login_as(lab["supervisor"])
    response = issue(client, lab)
    assert response.status_code == 400
    assert statements() == []
    # With the token from the page it works, so the token is what made the difference.
    html = client.get(preview_url(lab)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(preview_url(lab), data={"csrf_token": token})
    assert response.status_code == 302
    assert len(statements()) == 1
