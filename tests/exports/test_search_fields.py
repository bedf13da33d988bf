"""The export form's project, team and student fields: a short list stays a select, a long one
becomes a search field backed by /exports/search/<kind>, scoped like the export itself, with a
fallback that works without JavaScript, and forged ids refused."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.test_query_counts import queries
from wijklab.exports.views import MATCHES_MAX, SELECT_MAX
from wijklab.extensions import db

MANY = SELECT_MAX + 15


def _students(n: int, school, prefix: str = "Leerling") -> list:
    return [factories.make_student(school=school, name=f"{prefix} {i:03d}") for i in range(n)]


@pytest.fixture
def crowd(app, wijkdocent, supervisor, student, admin):
    """More students than a select holds in ``wijkdocent``'s project (team "Noord" of
    ``supervisor`` with Zoë and the crowd, team "Zuid" of another supervisor with Kees), and a
    project of another wijkdocent with Verborgen Vreemde."""
    school = factories.make_organisation("school")
    zoeker = factories.make_student(
        school=school, name="Zoë Zoeker", email="zoe.zoeker@example.org"
    )
    zoeker.student_profile.student_number = "555123"
    kees = factories.make_student(school=school, name="Kees Zuidema")
    stranger = factories.make_student(school=school, name="Verborgen Vreemde")
    project = factories.make_project(owner=wijkdocent, title="Buurtkamer Noord")
    noord = factories.make_team(
        project=project,
        supervisor=supervisor,
        name="Noord",
        members=[student, zoeker, *_students(MANY, school)],
    )
    zuid = factories.make_team(project=project, name="Zuid", members=[kees])
    other = factories.make_team(
        project=factories.make_project(title="Taalcafé Elders"), name="Elders", members=[stranger]
    )
    factories.make_task(team=noord, participants=[zoeker], title="Zoekers taak")
    factories.make_task(team=noord, participants=[student], title="Zoës taak")
    db.session.flush()
    return {
        "admin": admin,
        "wijkdocent": wijkdocent,
        "supervisor": supervisor,
        "zoe": student,
        "zoeker": zoeker,
        "kees": kees,
        "stranger": stranger,
        "noord": noord,
        "zuid": zuid,
        "other": other,
    }


def search(client, kind: str, q: str):
    return client.get(f"/exports/search/{kind}s", query_string={"q": q})


def labels(response) -> list[str]:
    return [result["label"] for result in response.get_json()["results"]]


def download(client, **params):
    query = {"dataset": "participations", "fmt": "csv", **params}
    return client.get("/exports/download", query_string=query)


# --- the form --------------------------------------------------------------------------------


def test_a_long_student_list_is_a_search_field_not_a_select(crowd, client, login_as):
    login_as(crowd["supervisor"])
    response = client.get("/exports/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leerling 001" not in html and "Zoë Zoeker" not in html
    assert 'name="student_q"' in html and "data-search-field" in html
    assert re.search(r'<input type="hidden" name="student" value=""', html)
    assert "/static/js/search-field.js" in html
    assert 'data-search-url="/exports/search/students"' in html
    # Two teams only: those stay a select, with both named.
    assert '<select id="team"' in html and "Zuid · Buurtkamer Noord" not in html
    assert "Noord · Buurtkamer Noord" in html


def test_a_short_list_stays_a_select_without_the_script(crowd, client, login_as):
    login_as(crowd["zoe"])
    html = client.get("/exports/").get_data(as_text=True)
    assert '<select id="student"' in html and "Zoë van den Berg" in html
    assert "search-field.js" not in html


def test_the_form_stays_small_and_runs_the_same_queries_at_any_size(crowd, client, login_as):
    login_as(crowd["admin"])
    db.session.expire_all()
    with queries() as small:
        first = client.get("/exports/")
    school = factories.make_organisation("school")
    for n in range(4):
        factories.make_team(
            project=factories.make_project(), members=_students(MANY, school, f"Groep{n}")
        )
    db.session.expire_all()
    with queries() as large:
        second = client.get("/exports/")
    assert first.status_code == second.status_code == 200
    assert len(small) == len(large) <= 12
    assert len(second.get_data()) < 20_000


# --- the search endpoint ---------------------------------------------------------------------


def test_search_returns_at_most_twenty_matches_and_says_there_are_more(crowd, client, login_as):
    login_as(crowd["wijkdocent"])
    db.session.expire_all()
    with queries() as statements:
        response = search(client, "student", "leerling")
    data = response.get_json()
    assert len(statements) <= 3  # the signed-in user, the matches
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert len(data["results"]) == MATCHES_MAX and data["more"] is True
    assert all(set(result) == {"id", "label"} for result in data["results"])
    assert len(response.get_data()) < 4_000


def test_search_finds_a_student_by_name_email_or_student_number(crowd, client, login_as):
    login_as(crowd["supervisor"])
    for q in ("zoeker", "ZOE.ZOEKER@example", "555123"):
        response = search(client, "student", q)
        assert response.get_json() == {
            "results": [{"id": crowd["zoeker"].id, "label": "Zoë Zoeker · 555123"}],
            "more": False,
        }, q


def test_search_never_returns_students_one_may_not_export(crowd, client, login_as):
    login_as(crowd["supervisor"])
    assert labels(search(client, "student", "Kees")) == []  # another supervisor's team
    assert labels(search(client, "student", "Vreemde")) == []
    login_as(crowd["wijkdocent"])
    assert labels(search(client, "student", "Kees")) == ["Kees Zuidema"]
    assert labels(search(client, "student", "Vreemde")) == []  # another wijkdocent's project
    login_as(crowd["admin"])
    assert labels(search(client, "student", "Vreemde")) == ["Verborgen Vreemde"]


def test_search_for_teams_and_projects_is_scoped_too(crowd, client, login_as):
    login_as(crowd["supervisor"])
    assert labels(search(client, "team", "")) == ["Noord · Buurtkamer Noord"]
    assert labels(search(client, "project", "Taalcafé")) == []
    login_as(crowd["wijkdocent"])
    assert labels(search(client, "team", "buurtkamer")) == [
        "Noord · Buurtkamer Noord",
        "Zuid · Buurtkamer Noord",
    ]
    login_as(crowd["zoe"])
    assert labels(search(client, "team", "")) == ["Noord · Buurtkamer Noord"]


def test_a_student_may_not_search_students(crowd, client, login_as):
    login_as(crowd["zoe"])
    response = search(client, "student", "Zoë")
    assert response.status_code == 403
    assert response.mimetype != "application/json"


def test_search_treats_wildcards_as_text_and_unknown_kinds_as_missing(crowd, client, login_as):
    login_as(crowd["admin"])
    assert labels(search(client, "student", "%")) == []
    assert labels(search(client, "student", "_")) == []
    assert search(client, "user", "a").status_code == 404  # /exports/search/users
    assert len(labels(search(client, "student", "x" * 5000))) == 0


def test_search_needs_a_login(crowd, client):
    response = search(client, "student", "Zoë")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# --- choosing, forging, and the form without JavaScript --------------------------------------


def test_a_chosen_student_is_exported(crowd, client, login_as):
    login_as(crowd["supervisor"])
    response = download(client, student=crowd["zoeker"].id, student_q="Zoë Zoeker · 555123")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Zoekers taak" in body and "Zoës taak" not in body


@pytest.mark.parametrize("target", ["kees", "stranger"])
def test_a_forged_student_id_is_refused_with_a_message_and_no_file(crowd, client, login_as, target):
    login_as(crowd["supervisor"])
    response = download(client, student=crowd[target].id)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    assert 'id="student-error">Kies een van de mogelijkheden uit de lijst.</p>' in html
    assert crowd[target].name not in html


def test_a_chosen_student_stays_chosen_after_a_failed_submit(crowd, client, login_as):
    login_as(crowd["supervisor"])
    response = download(
        client, student=crowd["zoeker"].id, student_q="Zoë Zoeker · 555123", start="2101-01-01"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Zoë Zoeker · 555123"' in html
    assert f'<input type="hidden" name="student" value="{crowd["zoeker"].id}"' in html


def test_without_javascript_the_search_button_shows_the_matches_as_a_short_select(
    crowd, client, login_as
):
    login_as(crowd["supervisor"])
    response = client.get(
        "/exports/",
        query_string={
            "dataset": "participations",
            "fmt": "csv",
            "student": "",
            "student_q": "zoeker",
            "search": "student",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    select = re.search(r'<select[^>]*id="student".*?</select>', html, re.S).group(0)
    assert f'value="{crowd["zoeker"].id}">Zoë Zoeker · 555123</option>' in select
    assert select.count("<option") == 2  # "—" and the one match
    assert 'value="zoeker"' in html  # the typed text stays to refine
    # Choosing from that select and downloading exports the chosen student.
    chosen = download(client, student=crowd["zoeker"].id, student_q="zoeker")
    assert chosen.status_code == 200
    assert "Zoekers taak" in chosen.get_data(as_text=True)


def test_the_search_button_searches_the_new_text_not_the_old_choice(crowd, client, login_as):
    login_as(crowd["supervisor"])
    response = client.get(
        "/exports/",
        query_string={
            "student": crowd["zoeker"].id,
            "student_q": "Leerling 00",
            "search": "student",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leerling 001" in html and "Zoë Zoeker" not in html


def test_text_typed_but_not_chosen_gets_the_matches_and_no_file(crowd, client, login_as):
    login_as(crowd["supervisor"])
    response = download(client, student="", student_q="leerling")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    assert "Kies uit de gevonden namen hieronder, of maak het veld leeg." in html
    assert html.count("Leerling 0") == MATCHES_MAX
    assert "de eerste 20; typ meer om te verfijnen" in html


def test_a_search_that_finds_nothing_says_so(crowd, client, login_as):
    login_as(crowd["supervisor"])
    response = client.get("/exports/", query_string={"student_q": "Vreemde", "search": "student"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Niets gevonden voor ‘Vreemde’." in html
    assert "Verborgen Vreemde" not in html
