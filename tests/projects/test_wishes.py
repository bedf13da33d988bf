"""Students' own availability and project wishes (issue 15), and the wijkdocent's overview."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.test_query_counts import count_for
from wijklab.accounts.models import StudentProfile
from wijklab.activity.models import AuditEvent, Notification
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.projects import wishes
from wijklab.projects.models import ProjectStatus, ProjectWish

ACTIVE = ProjectStatus.ACTIVE


@pytest.fixture(autouse=True)
def _today(app, clock):
    clock.set(date(2026, 11, 2))
    return clock


@pytest.fixture
def world(app, wijkdocent):
    school = factories.make_organisation("school", name="ROC Mondriaan")
    partner = factories.make_organisation("partner", suitable_years=frozenset({2, 3, 4}))
    projects = [
        factories.make_project(owner=wijkdocent, partner=partner, status=ACTIVE, title=title)
        for title in ("Buurtmaaltijd", "Taalcafé", "Moestuin", "Huiswerkklas")
    ]
    student = factories.make_student(
        name="Zoë van den Berg",
        school=school,
        study_year=2,
        available_weekdays=frozenset({0, 1, 2}),
        hours_per_week=16,
    )
    return {"school": school, "partner": partner, "projects": projects, "student": student}


def profile_of(user) -> StudentProfile:
    db.session.expire_all()
    return db.session.scalar(select(StudentProfile).where(StudentProfile.user_id == user.id))


def wishes_of(user) -> list[tuple[int, int, str]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(ProjectWish).where(ProjectWish.student_id == user.id).order_by(ProjectWish.rank)
    )
    return [(w.rank, w.project_id, w.motivation) for w in rows]


def form(**overrides):
    data = {"available_weekdays": ["1", "3"], "hours_per_week": "12"}
    data.update(overrides)
    return data


def with_wishes(projects, motivations=("Ik kook graag.", "Ik spreek Arabisch.", "")):
    data = {}
    for rank, (project, motivation) in enumerate(zip(projects, motivations, strict=False), 1):
        data[f"project_{rank}"] = str(project.id)
        data[f"motivation_{rank}"] = motivation
    return data


def page(response) -> str:
    return response.get_data(as_text=True)


def unchanged(world) -> None:
    profile = profile_of(world["student"])
    assert profile.available_weekdays == frozenset({0, 1, 2})
    assert profile.hours_per_week == 16
    assert profile.wants_peer_coach is False
    assert profile.availability_set_at is None
    assert wishes_of(world["student"]) == []


# --- the student's form ----------------------------------------------------------------------


def test_form_starts_from_the_profile_values_and_links_each_brief(world, client, login_as):
    login_as(world["student"])
    response = client.get("/me/availability")
    html = page(response)
    assert response.status_code == 200
    checked = re.findall(
        r'<input[^>]*checked[^>]*value="(\d)"|<input[^>]*value="(\d)"[^>]*checked', html
    )
    assert {a or b for a, b in checked} == {"0", "1", "2"}
    assert re.search(r'name="hours_per_week"[^>]*value="16"', html)
    for project in world["projects"]:
        assert f'href="/projects/{project.id}/brief"' in html
    assert "Nog niet ingevuld" in html


def test_student_saves_days_hours_and_three_ranked_wishes(world, client, login_as):
    login_as(world["student"])
    p = world["projects"]
    response = client.post("/me/availability", data=form(**with_wishes(p[:3])))
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/availability"
    profile = profile_of(world["student"])
    assert profile.available_weekdays == frozenset({1, 3})
    assert profile.hours_per_week == 12
    assert profile.availability_set_at is not None
    assert wishes_of(world["student"]) == [
        (1, p[0].id, "Ik kook graag."),
        (2, p[1].id, "Ik spreek Arabisch."),
        (3, p[2].id, ""),
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "availability.saved"))
    assert event.actor_id == world["student"].id and event.object_id == world["student"].id
    html = page(client.get("/me/availability"))
    assert "Ik spreek Arabisch." in html and "Laatst ingevuld op" in html


def test_saving_again_replaces_the_earlier_wishes(world, client, login_as):
    login_as(world["student"])
    p = world["projects"]
    client.post("/me/availability", data=form(**with_wishes(p[:3])))
    response = client.post("/me/availability", data=form(**with_wishes([p[3], p[0]])))
    assert response.status_code == 302
    assert [(r, pid) for r, pid, _ in wishes_of(world["student"])] == [(1, p[3].id), (2, p[0].id)]


def test_no_wishes_at_all_is_fine(world, client, login_as):
    login_as(world["student"])
    response = client.post("/me/availability", data=form(available_weekdays=[]))
    assert response.status_code == 302
    profile = profile_of(world["student"])
    assert profile.available_weekdays == frozenset() and profile.availability_set_at is not None


@pytest.mark.parametrize(
    ("level", "year", "eligible"),
    [("mbo", 3, True), ("mbo", 4, True), ("hbo", 2, True), ("mbo", 2, False), ("hbo", 1, False)],
)
def test_peer_coach_wish_follows_level_and_year(world, client, login_as, level, year, eligible):
    student = factories.make_student(level=level, study_year=year, school=world["school"])
    login_as(student)
    html = page(client.get("/me/availability"))
    assert ('name="wants_peer_coach"' in html) is eligible
    assert ("dus deze keuze komt later" in html) is not eligible
    response = client.post("/me/availability", data=form(wants_peer_coach="y"))
    profile = profile_of(student)
    if eligible:
        assert response.status_code == 302
        assert profile.wants_peer_coach is True
    else:
        assert response.status_code == 422
        assert "Peercoach kun je zijn vanaf jaar 3" in page(response)
        assert profile.wants_peer_coach is False and profile.availability_set_at is None


def test_fourth_wish_is_refused_and_nothing_changes(world):
    p = world["projects"]
    data = wishes.AvailabilityData(
        weekdays=frozenset({1}),
        hours_per_week=8,
        wants_peer_coach=False,
        wishes=[wishes.WishChoice(rank, p[rank - 1].id) for rank in (1, 2, 3, 4)],
    )
    with pytest.raises(WijklabError, match="hoogstens drie"):
        wishes.save_availability(world["student"], data, by=world["student"])
    unchanged(world)


def test_a_fourth_slot_in_the_post_is_ignored(world, client, login_as):
    login_as(world["student"])
    p = world["projects"]
    data = form(**with_wishes(p[:3]), project_4=str(p[3].id), motivation_4="Ook nog")
    assert client.post("/me/availability", data=data).status_code == 302
    assert len(wishes_of(world["student"])) == 3


def test_the_same_project_twice_is_refused(world, client, login_as):
    login_as(world["student"])
    p = world["projects"]
    response = client.post("/me/availability", data=form(**with_wishes([p[0], p[1], p[0]])))
    assert response.status_code == 422
    html = page(response)
    assert "kies elk project maar één keer" in html
    assert "Ik kook graag." in html  # nothing typed is lost
    unchanged(world)


def test_a_gap_in_the_ranks_is_refused(world, client, login_as):
    login_as(world["student"])
    p = world["projects"]
    data = form(project_2=str(p[0].id), motivation_2="Graag")
    response = client.post("/me/availability", data=data)
    assert response.status_code == 422
    assert "Vul je keuzes op volgorde in" in page(response)
    unchanged(world)


def test_a_motivation_without_a_project_is_refused(world, client, login_as):
    login_as(world["student"])
    response = client.post("/me/availability", data=form(motivation_1="Iets met koken"))
    assert response.status_code == 422
    assert "Kies een project bij deze motivatie" in page(response)
    unchanged(world)


@pytest.mark.parametrize("closed", ["draft", "years", "school", "ended", "unknown"])
def test_a_project_not_open_to_the_student_is_refused(world, client, login_as, closed):
    if closed == "draft":
        project = factories.make_project(partner=world["partner"])
    elif closed == "years":
        partner = factories.make_organisation("partner", suitable_years=frozenset({3, 4}))
        project = factories.make_project(partner=partner, status=ACTIVE)
    elif closed == "school":
        other = factories.make_organisation("school")
        project = factories.make_project(partner=world["partner"], status=ACTIVE, school=other)
    elif closed == "ended":
        project = factories.make_project(
            partner=world["partner"],
            status=ACTIVE,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 6, 30),
        )
    project_id = 999_999 if closed == "unknown" else project.id
    login_as(world["student"])
    html = page(client.get("/me/availability"))
    assert f'<option value="{project_id}"' not in html
    response = client.post("/me/availability", data=form(project_1=str(project_id)))
    assert response.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in page(response)
    unchanged(world)
    # The service refuses it too, whatever the form lets through.
    data = wishes.AvailabilityData(frozenset({1}), 8, False, [wishes.WishChoice(1, project_id, "")])
    with pytest.raises(WijklabError, match="staat \\(niet meer\\) open"):
        wishes.save_availability(world["student"], data, by=world["student"])


def test_a_wish_for_a_project_that_closed_since_is_shown_and_explained(world, client, login_as):
    login_as(world["student"])
    p = world["projects"]
    client.post("/me/availability", data=form(**with_wishes(p[:1])))
    p[0].status = ProjectStatus.COMPLETED
    db.session.flush()
    html = page(client.get("/me/availability"))
    assert "(staat niet meer open)" in html
    response = client.post("/me/availability", data=form(**with_wishes(p[:1])))
    assert response.status_code == 422
    assert "staat (niet meer) open voor jou" in page(response)
    assert [pid for _, pid, _ in wishes_of(world["student"])] == [p[0].id]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"motivation_1": "x" * 501}, "hoogstens 500 tekens"),
        ({"hours_per_week": "41"}, "Kies 0 tot en met 40 uur."),
        ({"hours_per_week": "-1"}, "Kies 0 tot en met 40 uur."),
        ({"hours_per_week": ""}, "Dit veld is verplicht."),
        ({"hours_per_week": "veel"}, "Ongeldig getal."),
        ({"available_weekdays": ["7"]}, "ongeldige keuze"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(world, client, login_as, overrides, message):
    login_as(world["student"])
    data = form(**with_wishes(world["projects"][:1]))
    data.update(overrides)
    response = client.post("/me/availability", data=data)
    assert response.status_code == 422
    assert message.lower() in page(response).lower()
    unchanged(world)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weekdays": frozenset({7})}, "available_weekdays"),
        ({"hours_per_week": 41}, "hours_per_week"),
        ({"motivation": "x" * 501}, "motivation_1"),
    ],
)
def test_the_service_checks_its_own_input(world, data, field):
    values = {"weekdays": frozenset({1}), "hours_per_week": 8, "motivation": ""}
    values.update(data)
    answers = wishes.AvailabilityData(
        values["weekdays"],
        values["hours_per_week"],
        False,
        [wishes.WishChoice(1, world["projects"][0].id, values["motivation"])],
    )
    with pytest.raises(WijklabError) as error:
        wishes.save_availability(world["student"], answers, by=world["student"])
    assert error.value.field == field
    unchanged(world)


def test_dashboard_shows_the_state_and_links_the_form(world, client, login_as):
    login_as(world["student"])
    html = page(client.get("/"))
    assert "Je beschikbaarheid en wensen" in html and "Nog niet ingevuld" in html
    assert 'href="/me/availability"' in html
    client.post("/me/availability", data=form())
    html = page(client.get("/"))
    assert "Ingevuld op 2 nov" in html


# --- the wijkdocent's overview ---------------------------------------------------------------


@pytest.fixture
def pool(world):
    """Beside Zoë (year 2, not answered): Daan answered and wished Buurtmaaltijd first, Sem
    wished it second, Noor is year 1 (the partner takes years 2-4) and not listed, Lieke has
    left (deactivated)."""
    school, p = world["school"], world["projects"]
    daan = factories.make_student(name="Daan", school=school, study_year=3)
    sem = factories.make_student(name="Sem", school=school, study_year=4, level="hbo")
    noor = factories.make_student(name="Noor", school=school, study_year=1)
    lieke = factories.make_student(name="Lieke", school=school, study_year=3, is_active=False)
    for student, ranked in ((daan, [p[0], p[1]]), (sem, [p[2], p[0]])):
        data = wishes.AvailabilityData(
            frozenset({1, 2}),
            8,
            False,
            [
                wishes.WishChoice(rank, q.id, f"Motivatie {rank}")
                for rank, q in enumerate(ranked, 1)
            ],
        )
        wishes.save_availability(student, data, by=student)
    # Sem confirmed, then the school's import reset nothing; Daan's answer stands.
    db.session.flush()
    return {**world, "daan": daan, "sem": sem, "noor": noor, "lieke": lieke}


def test_overview_lists_who_answered_and_who_wished_the_project(pool, client, login_as):
    login_as(pool["projects"][0].owner)
    project = pool["projects"][0]
    response = client.get(f"/projects/{project.id}/wishes")
    html = page(response)
    assert response.status_code == 200
    assert "Daan" in html and "Sem" in html and "Zoë van den Berg" in html
    assert "Noor" not in html and "Lieke" not in html
    figures = wishes.wish_figures(project)
    assert (figures.students, figures.answered, figures.not_answered) == (3, 2, 1)
    assert figures.by_rank == {1: 1, 2: 1, 3: 0}
    assert "2 van 3 studenten" in html
    assert "Motivatie 1" in html and "Motivatie 2" in html
    assert "Vraag 1 student om in te vullen" in html


def test_overview_of_another_project_counts_its_own_wishes(pool):
    figures = wishes.wish_figures(pool["projects"][2])
    assert figures.by_rank == {1: 1, 2: 0, 3: 0}
    assert wishes.wish_figures(pool["projects"][3]).by_rank == {1: 0, 2: 0, 3: 0}


def test_a_student_who_wished_the_project_stays_listed_when_no_longer_open(pool):
    project = pool["projects"][0]
    pool["daan"].student_profile.study_year = 1
    db.session.flush()
    listed = db.session.scalars(wishes.overview_query(project)).all()
    assert pool["daan"] in listed and pool["noor"] not in listed


def test_project_page_links_the_overview_for_its_wijkdocent(world, client, login_as):
    project = world["projects"][0]
    login_as(project.owner)
    assert f'href="/projects/{project.id}/wishes"' in page(client.get(f"/projects/{project.id}"))
    login_as(factories.make_user(role="wijkdocent"))
    assert f"/projects/{project.id}/wishes" not in page(client.get(f"/projects/{project.id}"))


def notifications(kind="availability_requested") -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Notification.user_id, func.count(Notification.id))
        .where(Notification.kind == kind)
        .group_by(Notification.user_id)
    )
    return dict(rows.all())


def test_remind_asks_only_those_who_have_not_answered_once_a_day(pool, client, login_as, _today):
    project = pool["projects"][0]
    login_as(project.owner)
    response = client.post(f"/projects/{project.id}/wishes/remind")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/projects/{project.id}/wishes"
    assert notifications() == {pool["student"].id: 1}
    html = page(client.get(response.headers["Location"]))
    assert "1 student gevraagd de beschikbaarheid in te vullen." in html
    # the same day again: nobody gets a second message
    response = client.post(f"/projects/{project.id}/wishes/remind")
    assert notifications() == {pool["student"].id: 1}
    assert "was vandaag al gevraagd" in page(client.get(response.headers["Location"]))
    # the next day they are asked again
    _today.set(date(2026, 11, 3))
    login_as(project.owner)  # the session of yesterday has timed out
    assert client.post(f"/projects/{project.id}/wishes/remind").status_code == 302
    assert notifications() == {pool["student"].id: 2}
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "availability.requested")
    ).all()
    assert len(events) == 3 and events[0].object_id == project.id


def test_remind_mails_the_student_at_once(pool, client, login_as):
    from wijklab.activity.models import OutboxMessage

    project = pool["projects"][0]
    login_as(project.owner)
    client.post(f"/projects/{project.id}/wishes/remind")
    db.session.expire_all()
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert [m.user_id for m in mails] == [pool["student"].id]


def test_remind_after_everyone_answered_asks_nobody(world, client, login_as):
    login_as(world["student"])
    client.post("/me/availability", data=form())
    project = world["projects"][0]
    login_as(project.owner)
    html = page(client.get(f"/projects/{project.id}/wishes"))
    assert "om in te vullen" not in html
    response = client.post(f"/projects/{project.id}/wishes/remind", follow_redirects=True)
    assert "Iedereen heeft de beschikbaarheid al ingevuld." in page(response)
    assert notifications() == {}


def test_overview_runs_a_fixed_number_of_queries(world, client, login_as):
    project = world["projects"][0]
    login_as(project.owner)

    def grow(n):
        for i in range(n):
            student = factories.make_student(school=world["school"], study_year=3)
            data = wishes.AvailabilityData(
                frozenset({1}), 8, False, [wishes.WishChoice(1, project.id, f"Reden {i}")]
            )
            wishes.save_availability(student, data, by=student)
            factories.make_student(school=world["school"], study_year=2)

    grow(2)
    small = count_for(client, f"/projects/{project.id}/wishes")
    grow(15)
    large = count_for(client, f"/projects/{project.id}/wishes")
    assert small == large
    assert count_for(client, f"/projects/{project.id}/wishes?page=2") == large


# --- who may ---------------------------------------------------------------------------------

URLS = [
    ("get", "/me/availability"),
    ("post", "/me/availability"),
    ("get", "/projects/{id}/wishes"),
    ("post", "/projects/{id}/wishes/remind"),
]


@pytest.mark.parametrize(("method", "url"), URLS)
def test_anonymous_is_sent_to_login(world, client, method, url):
    response = getattr(client, method)(url.format(id=world["projects"][0].id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert notifications() == {}


@pytest.mark.parametrize("role", ["admin", "wijkdocent", "supervisor"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_students_state_their_availability(
    world, client, login_as, users_by_role, role, method
):
    login_as(users_by_role[role])
    response = getattr(client, method)("/me/availability", data=form())
    assert response.status_code == 403


def test_a_student_without_a_profile_cannot_state_availability(client, login_as):
    login_as(factories.make_user(role="student"))
    assert client.get("/me/availability").status_code == 403


@pytest.mark.parametrize("who", ["student", "supervisor", "other wijkdocent"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_owner_and_admins_see_the_overview(world, client, login_as, who, method):
    project = world["projects"][0]
    user = {
        "student": world["student"],
        "supervisor": factories.make_supervisor(organisation=world["partner"]),
        "other wijkdocent": factories.make_user(role="wijkdocent"),
    }[who]
    login_as(user)
    url = f"/projects/{project.id}/wishes" + ("/remind" if method == "post" else "")
    response = getattr(client, method)(url)
    assert response.status_code == 403
    assert notifications() == {}


def test_admin_sees_the_overview_and_asks(world, client, login_as, admin):
    project = world["projects"][0]
    login_as(admin)
    assert client.get(f"/projects/{project.id}/wishes").status_code == 200
    assert client.post(f"/projects/{project.id}/wishes/remind").status_code == 302
    assert notifications() == {world["student"].id: 1}


@pytest.mark.parametrize("url", ["/projects/999999/wishes", "/projects/999999/wishes/remind"])
def test_an_unknown_project_is_not_found(world, client, login_as, url):
    login_as(world["projects"][0].owner)
    method = client.post if url.endswith("remind") else client.get
    assert method(url).status_code == 404


def test_remind_without_csrf_token_is_refused(csrf_app, world, client, login_as):
    project = world["projects"][0]
    login_as(project.owner)
    assert client.post(f"/projects/{project.id}/wishes/remind").status_code == 400
    assert notifications() == {}


def test_availability_without_csrf_token_is_refused(csrf_app, world, client, login_as):
    login_as(world["student"])
    response = client.post("/me/availability", data=form(**with_wishes(world["projects"][:1])))
    assert response.status_code == 400
    unchanged(world)


def test_availability_form_works_with_csrf_protection(csrf_app, world, client, login_as):
    login_as(world["student"])
    html = page(client.get("/me/availability"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = form(**with_wishes(world["projects"][:1]), csrf_token=token)
    assert client.post("/me/availability", data=data).status_code == 302
    assert len(wishes_of(world["student"])) == 1
