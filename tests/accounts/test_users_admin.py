"""Admins create, edit, deactivate and reactivate users."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.forms import form_state
from wijklab.accounts.models import Level, Role, User
from wijklab.extensions import db


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def student_data(**overrides):
    data = {
        "name": "Ayşe Yılmaz",
        "email": "Ayse.Yilmaz@Example.org",
        "role": "student",
        "level": "mbo",
        "study_year": "2",
        "crebo": "25480",
        "available_weekdays": ["0", "2", "4"],
        "hours_per_week": "16",
        "agreed_bpv_hours": "400",
    }
    data.update(overrides)
    return data


def test_admin_sees_users_list(client, login_as, admin, student):
    login_as(admin)
    html = client.get("/users").get_data(as_text=True)
    assert student.name in html and admin.name in html


def test_users_list_searches_name_with_diacritics(client, login_as, admin):
    factories.make_user(name="Zoë de Wit")
    factories.make_user(name="Jan Jansen")
    login_as(admin)
    html = client.get("/users", query_string={"q": "Zoë"}).get_data(as_text=True)
    assert "Zoë de Wit" in html and "Jan Jansen" not in html


def test_users_list_filters_by_role_and_paginates(client, login_as, admin):
    for i in range(30):
        factories.make_user(role="student", name=f"Student {i:02d}")
    login_as(admin)
    page1 = client.get("/users", query_string={"role": "student"}).get_data(as_text=True)
    page2 = client.get("/users", query_string={"role": "student", "page": 2}).get_data(as_text=True)
    assert "Student 00" in page1 and "Student 29" not in page1
    assert "Student 29" in page2 and admin.name not in page2.split("<main")[1]
    assert "Pagina 2 van 2" in page2


def test_users_list_survives_a_nonsense_page_number(client, login_as, admin):
    login_as(admin)
    assert client.get("/users?page=abc").status_code == 200
    assert client.get("/users?page=9999").status_code == 200
    assert client.get("/users?page=-3").status_code == 200


def test_admin_creates_a_student_with_profile(client, login_as, admin):
    school = factories.make_organisation("school", name="ROC Mondriaan")
    login_as(admin)
    response = client.post("/users/new", data=student_data(school_id=str(school.id)))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ayse.yilmaz@example.org"))
    assert user.role == Role.STUDENT and user.name == "Ayşe Yılmaz"
    profile = user.student_profile
    assert profile.level == Level.MBO and profile.study_year == 2 and profile.crebo == "25480"
    assert profile.available_weekdays == frozenset({0, 2, 4})
    assert profile.school_id == school.id and profile.agreed_bpv_hours == 400


def test_admin_creates_a_supervisor_of_a_partner(client, login_as, admin):
    partner = factories.make_organisation("partner", name="Wijkpunt Feijenoord")
    login_as(admin)
    response = client.post(
        "/users/new",
        data={
            "name": "Rayen Kromosoeto",
            "email": "rayen@example.org",
            "role": "supervisor",
            "organisation_id": str(partner.id),
            "job_title": "Coördinator",
            "supervision_hours_per_week": "6",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "rayen@example.org"))
    assert user.supervisor_profile.organisation_id == partner.id
    assert user.supervisor_profile.supervision_hours_per_week == 6
    assert user.student_profile is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": ""}, "Dit veld is verplicht."),
        ({"email": "geen-adres"}, "Dit is geen geldig e-mailadres."),
        ({"email": "a" * 250 + "@example.org"}, "254"),
        ({"name": ""}, "Dit veld is verplicht."),
        ({"name": "x" * 121}, "120"),
        ({"role": "superuser"}, "ongeldige keuze"),
        ({"level": ""}, "Kies het niveau"),
        ({"study_year": "5"}, "1, 2, 3 of 4"),
        ({"study_year": "twee"}, "Ongeldig getal"),
        ({"crebo": "12a45"}, "vijf cijfers"),
        ({"hours_per_week": "99"}, "0 tot en met 40"),
        ({"available_weekdays": ["9"]}, "ongeldige keuze"),
        ({"school_id": "999"}, "Kies een van de mogelijkheden"),
        ({"school_id": "abc"}, "Ongeldige keuze"),
    ],
)
def test_bad_user_input_is_refused_next_to_the_field(client, login_as, admin, overrides, message):
    login_as(admin)
    before = user_count()
    response = client.post("/users/new", data=student_data(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.lower() in html.lower()
    assert user_count() == before


def test_failed_create_keeps_what_was_typed(client, login_as, admin):
    login_as(admin)
    response = client.post("/users/new", data=student_data(study_year="5"))
    assert response.status_code == 422
    state = form_state(response)
    assert state["name"] == ["Ayşe Yılmaz"]
    assert state["email"] == ["Ayse.Yilmaz@Example.org"]
    assert state["crebo"] == ["25480"]
    assert state["level"] == ["mbo"]
    assert state["study_year"] == ["5"]
    assert sorted(state["available_weekdays"]) == ["0", "2", "4"]
    assert state["hours_per_week"] == ["16"] and state["agreed_bpv_hours"] == ["400"]
    assert "password" not in state  # nobody types another person's password


def test_duplicate_email_is_refused_ignoring_case(client, login_as, admin):
    factories.make_user(email="ayse.yilmaz@example.org")
    login_as(admin)
    before = user_count()
    response = client.post("/users/new", data=student_data(email="AYSE.YILMAZ@example.org"))
    assert response.status_code == 422
    assert "Er is al een account met dit e-mailadres." in response.get_data(as_text=True)
    assert user_count() == before


def test_school_cannot_be_a_supervisors_organisation(client, login_as, admin):
    school = factories.make_organisation("school")
    login_as(admin)
    before = user_count()
    response = client.post(
        "/users/new",
        data={
            "name": "Iemand",
            "email": "iemand@example.org",
            "role": "supervisor",
            "organisation_id": str(school.id),
        },
    )
    assert response.status_code == 422
    assert user_count() == before


def test_supervisor_without_organisation_is_refused(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/users/new",
        data={
            "name": "Iemand",
            "email": "iemand@example.org",
            "role": "supervisor",
        },
    )
    assert response.status_code == 422
    assert "Kies de partnerorganisatie." in response.get_data(as_text=True)


def test_admin_edits_a_user(client, login_as, admin, student):
    login_as(admin)
    form = client.get(f"/users/{student.id}/edit").get_data(as_text=True)
    assert student.email in form
    response = client.post(
        f"/users/{student.id}/edit",
        data=student_data(name="Zoë van den Berg-Yılmaz", email=student.email, study_year="3"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, student.id)
    assert user.name == "Zoë van den Berg-Yılmaz" and user.student_profile.study_year == 3


def test_editing_to_another_users_email_is_refused(client, login_as, admin, student, wijkdocent):
    login_as(admin)
    response = client.post(f"/users/{student.id}/edit", data=student_data(email=wijkdocent.email))
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, student.id).email != wijkdocent.email


def test_changing_role_to_wijkdocent_drops_the_student_profile(client, login_as, admin, student):
    login_as(admin)
    response = client.post(
        f"/users/{student.id}/edit",
        data={"name": student.name, "email": student.email, "role": "wijkdocent"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, student.id)
    assert user.role == Role.WIJKDOCENT and user.student_profile is None


def test_last_admin_cannot_lose_the_admin_role(client, login_as, admin):
    login_as(admin)
    response = client.post(
        f"/users/{admin.id}/edit",
        data={"name": admin.name, "email": admin.email, "role": "wijkdocent"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_edit_unknown_user_is_404(client, login_as, admin):
    login_as(admin)
    assert client.get("/users/9999/edit").status_code == 404


def test_admin_deactivates_and_reactivates_a_user(client, login_as, admin, student):
    login_as(admin)
    assert client.post(f"/users/{student.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).is_active is False
    assert client.post(f"/users/{student.id}/reactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).is_active is True


def test_admin_cannot_deactivate_themselves(client, login_as, admin):
    login_as(admin)
    assert client.post(f"/users/{admin.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active is True


def test_deactivate_is_post_only(client, login_as, admin, student):
    login_as(admin)
    assert client.get(f"/users/{student.id}/deactivate").status_code == 405


def test_deactivate_unknown_user_is_404(client, login_as, admin):
    login_as(admin)
    assert client.post("/users/9999/deactivate").status_code == 404


@pytest.mark.parametrize("role", ["wijkdocent", "student", "supervisor"])
def test_non_admin_cannot_deactivate(client, login_as, users_by_role, role):
    target = factories.make_user(role="student")
    login_as(users_by_role[role])
    assert client.post(f"/users/{target.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, target.id).is_active is True


@pytest.mark.parametrize("role", ["student", "supervisor"])
def test_non_admin_cannot_create_users(client, login_as, users_by_role, role):
    login_as(users_by_role[role])
    before = user_count()
    assert client.post("/users/new", data=student_data()).status_code == 403
    assert user_count() == before
