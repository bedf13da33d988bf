"""Hostile input: control characters are refused at one place with a clear Dutch page and
nothing written; ids and page numbers go through one bounded parser; a goal's target date is
bounded; a framework file nested thousands of levels deep is refused with a message."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.activity.models import AuditEvent
from wijklab.extensions import db
from wijklab.goals.loader import (
    MAX_NESTING,
    FrameworkFileError,
    load_shipped_frameworks,
    nesting_problem,
    parse_framework,
    shipped_framework_files,
)
from wijklab.goals.models import FrameworkItem, LearningGoal
from wijklab.inputs import has_control_characters, parse_id, parse_ids, parse_page
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import Task
from wijklab.teams.models import Team

REFUSED = "Je invoer bevat een onzichtbaar teken dat we niet kunnen bewaren."
HUGE_PAGE = str(2**63)
HOSTILE_IDS = ["²", "-1", "0", "1e3", "9" * 5000, str(2**63), "١٢", "1.0", "0x10", "1\u200b"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- the parsers ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", HOSTILE_IDS + [" 1", "", None, "abc", 2**31, -5, True, 1.0])
def test_parse_id_refuses_what_is_not_a_bounded_ascii_id(raw):
    assert parse_id(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"), [("1", 1), ("0042", 42), (7, 7), (str(2**31 - 1), 2**31 - 1)]
)
def test_parse_id_reads_real_ids(raw, value):
    assert parse_id(raw) == value


def test_parse_ids_is_all_or_nothing_and_bounded():
    assert parse_ids(["3", "1", "3"]) == [3, 1]
    assert parse_ids(["1", "²"]) is None
    assert parse_ids(["1"] * 3, limit=2) is None


@pytest.mark.parametrize("raw", [HUGE_PAGE, "-3", "²", "9" * 5000, "", "abc"])
def test_parse_page_is_bounded(app, raw):
    assert 1 <= parse_page(raw) <= 100_000


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "\x01", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
    + ["\ud800"],
)
def test_control_characters_are_recognised(text):
    assert has_control_characters(text)


@pytest.mark.parametrize("text", ["tab\there", "regel\nregel", "crlf\r\n", "Zoë ‑ 😀 ١٢ ²", ""])
def test_tab_newline_and_ordinary_unicode_pass(text):
    assert not has_control_characters(text)


# --- control characters refused at one place --------------------------------------------------


def test_a_nul_in_the_anonymous_login_form_is_refused_with_a_dutch_page(client, student):
    before = count(AuditEvent)
    response = client.post(
        "/auth/login", data={"email": student.email + "\x00", "password": "geheim\x00"}
    )
    assert response.status_code == 400
    assert REFUSED in text_of(response)
    assert count(AuditEvent) == before


@pytest.mark.parametrize(
    "url",
    [
        "/projects/?q=buurt%00tuin",
        "/organisations/?q=%1b",
        "/neighbourhoods/?q=a%7f",
        "/audit?actor=%c2%85",
        "/projects/?q%00=x",
        "/goals/?q=%00",
    ],
)
def test_a_control_character_in_a_query_parameter_is_refused(client, login_as, admin, url):
    login_as(admin)
    response = client.get(url)
    assert response.status_code == 400
    assert REFUSED in text_of(response)


def test_a_control_character_in_the_path_is_refused(client):
    response = client.get("/verify/ABC%00DEF")
    assert response.status_code == 400
    assert REFUSED in text_of(response)


@pytest.fixture
def team_of(wijkdocent):
    member = factories.make_student(name="Ayşe Demir")
    project = factories.make_project(owner=wijkdocent, status=ProjectStatus.ACTIVE)
    team = factories.make_team(project=project, members=[member])
    return team, member


def task_data(member, **overrides) -> dict:
    data = {
        "date": date.today().isoformat(),
        "title": "Buurtmaaltijd",
        "category": "residents_activity",
        "description": "Samen koken.",
        "residents_reached": "25",
        f"take_{member.id}": "y",
        f"minutes_{member.id}": "60",
        f"role_{member.id}": "support",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\x9b"])
def test_a_task_with_a_control_character_is_refused_and_not_stored(client, login_as, team_of, bad):
    team, member = team_of
    login_as(member)
    response = client.post(
        f"/teams/{team.id}/tasks/new", data=task_data(member, description=f"koken{bad}eten")
    )
    assert response.status_code == 400
    assert REFUSED in text_of(response)
    assert count(Task) == 0


def test_a_task_with_tabs_and_newlines_is_stored(client, login_as, team_of):
    team, member = team_of
    login_as(member)
    response = client.post(
        f"/teams/{team.id}/tasks/new",
        data=task_data(member, description="Eerst\tkoken,\r\ndan eten."),
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Task.description)) == "Eerst\tkoken,\r\ndan eten."


def test_a_goal_with_a_nul_is_refused_and_not_stored(client, login_as, team_of):
    team, member = team_of
    login_as(member)
    response = client.post(
        f"/teams/{team.id}/goals/new", data={"title": "Ik leid\x00 een bijeenkomst"}
    )
    assert response.status_code == 400
    assert REFUSED in text_of(response)
    assert count(LearningGoal) == 0


def test_an_uploaded_file_name_with_a_control_character_is_refused(client, login_as, admin):
    login_as(admin)
    name, text = shipped_framework_files()[0]
    response = client.post(
        "/frameworks",
        data={"file": (io.BytesIO(text.encode()), "kader\x00.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert REFUSED in text_of(response)
    assert count(FrameworkItem) == 0


def test_a_json_string_with_a_nul_under_api_is_refused_as_json(client):
    response = client.post("/api/healthz", json={"name": ["ok", {"x": "a\u0000b"}]})
    assert response.status_code == 400
    assert REFUSED in response.get_json()["error"]


# --- page numbers -----------------------------------------------------------------------------


@pytest.fixture
def paginated_pages(wijkdocent):
    hood = factories.make_neighbourhood()
    project = factories.make_project(owner=wijkdocent, neighbourhood=hood)
    team = factories.make_team(project=project, members=[factories.make_student()])
    db.session.commit()
    return [
        ("wijkdocent", "/"),
        ("wijkdocent", "/notifications"),
        ("admin", "/audit"),
        ("wijkdocent", "/goals/"),
        ("wijkdocent", "/projects/"),
        ("wijkdocent", "/tasks/waiting"),
        ("wijkdocent", "/reports/neighbourhoods"),
        ("wijkdocent", f"/reports/neighbourhoods/{hood.id}/activities"),
        ("wijkdocent", "/reports/placements"),
        ("wijkdocent", "/neighbourhoods/"),
        ("wijkdocent", "/organisations/"),
        ("admin", "/users"),
        ("wijkdocent", f"/teams/{team.id}"),
    ]


@pytest.mark.parametrize("page", [HUGE_PAGE, str(2**64), "-1", "²", "9" * 5000, "0"])
def test_every_paginated_page_survives_a_hostile_page_number(
    client, login_as, users_by_role, paginated_pages, page
):
    for role, url in paginated_pages:
        login_as(users_by_role[role])
        response = client.get(url, query_string={"page": page})
        assert response.status_code == 200, (url, page, response.status_code)


# --- ids in filters and forms -----------------------------------------------------------------


@pytest.mark.parametrize("raw", HOSTILE_IDS)
def test_hostile_ids_in_list_filters_are_ignored_or_refused(client, login_as, admin, raw):
    login_as(admin)
    assert client.get("/projects/", query_string={"neighbourhood": raw}).status_code == 200
    assert client.get("/projects/", query_string={"partner": raw}).status_code == 200
    audit = client.get("/audit", query_string={"object_id": raw})
    assert audit.status_code == 200
    assert "Vul een nummer in." in text_of(audit)


@pytest.mark.parametrize("raw", HOSTILE_IDS + ["99999"])
def test_a_hostile_or_unknown_school_on_the_placements_page_is_a_400(
    client, login_as, wijkdocent, raw
):
    login_as(wijkdocent)
    assert client.get("/reports/placements", query_string={"school": raw}).status_code == 400


@pytest.fixture
def builder_project(wijkdocent):
    project = factories.make_project(owner=wijkdocent)
    students = [factories.make_student() for _ in range(2)]
    supervisor = factories.make_supervisor(organisation=project.partner)
    db.session.commit()
    return project, students, supervisor


@pytest.mark.parametrize("raw", HOSTILE_IDS + ["99999"])
def test_the_team_builder_refuses_a_hostile_school_or_supervisor_as_a_form_error(
    client, login_as, wijkdocent, builder_project, raw
):
    project, _, _ = builder_project
    login_as(wijkdocent)
    for field in ("school_id", "supervisor_id"):
        response = client.get(
            f"/projects/{project.id}/builder", query_string={field: raw, "team_count": "1"}
        )
        assert response.status_code == 422, (field, raw)


@pytest.mark.parametrize(
    "fields",
    [
        {"teams": "²"},
        {"teams": "9" * 5000},
        {"teams": "-1"},
        {"students": "1,²"},
        {"students": "9" * 5000},
        {"students": str(2**63)},
        {"students": "{first}", "team_{first}": "²"},
        {"students": "{first}", "team_{first}": "-1"},
        {"students": "{first}", "team_{first}": "9" * 5000},
    ],
)
def test_the_team_builder_refuses_a_forged_proposal(
    client, login_as, wijkdocent, builder_project, fields
):
    project, students, supervisor = builder_project
    login_as(wijkdocent)
    data = {"teams": "1", "students": "", "action": "accept"}
    first = str(students[0].id)
    data.update({k.format(first=first): v.format(first=first) for k, v in fields.items()})
    response = client.post(f"/projects/{project.id}/builder", data=data)
    assert response.status_code == 400
    assert count(Team) == 0


@pytest.mark.parametrize("raw", HOSTILE_IDS + ["99999"])
def test_accepting_a_proposal_with_a_hostile_supervisor_creates_no_team(
    client, login_as, wijkdocent, builder_project, raw
):
    project, students, supervisor = builder_project
    login_as(wijkdocent)
    ids = ",".join(str(s.id) for s in students)
    data = {"teams": "1", "students": ids, "action": "accept", "supervisor_id": raw}
    data.update({f"team_{s.id}": "1" for s in students})
    response = client.post(f"/projects/{project.id}/builder", data=data)
    assert response.status_code == 422
    assert count(Team) == 0


def test_accepting_a_proposal_still_works(client, login_as, wijkdocent, builder_project):
    project, students, supervisor = builder_project
    login_as(wijkdocent)
    ids = ",".join(str(s.id) for s in students)
    data = {"teams": "1", "students": ids, "action": "accept", "supervisor_id": supervisor.id}
    data.update({f"team_{s.id}": "1" for s in students})
    response = client.post(f"/projects/{project.id}/builder", data=data)
    assert response.status_code == 302
    assert count(Team) == 1


@pytest.mark.parametrize("raw", HOSTILE_IDS)
def test_a_hostile_framework_item_or_evidence_id_is_a_form_error(client, login_as, team_of, raw):
    team, member = team_of
    login_as(member)
    response = client.post(
        f"/teams/{team.id}/goals/new", data={"title": "Ik leid", "framework_items": [raw]}
    )
    assert response.status_code == 422
    assert count(LearningGoal) == 0
    goal = factories.make_goal(team=team, student=member)
    db.session.commit()
    response = client.post(f"/goals/{goal.id}/evidence", data={"participation_id": raw})
    assert response.status_code < 500


# --- a goal's target date ---------------------------------------------------------------------


@pytest.mark.parametrize("target", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_a_goal_target_date_outside_2000_to_2100_is_refused(client, login_as, team_of, target):
    team, member = team_of
    login_as(member)
    response = client.post(
        f"/teams/{team.id}/goals/new", data={"title": "Ik leid", "target_date": target}
    )
    assert response.status_code == 422
    assert "Kies een datum tussen 2000 en 2100." in text_of(response)
    assert count(LearningGoal) == 0


def test_a_goal_target_date_in_range_is_kept(client, login_as, team_of):
    team, member = team_of
    login_as(member)
    response = client.post(
        f"/teams/{team.id}/goals/new", data={"title": "Ik leid", "target_date": "2027-03-01"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(LearningGoal.target_date)) == date(2027, 3, 1)


# --- a framework file nested too deep ---------------------------------------------------------

DEEP_FILES = {
    "arrays": "a = " + "[" * 5000 + "]" * 5000,
    "inline tables": "a = " + "{b = " * 5000 + "1" + "}" * 5000,
    "dotted keys": "a" + ".a" * 5000 + " = 1",
    "table header": "[" + "a." * 5000 + "a]",
}


@pytest.mark.parametrize("name", DEEP_FILES)
def test_a_framework_file_nested_thousands_deep_is_refused_with_a_message(app, name):
    with pytest.raises(FrameworkFileError) as refused:
        parse_framework("# kader\n\n" + DEEP_FILES[name], "diep.toml")
    assert refused.value.line == 3
    assert f"dieper genest dan {MAX_NESTING} niveaus" in str(refused.value.message)


def test_a_deep_framework_upload_is_a_form_error_not_a_500(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/frameworks",
        data={"file": (io.BytesIO(DEEP_FILES["arrays"].encode()), "diep.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "dieper genest dan" in text_of(response)
    assert count(FrameworkItem) == 0


def test_brackets_in_strings_and_comments_do_not_count_as_nesting():
    deep = "[" * 50
    text = (
        f'a = "{deep}\\"{deep}"\nb = \'{deep}\'\n# {deep}\n'
        f'c = \'\'\'\n{deep}\n\'\'\'\'\nd = """{deep}\\"""{deep}""""\n'
        "e = [[1, 2], [3, 4]]\n"
    )
    assert nesting_problem(text) is None
    assert nesting_problem(text + "f = " + "[" * (MAX_NESTING + 1)) == 9


def test_the_shipped_frameworks_still_load(app):
    assert all(nesting_problem(text) is None for _, text in shipped_framework_files())
    assert load_shipped_frameworks()
