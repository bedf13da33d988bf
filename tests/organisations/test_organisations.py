"""Organisations: the list (search, filter, pages), creating and editing, and who may do so."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.forms import form_state
from wijklab.extensions import db
from wijklab.organisations.models import Organisation, OrganisationKind

# The tests keep one app context, and so one session, open across requests; the test client rolls
# back what a request left uncommitted. Expire what the session holds before reading, so that what
# a request committed is read from the database.


def organisation_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Organisation.id)))


def organisation_named(name: str) -> Organisation | None:
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def reloaded(organisation: Organisation) -> Organisation:
    db.session.expire_all()
    return db.session.get(Organisation, organisation.id)


def form_data(**changes) -> dict:
    """A valid submission of the organisation form, with some fields changed."""
    data = {
        "name": "Buurthuis Zoë",
        "kind": "partner",
        "city": "Den Haag",
        "neighbourhood_id": "",
        "suitable_levels": ["mbo", "hbo"],
        "suitable_years": ["2", "3"],
    }
    data.update(changes)
    return data


def listed_names(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [
        unescape(n) for n in re.findall(r'<h2><a href="/organisations/\d+/edit">([^<]*)</a>', html)
    ]


def field_error(response, field: str) -> str | None:
    """The error shown next to a field (tied to it through its id), or None."""
    found = re.search(
        rf'<p class="error" id="{field}-error">(.*?)</p>', response.get_data(as_text=True)
    )
    return unescape(found.group(1)) if found else None


@pytest.fixture
def manager(request, admin, wijkdocent):
    """Each test that uses it runs once as an admin and once as a wijkdocent."""
    return {"admin": admin, "wijkdocent": wijkdocent}[request.param]


both_managers = pytest.mark.parametrize("manager", ["admin", "wijkdocent"], indirect=True)


# --- who may use the pages ---------------------------------------------------------------------

PROTECTED = [
    ("GET", "/organisations/"),
    ("GET", "/organisations/new"),
    ("POST", "/organisations/new"),
    ("GET", "/organisations/{id}/edit"),
    ("POST", "/organisations/{id}/edit"),
]


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/organisations/", "<h1>Organisaties</h1>"),
        ("/organisations/new", "<h1>Nieuwe organisatie</h1>"),
        ("/organisations/{id}/edit", "<h1>Wijkpunt Feijenoord bewerken</h1>"),
    ],
)
@both_managers
def test_managers_may_open_organisation_pages(client, login_as, manager, url, heading):
    organisation = factories.make_organisation(name="Wijkpunt Feijenoord")
    login_as(manager)
    response = client.get(url.format(id=organisation.id))
    assert response.status_code == 200
    assert heading in response.get_data(as_text=True)


@pytest.mark.parametrize("method, url", PROTECTED)
@pytest.mark.parametrize("role", ["student", "supervisor"])
def test_students_and_supervisors_get_403_and_change_nothing(
    client, login_as, users_by_role, role, method, url
):
    organisation = factories.make_organisation(name="Wijkpunt Feijenoord", city="Rotterdam")
    before = organisation_count()
    login_as(users_by_role[role])
    response = client.open(
        url.format(id=organisation.id), method=method, data=form_data(name="Ingebroken")
    )
    assert response.status_code == 403
    assert organisation_count() == before
    assert organisation_named("Ingebroken") is None
    assert organisation_named("Wijkpunt Feijenoord").city == "Rotterdam"


@pytest.mark.parametrize("method, url", PROTECTED)
def test_anonymous_visitor_is_sent_to_login_and_changes_nothing(app, client, method, url):
    organisation = factories.make_organisation(name="Wijkpunt Feijenoord", city="Rotterdam")
    response = client.open(
        url.format(id=organisation.id), method=method, data=form_data(name="Ingebroken")
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert organisation_count() == 1
    assert organisation_named("Wijkpunt Feijenoord").city == "Rotterdam"


def test_post_without_csrf_token_is_refused_with_400_and_saves_nothing(
    csrf_app, client, login_as, admin
):
    login_as(admin)
    response = client.post("/organisations/new", data=form_data())
    assert response.status_code == 400
    assert organisation_count() == 0


def test_edit_without_csrf_token_is_refused_with_400_and_changes_nothing(
    csrf_app, client, login_as, admin
):
    organisation = factories.make_organisation(name="Wijkpunt Feijenoord")
    login_as(admin)
    response = client.post(f"/organisations/{organisation.id}/edit", data=form_data())
    assert response.status_code == 400
    assert organisation_named("Wijkpunt Feijenoord") is not None
    assert organisation_named("Buurthuis Zoë") is None


def test_post_with_the_forms_csrf_token_is_accepted(csrf_app, client, login_as, admin):
    login_as(admin)
    token = form_state(client.get("/organisations/new"))["csrf_token"][0]
    response = client.post("/organisations/new", data=form_data(csrf_token=token))
    assert response.status_code == 302
    assert organisation_named("Buurthuis Zoë") is not None


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_organisations_in_name_order(client, login_as, admin):
    for name in ("Wijkpunt Feijenoord", "Buurthuis Zoë", "ROC Mondriaan"):
        factories.make_organisation(name=name)
    login_as(admin)
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert listed_names(response) == ["Buurthuis Zoë", "ROC Mondriaan", "Wijkpunt Feijenoord"]


def test_list_shows_kind_city_and_neighbourhood(client, login_as, admin):
    wijk = factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    factories.make_organisation(
        name="Buurthuis Zoë", kind="partner", city="Den Haag", neighbourhood=wijk
    )
    login_as(admin)
    html = client.get("/organisations/").get_data(as_text=True)
    assert "Partnerorganisatie" in html
    assert "Den Haag · Schilderswijk" in html


def test_empty_list_invites_to_add_the_first_organisation(client, login_as, admin):
    login_as(admin)
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert "Nog geen organisaties." in response.get_data(as_text=True)
    assert listed_names(response) == []


def test_search_finds_name_with_diacritics(client, login_as, admin):
    factories.make_organisation(name="Buurthuis Zoë")
    factories.make_organisation(name="Buurthuis Zoeterwoude")
    login_as(admin)
    response = client.get("/organisations/", query_string={"q": "zoë"})
    assert response.status_code == 200
    assert listed_names(response) == ["Buurthuis Zoë"]


def test_search_ignores_case(client, login_as, admin):
    factories.make_organisation(name="Buurthuis Zoë")
    factories.make_organisation(name="Wijkpunt Feijenoord")
    login_as(admin)
    response = client.get("/organisations/", query_string={"q": "  BUURTHUIS "})
    assert listed_names(response) == ["Buurthuis Zoë"]


def test_search_matches_part_of_a_name(client, login_as, admin):
    factories.make_organisation(name="Buurtcentrum De Mussen")
    factories.make_organisation(name="Welzijn Schilderswijk")
    login_as(admin)
    response = client.get("/organisations/", query_string={"q": "mus"})
    assert listed_names(response) == ["Buurtcentrum De Mussen"]


@pytest.mark.parametrize(
    "q, expected",
    [("100%", ["Actie 100% Wijk"]), ("t_o", ["Buurt_Oost"])],
    ids=["percent", "underscore"],
)
def test_search_treats_percent_and_underscore_as_plain_characters(
    client, login_as, admin, q, expected
):
    for name in ("Actie 100% Wijk", "Actie 1000 Wijk", "Buurt_Oost", "BuurtXOost"):
        factories.make_organisation(name=name)
    login_as(admin)
    response = client.get("/organisations/", query_string={"q": q})
    assert listed_names(response) == expected


def test_search_without_results_says_so(client, login_as, admin):
    factories.make_organisation(name="Buurthuis Zoë")
    login_as(admin)
    response = client.get("/organisations/", query_string={"q": "bibliotheek"})
    assert response.status_code == 200
    assert listed_names(response) == []
    assert "Geen organisaties gevonden." in response.get_data(as_text=True)


def test_search_term_is_escaped_in_the_page(client, login_as, admin):
    login_as(admin)
    html = client.get("/organisations/", query_string={"q": '"><script>x()</script>'}).get_data(
        as_text=True
    )
    assert "<script>x()" not in html
    assert "&lt;script&gt;x()" in html


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("school", ["Haagse Hogeschool", "ROC Mondriaan"]),
        ("partner", ["Buurthuis Zoë", "Wijkpunt Feijenoord"]),
    ],
)
def test_filter_by_kind_shows_only_that_kind(client, login_as, admin, kind, expected):
    factories.make_organisation("school", name="ROC Mondriaan")
    factories.make_organisation("school", name="Haagse Hogeschool")
    factories.make_organisation("partner", name="Buurthuis Zoë")
    factories.make_organisation("partner", name="Wijkpunt Feijenoord")
    login_as(admin)
    response = client.get("/organisations/", query_string={"kind": kind})
    assert response.status_code == 200
    assert listed_names(response) == expected


def test_unknown_kind_filter_is_ignored(client, login_as, admin):
    factories.make_organisation("school", name="ROC Mondriaan")
    factories.make_organisation("partner", name="Buurthuis Zoë")
    login_as(admin)
    response = client.get("/organisations/", query_string={"kind": "bank"})
    assert response.status_code == 200
    assert listed_names(response) == ["Buurthuis Zoë", "ROC Mondriaan"]


def test_search_and_kind_filter_combine(client, login_as, admin):
    factories.make_organisation("school", name="Buurtschool De Regenboog")
    factories.make_organisation("partner", name="Buurthuis Zoë")
    login_as(admin)
    response = client.get("/organisations/", query_string={"q": "buurt", "kind": "school"})
    assert listed_names(response) == ["Buurtschool De Regenboog"]


@pytest.fixture
def thirty_organisations():
    for n in range(1, 31):
        factories.make_organisation(name=f"Organisatie {n:02d}")


def test_first_page_shows_25_organisations(client, login_as, admin, thirty_organisations):
    login_as(admin)
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert listed_names(response) == [f"Organisatie {n:02d}" for n in range(1, 26)]
    html = response.get_data(as_text=True)
    assert "Pagina 1 van 2" in html
    assert "30 resultaten" in html


def test_second_page_shows_the_remaining_5(client, login_as, admin, thirty_organisations):
    login_as(admin)
    response = client.get("/organisations/", query_string={"page": 2})
    assert response.status_code == 200
    assert listed_names(response) == [f"Organisatie {n:02d}" for n in range(26, 31)]
    assert "Pagina 2 van 2" in response.get_data(as_text=True)


def test_next_page_link_keeps_the_search(client, login_as, admin, thirty_organisations):
    factories.make_organisation(name="Buurthuis Zoë")
    login_as(admin)
    html = client.get("/organisations/", query_string={"q": "organisatie"}).get_data(as_text=True)
    assert 'href="/organisations/?q=organisatie&amp;page=2" rel="next"' in html


def test_invalid_page_number_shows_the_first_page(client, login_as, admin, thirty_organisations):
    login_as(admin)
    response = client.get("/organisations/", query_string={"page": "abc"})
    assert response.status_code == 200
    assert listed_names(response)[0] == "Organisatie 01"


# --- creating ----------------------------------------------------------------------------------


@both_managers
def test_manager_creates_organisation(client, login_as, manager):
    wijk = factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    login_as(manager)
    response = client.post(
        "/organisations/new",
        data=form_data(
            neighbourhood_id=str(wijk.id),
            is_recognised_training_company="y",
            suitable_levels=["hbo"],
            suitable_years=["3", "4"],
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/"
    saved = organisation_named("Buurthuis Zoë")
    assert saved.kind == OrganisationKind.PARTNER
    assert saved.city == "Den Haag"
    assert saved.neighbourhood_id == wijk.id
    assert saved.is_recognised_training_company is True
    assert saved.suitable_levels == frozenset({"hbo"})
    assert saved.suitable_years == frozenset({3, 4})


def test_creating_a_school_without_neighbourhood_stores_none(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/organisations/new",
        data=form_data(name="ROC Mondriaan", kind="school", suitable_levels=[], suitable_years=[]),
    )
    assert response.status_code == 302
    saved = organisation_named("ROC Mondriaan")
    assert saved.kind == OrganisationKind.SCHOOL
    assert saved.neighbourhood_id is None
    assert saved.is_recognised_training_company is False
    assert saved.suitable_levels == frozenset()
    assert saved.suitable_years == frozenset()


def test_created_organisation_is_confirmed_with_a_message(client, login_as, admin):
    login_as(admin)
    response = client.post("/organisations/new", data=form_data(), follow_redirects=True)
    assert response.status_code == 200
    assert "Organisatie Buurthuis Zoë opgeslagen." in response.get_data(as_text=True)
    assert organisation_count() == 1


def test_name_and_city_are_stored_without_surrounding_spaces(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/organisations/new", data=form_data(name="  Buurthuis Zoë \t", city=" Den Haag ")
    )
    assert response.status_code == 302
    saved = organisation_named("Buurthuis Zoë")
    assert saved is not None
    assert saved.city == "Den Haag"


def test_name_of_exactly_160_characters_is_accepted(client, login_as, admin):
    login_as(admin)
    response = client.post("/organisations/new", data=form_data(name="a" * 160))
    assert response.status_code == 302
    assert organisation_named("a" * 160) is not None


def test_new_form_opens_empty_with_status_200(client, login_as, admin):
    login_as(admin)
    response = client.get("/organisations/new")
    assert response.status_code == 200
    state = form_state(response)
    assert state["name"] == [""]
    assert state.get("suitable_levels", []) == []


def test_form_offers_every_neighbourhood(client, login_as, admin):
    factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    login_as(admin)
    html = client.get("/organisations/new").get_data(as_text=True)
    assert "Schilderswijk (Den Haag)" in html
    assert "Feijenoord (Rotterdam)" in html


@pytest.mark.parametrize(
    "existing, typed",
    [
        ("Buurthuis Zoë", "Buurthuis Zoë"),
        ("Buurthuis Zoë", "BUURTHUIS ZOË"),
        ("Buurthuis Zoë", "  buurthuis zoë  "),
        ("Stichting Één Buurt", "stichting één buurt"),
    ],
    ids=["same", "upper-case", "lower-case-with-spaces", "capital-accented-letter"],
)
def test_duplicate_name_is_refused_whatever_the_case(client, login_as, admin, existing, typed):
    factories.make_organisation(name=existing)
    login_as(admin)
    response = client.post("/organisations/new", data=form_data(name=typed))
    assert response.status_code == 422
    assert field_error(response, "name") == "Er is al een organisatie met deze naam."
    assert organisation_count() == 1


# Each case: the field that gets the message, and the submitted changes.
INVALID = {
    "name-too-long": ("name", {"name": "a" * 161}),
    "name-empty": ("name", {"name": ""}),
    "name-only-spaces": ("name", {"name": "   "}),
    "kind-missing": ("kind", {"kind": ""}),
    "kind-unknown": ("kind", {"kind": "bank"}),
    "city-too-long": ("city", {"city": "D" * 121}),
    "year-9": ("suitable_years", {"suitable_years": ["2", "9"]}),
    "year-not-a-number": ("suitable_years", {"suitable_years": ["twee"]}),
    "level-unknown": ("suitable_levels", {"suitable_levels": ["vwo"]}),
    "neighbourhood-999": ("neighbourhood_id", {"neighbourhood_id": "999"}),
    "neighbourhood-abc": ("neighbourhood_id", {"neighbourhood_id": "abc"}),
}


@pytest.mark.parametrize("field, changes", INVALID.values(), ids=INVALID.keys())
def test_invalid_new_organisation_is_refused_with_422_and_not_saved(
    client, login_as, admin, field, changes
):
    login_as(admin)
    response = client.post("/organisations/new", data=form_data(**changes))
    assert response.status_code == 422
    assert field_error(response, field)
    assert organisation_count() == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Dit veld is verplicht."),
        ({"name": "a" * 161}, "Veld mag niet langer zijn dan 160 karakters."),
        ({"kind": "bank"}, "Ongeldige keuze."),
        ({"suitable_years": ["9"]}, "'9' is een ongeldige keuze voor dit veld."),
        ({"neighbourhood_id": "999"}, "Kies een van de mogelijkheden uit de lijst."),
    ],
    ids=["required", "too-long", "kind", "year", "neighbourhood"],
)
def test_field_errors_are_in_dutch(client, login_as, admin, changes, message):
    login_as(admin)
    response = client.post("/organisations/new", data=form_data(**changes))
    assert response.status_code == 422
    [field] = changes
    assert field_error(response, field) == message
    assert "Controleer de velden met een melding hieronder." in response.get_data(as_text=True)
    assert organisation_count() == 0


def test_failed_submit_keeps_what_the_user_typed(client, login_as, admin):
    wijk = factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    login_as(admin)
    response = client.post(
        "/organisations/new",
        data=form_data(
            name="Buurthuis Zoë & Co",
            kind="school",
            city="Den Haag",
            neighbourhood_id=str(wijk.id),
            is_recognised_training_company="y",
            suitable_levels=["hbo"],
            suitable_years=["4", "9"],
        ),
    )
    assert response.status_code == 422
    state = form_state(response)
    assert state["name"] == ["Buurthuis Zoë & Co"]
    assert state["kind"] == ["school"]
    assert state["city"] == ["Den Haag"]
    assert state["neighbourhood_id"] == [str(wijk.id)]
    assert state["is_recognised_training_company"] == ["y"]
    assert state["suitable_levels"] == ["hbo"]
    assert state["suitable_years"] == ["4"]
    assert organisation_count() == 0


def test_refused_duplicate_keeps_what_the_user_typed(client, login_as, admin):
    factories.make_organisation(name="Buurthuis Zoë")
    login_as(admin)
    response = client.post(
        "/organisations/new", data=form_data(name="BUURTHUIS ZOË", city="Rotterdam")
    )
    assert response.status_code == 422
    state = form_state(response)
    assert state["name"] == ["BUURTHUIS ZOË"]
    assert state["city"] == ["Rotterdam"]
    assert organisation_named("Buurthuis Zoë").city == "Den Haag"


# --- editing -----------------------------------------------------------------------------------


def test_edit_form_shows_the_current_values(client, login_as, wijkdocent):
    wijk = factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    organisation = factories.make_organisation(
        "partner",
        name="Wijkpunt Feijenoord",
        city="Rotterdam",
        neighbourhood=wijk,
        is_recognised_training_company=True,
        suitable_levels=frozenset({"mbo"}),
        suitable_years=frozenset({1, 3}),
    )
    login_as(wijkdocent)
    response = client.get(f"/organisations/{organisation.id}/edit")
    assert response.status_code == 200
    state = form_state(response)
    assert state["name"] == ["Wijkpunt Feijenoord"]
    assert state["kind"] == ["partner"]
    assert state["city"] == ["Rotterdam"]
    assert state["neighbourhood_id"] == [str(wijk.id)]
    assert state["is_recognised_training_company"] == ["y"]
    assert state["suitable_levels"] == ["mbo"]
    assert state["suitable_years"] == ["1", "3"]


@both_managers
def test_manager_edits_organisation(client, login_as, manager):
    old_wijk = factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    new_wijk = factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    organisation = factories.make_organisation(
        "partner", name="Buurthuis Zoe", neighbourhood=old_wijk
    )
    login_as(manager)
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data=form_data(
            name="Buurthuis Zoë",
            city="Rotterdam",
            neighbourhood_id=str(new_wijk.id),
            is_recognised_training_company="y",
            suitable_levels=["mbo"],
            suitable_years=["1"],
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/"
    saved = reloaded(organisation)
    assert saved.name == "Buurthuis Zoë"
    assert saved.city == "Rotterdam"
    assert saved.neighbourhood_id == new_wijk.id
    assert saved.is_recognised_training_company is True
    assert saved.suitable_levels == frozenset({"mbo"})
    assert saved.suitable_years == frozenset({1})
    assert organisation_count() == 1


def test_edit_clears_neighbourhood_levels_years_and_recognition(client, login_as, admin):
    organisation = factories.make_organisation(
        "partner",
        name="Buurthuis Zoë",
        neighbourhood=factories.make_neighbourhood(),
        is_recognised_training_company=True,
    )
    login_as(admin)
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data=form_data(neighbourhood_id="", suitable_levels=[], suitable_years=[]),
    )
    assert response.status_code == 302
    saved = reloaded(organisation)
    assert saved.neighbourhood_id is None
    assert saved.is_recognised_training_company is False
    assert saved.suitable_levels == frozenset()
    assert saved.suitable_years == frozenset()


def test_edit_may_change_only_the_case_of_its_own_name(client, login_as, admin):
    organisation = factories.make_organisation(name="buurthuis zoë")
    login_as(admin)
    response = client.post(
        f"/organisations/{organisation.id}/edit", data=form_data(name="Buurthuis Zoë")
    )
    assert response.status_code == 302
    saved = reloaded(organisation)
    assert saved.name == "Buurthuis Zoë"


def test_edit_to_the_name_of_another_organisation_is_refused(client, login_as, admin):
    factories.make_organisation(name="Buurthuis Zoë")
    other = factories.make_organisation(name="Wijkpunt Feijenoord", city="Rotterdam")
    login_as(admin)
    response = client.post(
        f"/organisations/{other.id}/edit", data=form_data(name="buurthuis ZOË", city="Delft")
    )
    assert response.status_code == 422
    assert field_error(response, "name") == "Er is al een organisatie met deze naam."
    assert form_state(response)["name"] == ["buurthuis ZOË"]
    saved = reloaded(other)
    assert saved.name == "Wijkpunt Feijenoord"
    assert saved.city == "Rotterdam"


@pytest.mark.parametrize("field, changes", INVALID.values(), ids=INVALID.keys())
def test_invalid_edit_is_refused_with_422_and_changes_nothing(
    client, login_as, admin, field, changes
):
    organisation = factories.make_organisation(
        "school", name="ROC Mondriaan", city="Den Haag", suitable_years=frozenset({1})
    )
    login_as(admin)
    response = client.post(f"/organisations/{organisation.id}/edit", data=form_data(**changes))
    assert response.status_code == 422
    assert field_error(response, field)
    saved = reloaded(organisation)
    assert saved.name == "ROC Mondriaan"
    assert saved.kind == OrganisationKind.SCHOOL
    assert saved.suitable_years == frozenset({1})


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_organisation_gives_404(client, login_as, admin, method):
    login_as(admin)
    response = client.open("/organisations/999/edit", method=method, data=form_data())
    assert response.status_code == 404
    assert organisation_count() == 0


def test_a_schools_retention_period_is_set_in_the_form(app, client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/organisations/new",
        data={"name": "ROC Rijnmond", "kind": "school", "retention_years": "10"},
    )
    assert response.status_code == 302
    school = db.session.scalar(select(Organisation).where(Organisation.name == "ROC Rijnmond"))
    assert school.retention_years == 10


@pytest.mark.parametrize("value", ["0", "31", "zeven", "1e3"])
def test_a_retention_period_out_of_range_is_refused(app, client, login_as, admin, value):
    login_as(admin)
    response = client.post(
        "/organisations/new", data={"name": "ROC X", "kind": "school", "retention_years": value}
    )
    assert response.status_code == 422
    assert "bewaartermijn" in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(Organisation).where(Organisation.name == "ROC X")) is None


def test_the_institution_domain_is_kept_in_lower_case_and_emptied_when_cleared(
    client, login_as, admin
):
    login_as(admin)
    response = client.post("/organisations/new", data=form_data(schac_home="  HvA.nl "))
    assert response.status_code == 302
    school = db.session.scalar(select(Organisation).where(Organisation.name == "Buurthuis Zoë"))
    assert school.schac_home == "hva.nl"
    response = client.post(f"/organisations/{school.id}/edit", data=form_data(schac_home=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, school.id).schac_home is None


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("hva.nl", "Een andere organisatie heeft dit instellingsdomein al."),
        ("geen domein", "Vul een domein in, zoals hva.nl."),
        ("a" * 98 + ".nl", "Gebruik hoogstens 100 tekens."),
    ],
)
def test_a_taken_or_malformed_institution_domain_is_refused_next_to_the_field(
    client, login_as, admin, domain, message
):
    taken = factories.make_organisation(name="Hogeschool van Amsterdam")
    taken.schac_home = "hva.nl"
    db.session.commit()
    login_as(admin)
    response = client.post("/organisations/new", data=form_data(schac_home=domain))
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert message in html
    assert organisation_count() == 1
