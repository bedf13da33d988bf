"""The export pages end to end: download through the test client, parse the file back (csv with
``;`` after the BOM, openpyxl) and compare every column with the data made here; the filters,
who sees which rows, refused input, formula injection, names and a streamed large export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import func, insert, select

from tests import factories
from wijklab.exports.writers import CSV_ROWS_PER_CHUNK
from wijklab.extensions import db
from wijklab.goals.models import (
    Feedback,
    SignOff,
)
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import Category, ParticipationRole, Task, TaskParticipation, TaskStatus
from wijklab.teams.models import TeamMembership

PARTICIPATION_HEADER = [
    "Student",
    "Studentnummer",
    "Niveau",
    "Project",
    "Team",
    "Datum",
    "Taak",
    "Soort werk",
    "Rol",
    "Minuten",
    "Uren",
    "Status",
    "Goedgekeurd door",
    "Goedgekeurd op",
    "Namens de werkbegeleider",
    "Reflectie",
]
GOAL_HEADER = [
    "Student",
    "Studentnummer",
    "Project",
    "Team",
    "Leerdoel",
    "Kwalificatiecodes",
    "Status",
    "Laatste beoordeling",
    "Afgetekend door",
    "Afgetekend op",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# 6 October 2026 09:30 UTC is 11:30 in Amsterdam (summer time until 25 October).
VERIFIED_AT = datetime(2026, 10, 6, 9, 30, tzinfo=UTC)
# 20 November 2026 10:00 UTC is 11:00 in Amsterdam (winter time).
SIGNED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
REFLECTION = "Goed gesprek met bewoners; volgende keer meer tijd."


# --- data ------------------------------------------------------------------------------------


def task(team, date_, title, category, parts, *, status="pending", by=None, at=None, behalf=False):
    """A task with ``parts``: (student, minutes, role, reflection) for each participant."""
    made = Task(
        team=team,
        author=parts[0][0],
        date=date_,
        title=title,
        category=category,
        status=TaskStatus(status),
        verified_by=by,
        verified_at=at,
        verified_on_behalf=behalf,
    )
    for student, minutes, role, reflection in parts:
        made.participations.append(
            TaskParticipation(student=student, minutes=minutes, role=role, reflection=reflection)
        )
    db.session.add(made)
    db.session.commit()
    return made


def join(team, student):
    db.session.add(TeamMembership(team=team, student=student, joined_on=team.start_date))
    db.session.commit()
    return student


@pytest.fixture
def lab(app, wijkdocent, supervisor, student, admin):
    """Two wijkdocenten' projects with three teams and two supervisors.

    Project "Buurtkamer Noord" (``wijkdocent``): team "Noord" (``supervisor``) with Zoë (mbo) and
    Ayşe (hbo), team "Zuid" (another supervisor) with Yassine. Project "Taalcafé" (another
    wijkdocent): team "Oost" (the other supervisor) with Jesse.
    """
    other_docent = factories.make_user(role="wijkdocent", name="Karin Docent")
    other_supervisor = factories.make_supervisor(name="Henk Jansen")
    ayse = factories.make_student(level="hbo", name="Ayşe Yılmaz")
    yassine = factories.make_student(name="Yassine El Amrani")
    jesse = factories.make_student(name="Jesse de Groot")
    for number, someone in enumerate((student, ayse, yassine, jesse), start=100201):
        someone.student_profile.student_number = str(number)
    noord_project = factories.make_project(
        owner=wijkdocent, title="Buurtkamer Noord", status=ProjectStatus.ACTIVE
    )
    taalcafe = factories.make_project(
        owner=other_docent,
        title="Taalcafé",
        status=ProjectStatus.ACTIVE,
        start_date=date(2027, 1, 4),
        end_date=date(2027, 6, 30),
    )
    noord = factories.make_team(
        project=noord_project, supervisor=supervisor, members=[student, ayse], name="Noord"
    )
    zuid = factories.make_team(
        project=noord_project, supervisor=other_supervisor, members=[yassine], name="Zuid"
    )
    oost = factories.make_team(
        project=taalcafe, supervisor=other_supervisor, members=[jesse], name="Oost"
    )
    meal = task(
        noord,
        date(2026, 10, 5),
        "Buurtmaaltijd",
        Category.RESIDENTS_ACTIVITY,
        [
            (student, 90, ParticipationRole.LEAD, REFLECTION),
            (ayse, 45, ParticipationRole.SUPPORT, ""),
        ],
        status="verified",
        by=supervisor,
        at=VERIFIED_AT,
    )
    network = task(
        noord,
        date(2026, 11, 9),
        "Overleg met de huisarts",
        Category.NETWORK,
        [(student, 60, ParticipationRole.CO_ORGANISER, "")],
        status="verified",
        by=wijkdocent,
        at=datetime(2026, 11, 10, 15, 0, tzinfo=UTC),
        behalf=True,
    )
    survey = task(
        zuid,
        date(2026, 11, 2),
        "Enquête in de Bloemenbuurt",
        Category.RESEARCH,
        [(yassine, 150, ParticipationRole.LEAD, "Veel deuren bleven dicht.")],
    )
    lesson = task(
        oost,
        date(2027, 1, 11),
        "Taalles voor ouders",
        Category.INFORMATION,
        [(jesse, 120, ParticipationRole.SUPPORT, "")],
        status="returned",
    )
    return {
        "admin": admin,
        "wijkdocent": wijkdocent,
        "other_docent": other_docent,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "zoe": student,
        "ayse": ayse,
        "yassine": yassine,
        "jesse": jesse,
        "noord_project": noord_project,
        "taalcafe": taalcafe,
        "noord": noord,
        "zuid": zuid,
        "oost": oost,
        "meal": meal,
        "network": network,
        "survey": survey,
        "lesson": lesson,
    }


@pytest.fixture
def goals(lab):
    """Zoë: a signed-off goal with two codes and ratings, one whose sign-off was revoked, and one
    signed off again after a revocation; Ayşe and Yassine a draft; Jesse an active goal."""
    # Made in this order so that their ids do not follow the order of their codes.
    k2, k1w2 = factories.make_framework_item("B1-K2"), factories.make_framework_item("B1-K1-W2")
    supervisor = lab["supervisor"]
    signed = factories.make_goal(
        team=lab["noord"], student=lab["zoe"], status="signed_off", title="Ik leid een avond"
    )
    signed.framework_items = [k2, k1w2]
    for rating, comment in ((3, "Mooi begin"), (4, "Zelfstandig"), (None, "Goed gedaan!")):
        signed.feedback.append(
            Feedback(author=supervisor, author_role="supervisor", rating=rating, comment=comment)
        )
    signed.sign_offs.append(
        SignOff(signed_by=supervisor, signed_at=SIGNED_AT, statement="Zoë leidde de avond.")
    )
    revoked = factories.make_goal(
        team=lab["noord"], student=lab["zoe"], status="active", title="Ik schrijf een verslag"
    )
    revoked.framework_items = [k2]
    revoked.sign_offs.append(
        SignOff(
            signed_by=supervisor,
            signed_at=SIGNED_AT,
            statement="Te vroeg",
            revoked_by=supervisor,
            revoked_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
            revoke_reason="Verkeerde taak als bewijs",
        )
    )
    again = factories.make_goal(
        team=lab["noord"], student=lab["zoe"], status="signed_off", title="Ik voer een gesprek"
    )
    again.sign_offs.append(
        SignOff(
            signed_by=supervisor,
            signed_at=SIGNED_AT,
            statement="Eerste keer",
            revoked_by=supervisor,
            revoked_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
            revoke_reason="Nog niet zelfstandig",
        )
    )
    again.sign_offs.append(
        SignOff(
            signed_by=lab["wijkdocent"],
            signed_at=datetime(2026, 11, 25, 13, 15, tzinfo=UTC),
            statement="Nu wel",
        )
    )
    factories.make_goal(team=lab["noord"], student=lab["ayse"], title="Ik werk samen")
    factories.make_goal(team=lab["zuid"], student=lab["yassine"], title="Ik doe onderzoek")
    factories.make_goal(
        team=lab["oost"], student=lab["jesse"], status="active", title="Ik geef les"
    )
    db.session.commit()
    return {"signed": signed, "revoked": revoked, "again": again}


# --- helpers ---------------------------------------------------------------------------------


def download(client, **params):
    return client.get("/exports/download", query_string=params)


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def csv_records(response) -> list[dict[str, str]]:
    header, *rows = read_csv(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def read_sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return workbook.worksheets[0]


def sheet_records(response) -> list[dict[str, object]]:
    rows = list(read_sheet(response).iter_rows(values_only=True))
    header, *rows = rows
    return [dict(zip(header, row, strict=True)) for row in rows]


def exported(client, dataset="participations", **params) -> list[dict[str, str]]:
    response = download(client, dataset=dataset, fmt="csv", **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return csv_records(response)


def students_and_tasks(records) -> list[tuple[str, str]]:
    return [(r["Student"], r["Taak"]) for r in records]


# --- every column ----------------------------------------------------------------------------


def test_participation_csv_holds_every_column_of_each_participation(lab, client, login_as):
    login_as(lab["admin"])
    response = download(client, dataset="participations", fmt="csv")
    assert response.status_code == 200
    header, *_rows = read_csv(response)
    assert header == PARTICIPATION_HEADER
    assert csv_records(response) == [
        {
            "Student": "Zoë van den Berg",
            "Studentnummer": "100201",
            "Niveau": "mbo",
            "Project": "Buurtkamer Noord",
            "Team": "Noord",
            "Datum": "2026-10-05",
            "Taak": "Buurtmaaltijd",
            "Soort werk": "Bewonersactiviteit",
            "Rol": "trekker",
            "Minuten": "90",
            "Uren": "1,5",
            "Status": "goedgekeurd",
            "Goedgekeurd door": "Petra de Vries",
            "Goedgekeurd op": "2026-10-06 11:30",
            "Namens de werkbegeleider": "nee",
            "Reflectie": REFLECTION,
        },
        {
            "Student": "Ayşe Yılmaz",
            "Studentnummer": "100202",
            "Niveau": "hbo",
            "Project": "Buurtkamer Noord",
            "Team": "Noord",
            "Datum": "2026-10-05",
            "Taak": "Buurtmaaltijd",
            "Soort werk": "Bewonersactiviteit",
            "Rol": "ondersteuning",
            "Minuten": "45",
            "Uren": "0,8",
            "Status": "goedgekeurd",
            "Goedgekeurd door": "Petra de Vries",
            "Goedgekeurd op": "2026-10-06 11:30",
            "Namens de werkbegeleider": "nee",
            "Reflectie": "",
        },
        {
            "Student": "Yassine El Amrani",
            "Studentnummer": "100203",
            "Niveau": "mbo",
            "Project": "Buurtkamer Noord",
            "Team": "Zuid",
            "Datum": "2026-11-02",
            "Taak": "Enquête in de Bloemenbuurt",
            "Soort werk": "Wijkonderzoek",
            "Rol": "trekker",
            "Minuten": "150",
            "Uren": "2,5",
            "Status": "wacht op controle",
            "Goedgekeurd door": "",
            "Goedgekeurd op": "",
            "Namens de werkbegeleider": "",
            "Reflectie": "Veel deuren bleven dicht.",
        },
        {
            "Student": "Zoë van den Berg",
            "Studentnummer": "100201",
            "Niveau": "mbo",
            "Project": "Buurtkamer Noord",
            "Team": "Noord",
            "Datum": "2026-11-09",
            "Taak": "Overleg met de huisarts",
            "Soort werk": "Netwerk en samenwerking",
            "Rol": "mede-organisator",
            "Minuten": "60",
            "Uren": "1,0",
            "Status": "goedgekeurd",
            "Goedgekeurd door": "Marloes Docent",
            "Goedgekeurd op": "2026-11-10 16:00",
            "Namens de werkbegeleider": "ja",
            "Reflectie": "",
        },
        {
            "Student": "Jesse de Groot",
            "Studentnummer": "100204",
            "Niveau": "mbo",
            "Project": "Taalcafé",
            "Team": "Oost",
            "Datum": "2027-01-11",
            "Taak": "Taalles voor ouders",
            "Soort werk": "Informatie en advies",
            "Rol": "ondersteuning",
            "Minuten": "120",
            "Uren": "2,0",
            "Status": "teruggegeven",
            "Goedgekeurd door": "",
            "Goedgekeurd op": "",
            "Namens de werkbegeleider": "",
            "Reflectie": "",
        },
    ]


def test_participation_xlsx_has_real_dates_numbers_and_every_column(lab, client, login_as):
    login_as(lab["admin"])
    response = download(client, dataset="participations", fmt="xlsx", student=lab["zoe"].id)
    assert response.status_code == 200
    sheet = read_sheet(response)
    header = [cell.value for cell in sheet[1]]
    assert header == PARTICIPATION_HEADER
    assert sheet_records(response) == [
        {
            "Student": "Zoë van den Berg",
            "Studentnummer": "100201",
            "Niveau": "mbo",
            "Project": "Buurtkamer Noord",
            "Team": "Noord",
            "Datum": datetime(2026, 10, 5),
            "Taak": "Buurtmaaltijd",
            "Soort werk": "Bewonersactiviteit",
            "Rol": "trekker",
            "Minuten": 90,
            "Uren": 1.5,
            "Status": "goedgekeurd",
            "Goedgekeurd door": "Petra de Vries",
            "Goedgekeurd op": datetime(2026, 10, 6, 11, 30),
            "Namens de werkbegeleider": "nee",
            "Reflectie": REFLECTION,
        },
        {
            "Student": "Zoë van den Berg",
            "Studentnummer": "100201",
            "Niveau": "mbo",
            "Project": "Buurtkamer Noord",
            "Team": "Noord",
            "Datum": datetime(2026, 11, 9),
            "Taak": "Overleg met de huisarts",
            "Soort werk": "Netwerk en samenwerking",
            "Rol": "mede-organisator",
            "Minuten": 60,
            "Uren": 1.0,
            "Status": "goedgekeurd",
            "Goedgekeurd door": "Marloes Docent",
            "Goedgekeurd op": datetime(2026, 11, 10, 16, 0),
            "Namens de werkbegeleider": "ja",
            "Reflectie": None,
        },
    ]
    date_cell, minutes_cell, verified_cell = sheet["F2"], sheet["J2"], sheet["N2"]
    assert date_cell.is_date and date_cell.number_format == "DD-MM-YYYY"
    assert verified_cell.is_date and verified_cell.number_format == "DD-MM-YYYY HH:MM"
    assert minutes_cell.data_type == "n"


def test_goal_csv_joins_codes_shows_latest_rating_and_only_a_standing_sign_off(
    lab, goals, client, login_as
):
    login_as(lab["admin"])
    response = download(client, dataset="goals", fmt="csv")
    assert response.status_code == 200
    header, *_rows = read_csv(response)
    assert header == GOAL_HEADER
    records = {r["Leerdoel"]: r for r in csv_records(response)}
    assert records["Ik leid een avond"] == {
        "Student": "Zoë van den Berg",
        "Studentnummer": "100201",
        "Project": "Buurtkamer Noord",
        "Team": "Noord",
        "Leerdoel": "Ik leid een avond",
        "Kwalificatiecodes": "B1-K1-W2, B1-K2",
        "Status": "afgetekend",
        "Laatste beoordeling": "zelfstandig zichtbaar",
        "Afgetekend door": "Petra de Vries",
        "Afgetekend op": "2026-11-20 11:00",
    }
    assert records["Ik schrijf een verslag"] == {
        "Student": "Zoë van den Berg",
        "Studentnummer": "100201",
        "Project": "Buurtkamer Noord",
        "Team": "Noord",
        "Leerdoel": "Ik schrijf een verslag",
        "Kwalificatiecodes": "B1-K2",
        "Status": "actief",
        "Laatste beoordeling": "",
        "Afgetekend door": "",
        "Afgetekend op": "",
    }
    assert records["Ik voer een gesprek"]["Afgetekend door"] == "Marloes Docent"
    assert records["Ik voer een gesprek"]["Afgetekend op"] == "2026-11-25 14:15"
    assert records["Ik doe onderzoek"]["Status"] == "concept"
    assert records["Ik geef les"]["Status"] == "actief"
    # One row per goal: the revoked sign-off beside the standing one adds none.
    assert len(csv_records(response)) == 6


def test_goal_xlsx_has_the_sign_off_as_a_real_date(lab, goals, client, login_as):
    login_as(lab["admin"])
    response = download(client, dataset="goals", fmt="xlsx", team=lab["noord"].id)
    assert response.status_code == 200
    sheet = read_sheet(response)
    assert [cell.value for cell in sheet[1]] == GOAL_HEADER
    records = {r["Leerdoel"]: r for r in sheet_records(response)}
    assert set(records) == {
        "Ik leid een avond",
        "Ik schrijf een verslag",
        "Ik voer een gesprek",
        "Ik werk samen",
    }
    assert records["Ik leid een avond"] == {
        "Student": "Zoë van den Berg",
        "Studentnummer": "100201",
        "Project": "Buurtkamer Noord",
        "Team": "Noord",
        "Leerdoel": "Ik leid een avond",
        "Kwalificatiecodes": "B1-K1-W2, B1-K2",
        "Status": "afgetekend",
        "Laatste beoordeling": "zelfstandig zichtbaar",
        "Afgetekend door": "Petra de Vries",
        "Afgetekend op": datetime(2026, 11, 20, 11, 0),
    }
    assert records["Ik schrijf een verslag"]["Afgetekend op"] is None
    signed_row = next(
        row for row in sheet.iter_rows(min_row=2) if row[4].value == "Ik leid een avond"
    )
    assert signed_row[9].is_date and signed_row[9].number_format == "DD-MM-YYYY HH:MM"


# --- filters ---------------------------------------------------------------------------------

FILTERS = {
    "project": (
        lambda lab: {"project": lab["taalcafe"].id},
        [("Jesse de Groot", "Taalles voor ouders")],
    ),
    "team": (
        lambda lab: {"team": lab["zuid"].id},
        [("Yassine El Amrani", "Enquête in de Bloemenbuurt")],
    ),
    "student": (
        lambda lab: {"student": lab["ayse"].id},
        [("Ayşe Yılmaz", "Buurtmaaltijd")],
    ),
    "period": (
        lambda lab: {"start": "2026-11-01", "end": "2026-11-30"},
        [
            ("Yassine El Amrani", "Enquête in de Bloemenbuurt"),
            ("Zoë van den Berg", "Overleg met de huisarts"),
        ],
    ),
    "start only": (
        lambda lab: {"start": "2026-11-09"},
        [
            ("Zoë van den Berg", "Overleg met de huisarts"),
            ("Jesse de Groot", "Taalles voor ouders"),
        ],
    ),
    "end only, inclusive": (
        lambda lab: {"end": "2026-10-05"},
        [("Zoë van den Berg", "Buurtmaaltijd"), ("Ayşe Yılmaz", "Buurtmaaltijd")],
    ),
    "project and student": (
        lambda lab: {"project": lab["noord_project"].id, "student": lab["zoe"].id},
        [("Zoë van den Berg", "Buurtmaaltijd"), ("Zoë van den Berg", "Overleg met de huisarts")],
    ),
}


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_narrows_the_participations(lab, client, login_as, name):
    params, expected = FILTERS[name]
    login_as(lab["admin"])
    assert len(exported(client)) == 5
    assert students_and_tasks(exported(client, **params(lab))) == expected


def test_goal_period_filter_keeps_goals_of_teams_working_in_the_period(
    lab, goals, client, login_as
):
    login_as(lab["admin"])
    # Taalcafé starts in January 2027: its team "Oost" did not work in the autumn of 2026.
    autumn = exported(client, "goals", start="2026-09-01", end="2026-12-31")
    assert "Ik geef les" not in {r["Leerdoel"] for r in autumn}
    assert len(autumn) == 5
    spring = exported(client, "goals", start="2027-07-01")
    assert spring == []


def test_goal_project_and_student_filters_narrow_the_goals(lab, goals, client, login_as):
    login_as(lab["admin"])
    by_project = exported(client, "goals", project=lab["taalcafe"].id)
    assert [r["Leerdoel"] for r in by_project] == ["Ik geef les"]
    by_student = exported(client, "goals", student=lab["yassine"].id)
    assert [r["Leerdoel"] for r in by_student] == ["Ik doe onderzoek"]


# --- who sees what ---------------------------------------------------------------------------

ROWS_BY_ROLE = {
    # A student their own rows; a supervisor their teams; a wijkdocent their own projects.
    "zoe": {"Zoë van den Berg"},
    "supervisor": {"Zoë van den Berg", "Ayşe Yılmaz"},
    "other_supervisor": {"Yassine El Amrani", "Jesse de Groot"},
    "wijkdocent": {"Zoë van den Berg", "Ayşe Yılmaz", "Yassine El Amrani"},
    "other_docent": {"Jesse de Groot"},
    "admin": {"Zoë van den Berg", "Ayşe Yılmaz", "Yassine El Amrani", "Jesse de Groot"},
}


@pytest.mark.parametrize("who", ROWS_BY_ROLE)
@pytest.mark.parametrize("dataset", ["participations", "goals"])
def test_each_role_exports_only_the_rows_it_may_see(lab, goals, client, login_as, who, dataset):
    login_as(lab[who])
    records = exported(client, dataset)
    assert {r["Student"] for r in records} == ROWS_BY_ROLE[who]


def test_a_student_does_not_get_the_rows_of_a_teammate(lab, client, login_as):
    login_as(lab["zoe"])
    records = exported(client)
    assert students_and_tasks(records) == [
        ("Zoë van den Berg", "Buurtmaaltijd"),
        ("Zoë van den Berg", "Overleg met de huisarts"),
    ]
    # The shared task is there, but only with Zoë's own minutes.
    assert [r["Minuten"] for r in records] == ["90", "60"]


def test_a_student_may_filter_on_their_own_id(lab, client, login_as):
    login_as(lab["zoe"])
    records = exported(client, student=lab["zoe"].id)
    assert {r["Student"] for r in records} == {"Zoë van den Berg"} and len(records) == 2


@pytest.mark.parametrize("dataset", ["participations", "goals"])
def test_a_student_passing_a_teammates_id_gets_the_form_with_a_message_and_no_file(
    lab, goals, client, login_as, dataset
):
    login_as(lab["zoe"])
    response = download(client, dataset=dataset, fmt="csv", student=lab["ayse"].id)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    html = response.get_data(as_text=True)
    assert (
        '<p class="error" id="student-error">Kies een van de mogelijkheden uit de lijst.</p>'
        in html
    )
    assert "Ayşe Yılmaz" not in html
    assert "Buurtmaaltijd" not in html


@pytest.mark.parametrize(
    ("who", "field", "target"),
    [
        ("supervisor", "team", "zuid"),
        ("supervisor", "student", "yassine"),
        ("wijkdocent", "project", "taalcafe"),
        ("wijkdocent", "student", "jesse"),
        ("zoe", "team", "zuid"),
    ],
)
def test_a_filter_outside_ones_own_rows_is_refused(lab, client, login_as, who, field, target):
    login_as(lab[who])
    response = download(client, dataset="participations", fmt="csv", **{field: lab[target].id})
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    html = response.get_data(as_text=True)
    assert f'id="{field}-error">Kies een van de mogelijkheden uit de lijst.</p>' in html


def test_the_form_offers_only_the_students_one_may_export(lab, client, login_as):
    login_as(lab["supervisor"])
    html = client.get("/exports/").get_data(as_text=True)
    assert "Zoë van den Berg" in html and "Ayşe Yılmaz" in html
    assert "Yassine El Amrani" not in html and "Jesse de Groot" not in html


# --- refused input ---------------------------------------------------------------------------

BAD_INPUT = {
    "end before start": (
        {"start": "2026-11-30", "end": "2026-11-01"},
        '<p class="error" id="end-error">De einddatum ligt vóór de begindatum.</p>',
        ['value="2026-11-30"', 'value="2026-11-01"'],
    ),
    "unknown dataset": (
        {"dataset": "users", "start": "2026-11-01"},
        '<p class="error" id="dataset-error">Ongeldige keuze.</p>',
        ['value="2026-11-01"'],
    ),
    "unknown format": (
        {"fmt": "pdf", "end": "2026-12-31"},
        '<p class="error" id="fmt-error">Ongeldige keuze.</p>',
        ['value="2026-12-31"'],
    ),
    "project not a number": (
        {"project": "abc", "start": "2026-11-01"},
        '<p class="error" id="project-error">Ongeldige keuze: kon niet omgezet worden.</p>',
        ['value="2026-11-01"'],
    ),
    "start before 2000": (
        {"start": "1999-12-31"},
        '<p class="error" id="start-error">Kies een datum tussen 2000 en 2100.</p>',
        ['value="1999-12-31"'],
    ),
    "end after 2100": (
        {"end": "2101-01-01"},
        '<p class="error" id="end-error">Kies een datum tussen 2000 en 2100.</p>',
        ['value="2101-01-01"'],
    ),
    "not a date": (
        {"start": "31-02-2026"},
        '<p class="error" id="start-error">Ongeldige datum.</p>',
        ['value="31-02-2026"'],
    ),
}


@pytest.mark.parametrize("name", BAD_INPUT)
def test_bad_input_gets_the_form_back_with_what_was_typed(lab, client, login_as, name):
    params, message, kept = BAD_INPUT[name]
    login_as(lab["admin"])
    query = {"dataset": "participations", "fmt": "csv", **params}
    response = download(client, **query)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    html = response.get_data(as_text=True)
    assert '<form method="get"' in html
    assert message in html
    for value in kept:
        assert value in html
    assert "Buurtmaaltijd" not in html


def test_the_chosen_dataset_and_format_stay_chosen_after_an_error(lab, client, login_as):
    login_as(lab["admin"])
    response = download(client, dataset="goals", fmt="csv", start="2026-12-01", end="2026-01-01")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert checked(html, "dataset") == ["goals"]
    assert checked(html, "fmt") == ["csv"]


def checked(html: str, name: str) -> list[str]:
    """The values of the checked radio buttons called ``name``."""
    inputs = re.findall(r"<input [^>]*>", html)
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


# --- formula injection -----------------------------------------------------------------------

FORMULA_TITLE = '=HYPERLINK("http://evil.example","klik")'
FORMULA_REFLECTIONS = ["+31 6 12345678 bellen", "-1+1 is nul", "@SUM(A1:A9)"]


@pytest.fixture
def formulas(lab):
    """A task titled with a formula; three participants whose reflections start with +, - and @."""
    team = lab["noord"]
    extra = join(team, factories.make_student(name="Mila Bakker"))
    return task(
        team,
        date(2026, 12, 1),
        FORMULA_TITLE,
        Category.OTHER,
        [
            (lab["zoe"], 30, ParticipationRole.SUPPORT, FORMULA_REFLECTIONS[0]),
            (lab["ayse"], 30, ParticipationRole.SUPPORT, FORMULA_REFLECTIONS[1]),
            (extra, 30, ParticipationRole.SUPPORT, FORMULA_REFLECTIONS[2]),
        ],
    )


def test_formulas_in_text_are_neutralised_in_csv(lab, formulas, client, login_as):
    login_as(lab["admin"])
    records = exported(client, start="2026-12-01", end="2026-12-31")
    assert [r["Taak"] for r in records] == ["'" + FORMULA_TITLE] * 3
    assert [r["Reflectie"] for r in records] == ["'" + text for text in FORMULA_REFLECTIONS]


def test_formulas_in_text_are_string_cells_in_xlsx(lab, formulas, client, login_as):
    login_as(lab["admin"])
    response = download(
        client, dataset="participations", fmt="xlsx", start="2026-12-01", end="2026-12-31"
    )
    assert response.status_code == 200
    rows = list(read_sheet(response).iter_rows(min_row=2))
    assert len(rows) == 3
    titles = [row[6] for row in rows]
    reflections = [row[15] for row in rows]
    assert [(c.value, c.data_type) for c in titles] == [(FORMULA_TITLE, "s")] * 3
    assert [(c.value, c.data_type) for c in reflections] == [
        (text, "s") for text in FORMULA_REFLECTIONS
    ]


# --- names, file name, mimetype ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_names_with_accents_round_trip(lab, client, login_as, fmt):
    login_as(lab["admin"])
    response = download(client, dataset="participations", fmt=fmt)
    records = csv_records(response) if fmt == "csv" else sheet_records(response)
    assert {r["Student"] for r in records} >= {
        "Zoë van den Berg",
        "Ayşe Yılmaz",
        "Yassine El Amrani",
    }
    assert "Taalcafé" in {r["Project"] for r in records}
    assert "Enquête in de Bloemenbuurt" in {r["Taak"] for r in records}


def test_csv_is_utf8_with_a_bom(lab, client, login_as):
    login_as(lab["admin"])
    body = download(client, dataset="participations", fmt="csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    assert "Zoë van den Berg".encode() in body


@pytest.mark.parametrize(
    ("dataset", "fmt", "stem", "mimetype"),
    [
        ("participations", "csv", "deelnames", "text/csv"),
        ("participations", "xlsx", "deelnames", XLSX),
        ("goals", "csv", "leerdoelen", "text/csv"),
        ("goals", "xlsx", "leerdoelen", XLSX),
    ],
)
def test_the_download_has_a_dated_file_name_and_its_mimetype(
    lab, client, login_as, dataset, fmt, stem, mimetype
):
    login_as(lab["admin"])
    response = download(client, dataset=dataset, fmt=fmt)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    if fmt == "csv":
        assert response.mimetype_params == {"charset": "utf-8"}
    today = datetime.now(UTC).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="wijklab-{stem}-{today}.{fmt}"'
    )


def test_the_form_page_shows_for_every_role(lab, client, login_as):
    for who in ("zoe", "supervisor", "wijkdocent", "admin"):
        login_as(lab[who])
        response = client.get("/exports/")
        assert response.status_code == 200
        assert 'action="/exports/download"' in response.get_data(as_text=True)


def test_anonymous_is_sent_to_log_in(client):
    response = download(client, dataset="participations", fmt="csv")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# --- a large export streams --------------------------------------------------------------------

LARGE = 3000


@pytest.fixture
def many(lab):
    """3,000 participations: 1,000 tasks of team Noord with three members each, bulk inserted."""
    team = lab["noord"]
    mila = join(team, factories.make_student(name="Mila Bakker"))
    students = [lab["zoe"].id, lab["ayse"].id, mila.id]
    tasks = [
        {
            "team_id": team.id,
            "author_id": students[0],
            "date": date(2026, 9, 1 + n % 28),
            "title": f"Bulk {n:04d}",
            "category": Category.OTHER,
            "status": TaskStatus.PENDING,
        }
        for n in range(LARGE // 3)
    ]
    ids = db.session.scalars(
        insert(Task).returning(Task.id, sort_by_parameter_order=True), tasks
    ).all()
    db.session.execute(
        insert(TaskParticipation),
        [
            {"task_id": task_id, "student_id": student_id, "minutes": 30}
            for task_id in ids
            for student_id in students
        ],
    )
    db.session.commit()
    assert db.session.scalar(select(func.count(TaskParticipation.id))) == LARGE + 5


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_is_streamed_and_complete(lab, many, client, login_as, fmt):
    login_as(lab["admin"])
    response = download(client, dataset="participations", fmt=fmt, end="2026-09-30")
    assert response.status_code == 200
    assert response.is_streamed
    records = csv_records(response) if fmt == "csv" else sheet_records(response)
    assert len(records) == LARGE
    assert sum(1 for r in records if r["Taak"] == "Bulk 0999") == 3


def test_a_large_csv_comes_in_several_chunks(lab, many, client, login_as):
    login_as(lab["admin"])
    response = download(client, dataset="participations", fmt="csv", end="2026-09-30")
    chunks = list(response.response)
    # The header, then one chunk per CSV_ROWS_PER_CHUNK (500) rows.
    assert len(chunks) == 1 + LARGE // CSV_ROWS_PER_CHUNK
    assert sum(chunk.count("\r\n") for chunk in map(_text, chunks)) == LARGE + 1


def _text(chunk) -> str:
    return chunk.decode() if isinstance(chunk, bytes) else chunk


def test_an_xlsx_export_over_the_row_limit_is_refused_and_csv_offered(
    lab, client, login_as, monkeypatch
):
    from wijklab.exports import views

    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 2)
    login_as(lab["wijkdocent"])
    response = download(client, fmt="xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Kies CSV" in html

    assert len(read_csv(download(client, fmt="csv"))) > 3


def test_the_csv_content_type_names_its_charset_once(lab, client, login_as):
    login_as(lab["wijkdocent"])
    response = download(client, dataset="participations", fmt="csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Type"].count("charset") == 1
