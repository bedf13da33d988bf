"""Neighbourhoods: the list (search, pages), creating and editing, and who may do so."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from tests import factories
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood

DESCRIPTION = "Dichtbevolkte wijk met veel jonge gezinnen; thema's zijn eenzaamheid en schulden."


# The tests keep one app context, and so one session, open across requests; the test client rolls
# back what a request left uncommitted. Expire what the session holds before reading, so that what
# a request committed is read from the database.


def neighbourhood_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Neighbourhood.id)))


def neighbourhood_named(name: str, city: str) -> Neighbourhood | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Neighbourhood).where(Neighbourhood.name == name, Neighbourhood.city == city)
    )


def reloaded(neighbourhood: Neighbourhood) -> Neighbourhood:
    db.session.expire_all()
    return db.session.get(Neighbourhood, neighbourhood.id)


def form_data(**changes) -> dict:
    """A valid submission of the neighbourhood form, with some fields changed."""
    data = {"name": "Schilderswijk", "city": "Den Haag", "description": DESCRIPTION}
    data.update(changes)
    return data


def listed(response) -> list[tuple[str, str]]:
    """(name, city) of each neighbourhood on the list page, in order."""
    html = response.get_data(as_text=True)
    pattern = (
        r'<h2><a href="/neighbourhoods/\d+/edit">([^<]*)</a></h2>\s*<p class="meta">([^<]*)</p>'
    )
    return [(unescape(name), unescape(city)) for name, city in re.findall(pattern, html)]


def field_error(response, field: str) -> str | None:
    """The error shown next to a field (tied to it through its id), or None."""
    html = response.get_data(as_text=True)
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html)
    return unescape(found.group(1)) if found else None


def typed_value(response, field: str) -> str | None:
    """The value a text input or textarea of the form shows."""
    html = response.get_data(as_text=True)
    found = re.search(rf'<input [^>]*name="{field}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<textarea [^>]*name="{field}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S
    )
    return unescape(found.group(1)) if found else None


@pytest.fixture
def manager(request, admin, wijkdocent):
    """Each test that uses it runs once as an admin and once as a wijkdocent."""
    return {"admin": admin, "wijkdocent": wijkdocent}[request.param]


both_managers = pytest.mark.parametrize("manager", ["admin", "wijkdocent"], indirect=True)


# --- who may use the pages ---------------------------------------------------------------------

PROTECTED = [
    ("GET", "/neighbourhoods/"),
    ("GET", "/neighbourhoods/new"),
    ("POST", "/neighbourhoods/new"),
    ("GET", "/neighbourhoods/{id}/edit"),
    ("POST", "/neighbourhoods/{id}/edit"),
]


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/neighbourhoods/", "<h1>Wijken</h1>"),
        ("/neighbourhoods/new", "<h1>Nieuwe wijk</h1>"),
        ("/neighbourhoods/{id}/edit", "<h1>Feijenoord bewerken</h1>"),
    ],
)
@both_managers
def test_managers_may_open_neighbourhood_pages(client, login_as, manager, url, heading):
    neighbourhood = factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    login_as(manager)
    response = client.get(url.format(id=neighbourhood.id))
    assert response.status_code == 200
    assert heading in response.get_data(as_text=True)


@pytest.mark.parametrize("method, url", PROTECTED)
@pytest.mark.parametrize("role", ["student", "supervisor"])
def test_students_and_supervisors_get_403_and_change_nothing(
    client, login_as, users_by_role, role, method, url
):
    neighbourhood = factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    login_as(users_by_role[role])
    response = client.open(url.format(id=neighbourhood.id), method=method, data=form_data())
    assert response.status_code == 403
    assert neighbourhood_count() == 1
    assert reloaded(neighbourhood).name == "Feijenoord"


@pytest.mark.parametrize("method, url", PROTECTED)
def test_anonymous_visitor_is_sent_to_login_and_changes_nothing(app, client, method, url):
    neighbourhood = factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    response = client.open(url.format(id=neighbourhood.id), method=method, data=form_data())
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert neighbourhood_count() == 1
    assert reloaded(neighbourhood).name == "Feijenoord"


def test_post_without_csrf_token_is_refused_with_400_and_saves_nothing(
    csrf_app, client, login_as, admin
):
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data())
    assert response.status_code == 400
    assert neighbourhood_count() == 0


def test_edit_without_csrf_token_is_refused_with_400_and_changes_nothing(
    csrf_app, client, login_as, admin
):
    neighbourhood = factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    login_as(admin)
    response = client.post(f"/neighbourhoods/{neighbourhood.id}/edit", data=form_data())
    assert response.status_code == 400
    assert reloaded(neighbourhood).name == "Feijenoord"


def test_post_with_the_forms_csrf_token_is_accepted(csrf_app, client, login_as, admin):
    login_as(admin)
    page = client.get("/neighbourhoods/new").get_data(as_text=True)
    token = re.search(
        r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    )
    response = client.post("/neighbourhoods/new", data=form_data(csrf_token=token.group(1)))
    assert response.status_code == 302
    assert neighbourhood_named("Schilderswijk", "Den Haag") is not None


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_neighbourhoods_by_city_then_name(client, login_as, admin):
    factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    factories.make_neighbourhood(name="Transvaal", city="Den Haag")
    factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    login_as(admin)
    response = client.get("/neighbourhoods/")
    assert response.status_code == 200
    assert listed(response) == [
        ("Schilderswijk", "Den Haag"),
        ("Transvaal", "Den Haag"),
        ("Feijenoord", "Rotterdam"),
    ]


def test_list_shows_the_description(client, login_as, admin):
    factories.make_neighbourhood(name="Schilderswijk", description=DESCRIPTION)
    login_as(admin)
    html = client.get("/neighbourhoods/").get_data(as_text=True)
    assert unescape(DESCRIPTION) in unescape(html)


def test_empty_list_invites_to_add_the_first_neighbourhood(client, login_as, admin):
    login_as(admin)
    response = client.get("/neighbourhoods/")
    assert response.status_code == 200
    assert "Nog geen wijken." in response.get_data(as_text=True)
    assert listed(response) == []


def test_search_finds_by_name(client, login_as, admin):
    factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    factories.make_neighbourhood(name="Transvaal", city="Den Haag")
    login_as(admin)
    response = client.get("/neighbourhoods/", query_string={"q": "SCHILDERS"})
    assert response.status_code == 200
    assert listed(response) == [("Schilderswijk", "Den Haag")]


def test_search_finds_by_city(client, login_as, admin):
    factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    factories.make_neighbourhood(name="Feijenoord", city="Rotterdam")
    factories.make_neighbourhood(name="Afrikaanderwijk", city="Rotterdam")
    login_as(admin)
    response = client.get("/neighbourhoods/", query_string={"q": " rotterdam "})
    assert listed(response) == [("Afrikaanderwijk", "Rotterdam"), ("Feijenoord", "Rotterdam")]


def test_search_finds_name_with_diacritics(client, login_as, admin):
    factories.make_neighbourhood(name="Rivièrawijk", city="Leiden")
    factories.make_neighbourhood(name="Rivierenbuurt", city="Leiden")
    login_as(admin)
    response = client.get("/neighbourhoods/", query_string={"q": "rivièra"})
    assert listed(response) == [("Rivièrawijk", "Leiden")]


@pytest.mark.parametrize(
    "q, expected",
    [("100%", [("Wijk 100% Groen", "Delft")]), ("t_o", [("Buurt_Oost", "Delft")])],
    ids=["percent", "underscore"],
)
def test_search_treats_percent_and_underscore_as_plain_characters(
    client, login_as, admin, q, expected
):
    for name in ("Wijk 100% Groen", "Wijk 1000 Groen", "Buurt_Oost", "BuurtXOost"):
        factories.make_neighbourhood(name=name, city="Delft")
    login_as(admin)
    response = client.get("/neighbourhoods/", query_string={"q": q})
    assert listed(response) == expected


def test_search_without_results_names_the_search_term_escaped(client, login_as, admin):
    factories.make_neighbourhood(name="Schilderswijk")
    login_as(admin)
    response = client.get("/neighbourhoods/", query_string={"q": "<b>Zoë</b>"})
    assert response.status_code == 200
    assert listed(response) == []
    html = response.get_data(as_text=True)
    assert "Geen wijken gevonden voor ‘&lt;b&gt;Zoë&lt;/b&gt;’." in html
    assert "<b>Zoë</b>" not in html


@pytest.fixture
def thirty_neighbourhoods():
    for n in range(1, 31):
        factories.make_neighbourhood(name=f"Wijk {n:02d}", city="Utrecht")


def test_first_page_shows_25_neighbourhoods(client, login_as, admin, thirty_neighbourhoods):
    login_as(admin)
    response = client.get("/neighbourhoods/")
    assert response.status_code == 200
    assert [name for name, _ in listed(response)] == [f"Wijk {n:02d}" for n in range(1, 26)]
    html = response.get_data(as_text=True)
    assert "Pagina 1 van 2" in html
    assert "30 resultaten" in html


def test_second_page_shows_the_remaining_5(client, login_as, admin, thirty_neighbourhoods):
    login_as(admin)
    response = client.get("/neighbourhoods/", query_string={"page": 2})
    assert response.status_code == 200
    assert [name for name, _ in listed(response)] == [f"Wijk {n:02d}" for n in range(26, 31)]
    assert "Pagina 2 van 2" in response.get_data(as_text=True)


def test_next_page_link_keeps_the_search(client, login_as, admin, thirty_neighbourhoods):
    login_as(admin)
    html = client.get("/neighbourhoods/", query_string={"q": "utrecht"}).get_data(as_text=True)
    assert 'href="/neighbourhoods/?q=utrecht&amp;page=2" rel="next"' in html


# --- creating ----------------------------------------------------------------------------------


@both_managers
def test_manager_creates_neighbourhood(client, login_as, manager):
    login_as(manager)
    response = client.post("/neighbourhoods/new", data=form_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/neighbourhoods/"
    saved = neighbourhood_named("Schilderswijk", "Den Haag")
    assert saved.description == DESCRIPTION
    assert neighbourhood_count() == 1


def test_created_neighbourhood_is_confirmed_with_a_message(client, login_as, admin):
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data(), follow_redirects=True)
    assert response.status_code == 200
    assert "Wijk Schilderswijk opgeslagen." in response.get_data(as_text=True)
    assert neighbourhood_count() == 1


def test_description_is_optional(client, login_as, admin):
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data(description=""))
    assert response.status_code == 302
    assert neighbourhood_named("Schilderswijk", "Den Haag").description == ""


def test_fields_are_stored_without_surrounding_spaces(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/neighbourhoods/new",
        data=form_data(name="  Schilderswijk ", city=" Den Haag\t", description="  Druk.  "),
    )
    assert response.status_code == 302
    assert neighbourhood_named("Schilderswijk", "Den Haag").description == "Druk."


def test_description_of_exactly_4000_characters_is_accepted(client, login_as, admin):
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data(description="a" * 4000))
    assert response.status_code == 302
    assert neighbourhood_named("Schilderswijk", "Den Haag").description == "a" * 4000


def test_same_name_in_another_city_is_allowed(client, login_as, admin):
    factories.make_neighbourhood(name="Centrum", city="Leiden")
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data(name="Centrum", city="Zwolle"))
    assert response.status_code == 302
    assert neighbourhood_named("Centrum", "Zwolle") is not None
    assert neighbourhood_count() == 2


@pytest.mark.parametrize(
    "existing, typed",
    [
        (("Schilderswijk", "Den Haag"), ("Schilderswijk", "Den Haag")),
        (("Schilderswijk", "Den Haag"), ("SCHILDERSWIJK", "den haag")),
        (("Rivièrawijk", "Leiden"), ("RIVIÈRAWIJK", "LEIDEN")),
        (("Élisabethwijk", "Leiden"), ("élisabethwijk", "leiden")),
    ],
    ids=["same", "other-case", "accented-letter", "capital-accented-letter"],
)
def test_duplicate_name_in_the_same_city_is_refused_whatever_the_case(
    client, login_as, admin, existing, typed
):
    factories.make_neighbourhood(name=existing[0], city=existing[1])
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data(name=typed[0], city=typed[1]))
    assert response.status_code == 422
    assert field_error(response, "name") == "Deze wijk bestaat al in deze plaats."
    assert neighbourhood_count() == 1


# Each case: the field that gets the message, and the submitted changes.
INVALID = {
    "name-too-long": ("name", {"name": "a" * 121}),
    "name-empty": ("name", {"name": ""}),
    "name-only-spaces": ("name", {"name": "   "}),
    "city-too-long": ("city", {"city": "D" * 121}),
    "city-empty": ("city", {"city": ""}),
    "description-too-long": ("description", {"description": "a" * 4001}),
}


@pytest.mark.parametrize("field, changes", INVALID.values(), ids=INVALID.keys())
def test_invalid_new_neighbourhood_is_refused_with_422_and_not_saved(
    client, login_as, admin, field, changes
):
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data(**changes))
    assert response.status_code == 422
    assert field_error(response, field)
    assert neighbourhood_count() == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"city": ""}, "Dit veld is verplicht."),
        ({"name": "a" * 121}, "Veld mag niet langer zijn dan 120 karakters."),
        ({"description": "a" * 4001}, "Veld mag niet langer zijn dan 4000 karakters."),
    ],
    ids=["required", "name-too-long", "description-too-long"],
)
def test_field_errors_are_in_dutch(client, login_as, admin, changes, message):
    login_as(admin)
    response = client.post("/neighbourhoods/new", data=form_data(**changes))
    assert response.status_code == 422
    [field] = changes
    assert field_error(response, field) == message
    assert neighbourhood_count() == 0


def test_failed_submit_keeps_what_the_user_typed(client, login_as, admin):
    login_as(admin)
    description = "Veel ouderen & jonge gezinnen.\nThema: ontmoeting."
    response = client.post(
        "/neighbourhoods/new",
        data=form_data(name="Schilderswijk", city="", description=description),
    )
    assert response.status_code == 422
    assert typed_value(response, "name") == "Schilderswijk"
    assert typed_value(response, "description") == description
    assert neighbourhood_count() == 0


def test_refused_duplicate_keeps_what_the_user_typed(client, login_as, admin):
    factories.make_neighbourhood(name="Schilderswijk", city="Den Haag", description="Oud.")
    login_as(admin)
    response = client.post(
        "/neighbourhoods/new", data=form_data(name="schilderswijk", description="Nieuw.")
    )
    assert response.status_code == 422
    assert typed_value(response, "name") == "schilderswijk"
    assert typed_value(response, "description") == "Nieuw."
    assert neighbourhood_named("Schilderswijk", "Den Haag").description == "Oud."


# --- editing -----------------------------------------------------------------------------------


def test_edit_form_shows_the_current_values(client, login_as, wijkdocent):
    neighbourhood = factories.make_neighbourhood(
        name="Feijenoord", city="Rotterdam", description=DESCRIPTION
    )
    login_as(wijkdocent)
    response = client.get(f"/neighbourhoods/{neighbourhood.id}/edit")
    assert response.status_code == 200
    assert typed_value(response, "name") == "Feijenoord"
    assert typed_value(response, "city") == "Rotterdam"
    assert typed_value(response, "description") == DESCRIPTION


@both_managers
def test_manager_edits_neighbourhood(client, login_as, manager):
    neighbourhood = factories.make_neighbourhood(name="Schilderswyk", city="Den Haag")
    login_as(manager)
    response = client.post(
        f"/neighbourhoods/{neighbourhood.id}/edit",
        data=form_data(name="Schilderswijk", city="Den Haag", description="Bijgewerkt."),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/neighbourhoods/"
    saved = reloaded(neighbourhood)
    assert (saved.name, saved.city, saved.description) == (
        "Schilderswijk",
        "Den Haag",
        "Bijgewerkt.",
    )
    assert neighbourhood_count() == 1


def test_edit_may_keep_its_own_name_and_change_its_case(client, login_as, admin):
    neighbourhood = factories.make_neighbourhood(name="schilderswijk", city="Den Haag")
    login_as(admin)
    response = client.post(
        f"/neighbourhoods/{neighbourhood.id}/edit", data=form_data(name="Schilderswijk")
    )
    assert response.status_code == 302
    assert reloaded(neighbourhood).name == "Schilderswijk"


def test_edit_to_a_name_taken_in_the_same_city_is_refused(client, login_as, admin):
    factories.make_neighbourhood(name="Schilderswijk", city="Den Haag")
    other = factories.make_neighbourhood(name="Transvaal", city="Den Haag", description="Oud.")
    login_as(admin)
    response = client.post(
        f"/neighbourhoods/{other.id}/edit",
        data=form_data(name="schilderswijk", city="DEN HAAG", description="Nieuw."),
    )
    assert response.status_code == 422
    assert field_error(response, "name") == "Deze wijk bestaat al in deze plaats."
    assert typed_value(response, "name") == "schilderswijk"
    saved = reloaded(other)
    assert (saved.name, saved.description) == ("Transvaal", "Oud.")


def test_edit_moving_to_a_city_where_the_name_is_free_is_allowed(client, login_as, admin):
    factories.make_neighbourhood(name="Centrum", city="Leiden")
    other = factories.make_neighbourhood(name="Centrum", city="Almere")
    login_as(admin)
    response = client.post(
        f"/neighbourhoods/{other.id}/edit", data=form_data(name="Centrum", city="Zwolle")
    )
    assert response.status_code == 302
    assert reloaded(other).city == "Zwolle"


@pytest.mark.parametrize("field, changes", INVALID.values(), ids=INVALID.keys())
def test_invalid_edit_is_refused_with_422_and_changes_nothing(
    client, login_as, admin, field, changes
):
    neighbourhood = factories.make_neighbourhood(
        name="Feijenoord", city="Rotterdam", description="Oud."
    )
    login_as(admin)
    response = client.post(f"/neighbourhoods/{neighbourhood.id}/edit", data=form_data(**changes))
    assert response.status_code == 422
    assert field_error(response, field)
    saved = reloaded(neighbourhood)
    assert (saved.name, saved.city, saved.description) == ("Feijenoord", "Rotterdam", "Oud.")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_neighbourhood_gives_404(client, login_as, admin, method):
    login_as(admin)
    response = client.open("/neighbourhoods/999/edit", method=method, data=form_data())
    assert response.status_code == 404
    assert neighbourhood_count() == 0
