"""The command line: `flask create-user` and `flask seed-demo`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from tests import factories
from tests.conftest import as_its_own_unit_of_work
from wijklab import create_app
from wijklab.accounts import passwords
from wijklab.accounts.models import Level, Role, StudentProfile, User
from wijklab.demo import DEMO_PASSWORD
from wijklab.extensions import db
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects.models import Project
from wijklab.teams.models import Team

PASSWORD = "een lange zin als wachtwoord"


def run(app, *args):
    """Run a command as from a shell: what the test made is committed first (factories only
    flush), as it would be in the database before the command starts, and what the command left
    uncommitted is gone after it, as when its process ends."""
    with as_its_own_unit_of_work():
        return app.test_cli_runner().invoke(args=list(args))


def create_user(
    app, *, email="fatima@example.org", name="Fatima el Amrani", role="admin", extra=()
):
    return run(
        app,
        "create-user",
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--password",
        PASSWORD,
        *extra,
    )


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def user_with_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def assert_refused(result, message: str) -> None:
    """A clean refusal: non-zero exit, the message, no traceback (a crash also exits with 1)."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert message in result.output


# --- create-user: the happy paths --------------------------------------------------------------


def test_create_user_makes_an_admin_with_lower_cased_email(app):
    result = create_user(app, email="Fatima.El.Amrani@Wijklab.Example.ORG", role="admin")
    assert result.exit_code == 0, result.output
    assert "Gebruiker fatima.el.amrani@wijklab.example.org (admin) aangemaakt." in result.output
    user = user_with_email("fatima.el.amrani@wijklab.example.org")
    assert user.role == Role.ADMIN
    assert user.name == "Fatima el Amrani"
    assert user.is_active is True
    assert user.student_profile is None
    assert user.supervisor_profile is None
    assert row_counts()["user"] == 1


def test_create_user_stores_a_hash_that_checks_the_password(app):
    result = create_user(app, email="fatima@example.org")
    assert result.exit_code == 0, result.output
    user = user_with_email("fatima@example.org")
    assert PASSWORD not in user.password_hash
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_create_user_makes_a_wijkdocent_without_profile(app):
    result = create_user(
        app, email="m.dijkstra@example.org", name="Marloes Dijkstra", role="wijkdocent"
    )
    assert result.exit_code == 0, result.output
    user = user_with_email("m.dijkstra@example.org")
    assert user.role == Role.WIJKDOCENT
    assert user.name == "Marloes Dijkstra"
    assert row_counts()["student_profile"] == row_counts()["supervisor_profile"] == 0


@pytest.mark.parametrize("level, year", [("mbo", "1"), ("hbo", "4")])
def test_create_user_makes_a_student_with_profile(app, level, year):
    result = create_user(
        app,
        email="Zoe.vandenBerg@Student.example.org",
        name="Zoë van den Berg",
        role="student",
        extra=["--level", level, "--year", year],
    )
    assert result.exit_code == 0, result.output
    user = user_with_email("zoe.vandenberg@student.example.org")
    assert user.role == Role.STUDENT
    assert user.name == "Zoë van den Berg"
    assert user.student_profile.level == Level(level)
    assert user.student_profile.study_year == int(year)
    assert user.supervisor_profile is None
    assert row_counts()["student_profile"] == 1


def test_create_user_makes_a_supervisor_of_a_partner_organisation(app):
    partner = factories.make_organisation("partner", name="Buurtcentrum De Mussen")
    result = create_user(
        app,
        email="p.devries@demussen.example.org",
        name="Petra de Vries",
        role="supervisor",
        extra=["--organisation", "Buurtcentrum De Mussen"],
    )
    assert result.exit_code == 0, result.output
    user = user_with_email("p.devries@demussen.example.org")
    assert user.role == Role.SUPERVISOR
    assert user.supervisor_profile.organisation_id == partner.id
    assert user.student_profile is None
    assert row_counts()["supervisor_profile"] == 1


@pytest.mark.parametrize("typed", ["buurthuis zoë", "  BUURTHUIS ZOË ", "stichting één buurt"])
def test_create_user_finds_the_organisation_whatever_the_case(app, typed):
    factories.make_organisation("partner", name="Buurthuis Zoë")
    factories.make_organisation("partner", name="Stichting Één Buurt")
    result = create_user(app, role="supervisor", extra=["--organisation", typed])
    assert result.exit_code == 0, result.output
    organisation = user_with_email("fatima@example.org").supervisor_profile.organisation
    assert organisation.name.casefold() == typed.strip().casefold()


# --- create-user: refusals ---------------------------------------------------------------------


@pytest.mark.parametrize("email", ["fatima@example.org", "Fatima@EXAMPLE.org"])
def test_create_user_refuses_an_email_in_use_whatever_the_case(app, email):
    factories.make_user(role="wijkdocent", email="fatima@example.org", name="Eerste")
    result = create_user(app, email=email)
    assert_refused(result, "Er is al een account met dit e-mailadres.")
    assert row_counts()["user"] == 1
    assert user_with_email("fatima@example.org").name == "Eerste"


def test_create_user_refuses_an_unknown_role(app):
    result = create_user(app, role="beheerder")
    assert_refused(result, "'--role'")
    assert "'admin', 'wijkdocent', 'student', 'supervisor'" in result.output
    assert row_counts()["user"] == 0


@pytest.mark.parametrize("email", ["fatima", "fatima@", "fatima@@example.org", "  "])
def test_create_user_refuses_an_invalid_email(app, email):
    result = create_user(app, email=email)
    assert_refused(result, "Error:")
    assert "e-mailadres" in result.output
    assert row_counts()["user"] == 0


def test_create_user_refuses_a_password_shorter_than_12_characters(app):
    result = run(
        app,
        *("create-user", "--email", "a@example.org", "--name", "A", "--role", "admin"),
        *("--password", "elf tekens!"),
    )
    assert_refused(result, "Een wachtwoord heeft minstens 12 tekens.")
    assert row_counts()["user"] == 0


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "aaaaaaaaaaaaaa"])
def test_create_user_refuses_a_common_password(app, password):
    result = run(
        app,
        *("create-user", "--email", "a@example.org", "--name", "A", "--role", "admin"),
        *("--password", password),
    )
    assert_refused(result, "Dit wachtwoord is te bekend en makkelijk te raden.")
    assert row_counts()["user"] == 0


def test_create_user_refuses_an_empty_name(app):
    result = create_user(app, name="   ")
    assert_refused(result, "Vul een naam in.")
    assert row_counts()["user"] == 0


@pytest.mark.parametrize(
    "extra",
    [[], ["--level", "mbo"], ["--year", "2"]],
    ids=["neither", "no-year", "no-level"],
)
def test_create_user_refuses_a_student_without_level_and_year(app, extra):
    result = create_user(app, role="student", extra=extra)
    assert_refused(result, "Een student heeft --level (mbo|hbo) en --year (1-4) nodig.")
    assert row_counts()["user"] == row_counts()["student_profile"] == 0


@pytest.mark.parametrize("year", ["0", "5"])
def test_create_user_refuses_a_study_year_outside_1_to_4(app, year):
    result = create_user(app, role="student", extra=["--level", "mbo", "--year", year])
    assert_refused(result, "'--year'")
    assert "1<=x<=4" in result.output
    assert row_counts()["user"] == 0


def test_create_user_refuses_an_unknown_level(app):
    result = create_user(app, role="student", extra=["--level", "vwo", "--year", "2"])
    assert_refused(result, "'--level'")
    assert row_counts()["user"] == 0


def test_create_user_refuses_a_supervisor_without_organisation(app):
    result = create_user(app, role="supervisor")
    assert_refused(result, "Een werkbegeleider heeft --organisation NAAM nodig.")
    assert row_counts()["user"] == 0


def test_create_user_refuses_an_unknown_organisation(app):
    factories.make_organisation("partner", name="Buurtcentrum De Mussen")
    result = create_user(app, role="supervisor", extra=["--organisation", "Buurtcentrum De Mus"])
    assert_refused(result, "Onbekende organisatie: Buurtcentrum De Mus")
    assert row_counts()["user"] == row_counts()["supervisor_profile"] == 0


def test_create_user_refuses_a_school_as_supervisor_organisation(app):
    factories.make_organisation("school", name="ROC Mondriaan")
    result = create_user(app, role="supervisor", extra=["--organisation", "ROC Mondriaan"])
    assert_refused(result, "Kies een partnerorganisatie, geen school.")
    assert row_counts()["user"] == row_counts()["supervisor_profile"] == 0


@pytest.mark.parametrize("role", ["admin", "wijkdocent", "supervisor"])
@pytest.mark.parametrize("extra", [["--level", "mbo"], ["--year", "2"]], ids=["level", "year"])
def test_create_user_refuses_level_or_year_for_a_non_student(app, role, extra):
    factories.make_organisation("partner", name="Buurtcentrum De Mussen")
    result = create_user(app, role=role, extra=[*extra, "--organisation", "Buurtcentrum De Mussen"])
    assert_refused(result, "--level en --year horen alleen bij de rol student.")
    assert row_counts()["user"] == 0


@pytest.mark.parametrize("role", ["admin", "wijkdocent", "student"])
def test_create_user_refuses_an_organisation_for_a_non_supervisor(app, role):
    factories.make_organisation("partner", name="Buurtcentrum De Mussen")
    extra = ["--level", "mbo", "--year", "2"] if role == "student" else []
    result = create_user(app, role=role, extra=[*extra, "--organisation", "Buurtcentrum De Mussen"])
    assert_refused(result, "--organisation hoort alleen bij de rol supervisor.")
    assert row_counts()["user"] == 0


@pytest.mark.parametrize("missing", ["--email", "--name", "--role", "--password"])
def test_create_user_requires_each_basic_option(app, missing):
    options = {"--email": "a@example.org", "--name": "A", "--role": "admin", "--password": PASSWORD}
    del options[missing]
    result = run(app, "create-user", *[part for pair in options.items() for part in pair])
    assert_refused(result, f"Missing option '{missing}'")
    assert row_counts()["user"] == 0


# --- seed-demo ---------------------------------------------------------------------------------

EXPECTED_ROWS = {
    "neighbourhood": 2,
    "organisation": 6,
    "user": 26,
    "student_profile": 20,
    "supervisor_profile": 3,
    "project": 3,
    "team": 4,
    "team_membership": 16,
    # eight weeks of the active project's two teams (4 a week and a peer-coaching talk every
    # other week) and the completed project's 8 language cafés
    "task": 80,
    "task_participation": 188,
    "task_event": 152,
    "supervision_session": 20,
    "school_visit": 5,
    "framework_item": 24,
    "learning_goal": 11,
    "goal_framework_item": 12,
    "goal_evidence": 17,
    "feedback": 21,
    "sign_off": 4,
    # every current member's start agreement, accepted by all three but one (35 acceptances);
    # one statement requested, confirmed and issued, and one request waiting
    "start_agreement": 12,
    "agreement_acceptance": 35,
    "statement_request": 2,
    "statement": 1,
    # the students of no running team who answered the survey wished up to two open projects
    "project_wish": 8,
    "audit_event": 240,
    "notification": 278,
    "supervision_session_student": 80,
    # the messages of the development mailbox: review requests, returned tasks, feedback,
    # additions to a team, and the supervisors' weekly overview with one review link per
    # waiting item
    "mail_outbox": 69,
    "one_time_token": 24,
}


@pytest.fixture(scope="module")
def seeded(_app) -> SimpleNamespace:
    """One real scenario for the module (seed-demo hashes 26 passwords with scrypt): on an empty
    database `seed-demo --if-empty`, then `seed-demo` again. Everything the tests look at is
    gathered here, and the rows are removed before the tests run."""
    app = create_app({"TESTING": True})
    with app.app_context():
        db.create_all()
        try:
            first = run(app, "seed-demo", "--if-empty")
            after_first = row_counts()
            second = run(app, "seed-demo")
            after_second = row_counts()
            users = db.session.scalars(select(User)).all()
            organisations = db.session.scalars(select(Organisation)).all()
            admin = user_with_email("admin@wijklab.example.org")
            scenario = SimpleNamespace(
                first=first,
                second=second,
                after_first=after_first,
                after_second=after_second,
                roles={role: sum(u.role == role for u in users) for role in Role},
                kinds={
                    kind: sum(o.kind == kind for o in organisations) for kind in OrganisationKind
                },
                names={u.name for u in users},
                emails={u.email for u in users},
                supervisor_organisation_kinds={
                    u.supervisor_profile.organisation.kind for u in users if u.supervisor_profile
                },
                schools_by_level={
                    (u.student_profile.level, u.student_profile.school.name)
                    for u in users
                    if u.student_profile
                },
                admin_password_works=passwords.verify_password(admin.password_hash, DEMO_PASSWORD),
                projects={
                    p.title: (p.status.value, len(p.teams))
                    for p in db.session.scalars(select(Project))
                },
                team_make_up=[
                    (
                        {m.student.student_profile.level.value for m in t.memberships},
                        sum(m.role.value == "peer_coach" for m in t.memberships),
                    )
                    for t in db.session.scalars(select(Team))
                ],
            )
        finally:
            db.session.rollback()
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    # Returned outside the app context: a session left open would hold locks on PostgreSQL.
    return scenario


def test_seed_demo_if_empty_on_an_empty_database_loads_the_demo_data(seeded):
    assert seeded.first.exit_code == 0, seeded.first.output
    assert "Demodata: 487 rijen toegevoegd." in seeded.first.output
    assert {table: seeded.after_first[table] for table in EXPECTED_ROWS} == EXPECTED_ROWS


def test_seed_demo_makes_the_expected_users_per_role(seeded):
    assert seeded.roles == {
        Role.ADMIN: 1,
        Role.WIJKDOCENT: 2,
        Role.SUPERVISOR: 3,
        Role.STUDENT: 20,
    }


def test_seed_demo_makes_two_schools_and_four_partners(seeded):
    assert seeded.kinds == {OrganisationKind.SCHOOL: 2, OrganisationKind.PARTNER: 4}


def test_seed_demo_links_supervisors_to_partners_and_students_to_a_school_of_their_level(seeded):
    assert seeded.supervisor_organisation_kinds == {OrganisationKind.PARTNER}
    assert seeded.schools_by_level == {
        (Level.MBO, "ROC Mondriaan"),
        (Level.HBO, "Haagse Hogeschool"),
    }


def test_seed_demo_keeps_diacritics_in_names(seeded):
    assert {
        "Zoë van den Berg",
        "Ayşe Demir",
        "Chaïma Ouali",
        "Joël Pinas",
        "Renée Hoekstra",
        "Selin Yılmaz",
    } <= seeded.names


def test_seed_demo_emails_are_lower_case_ascii(seeded):
    assert "zoe.vandenberg@student.example.org" in seeded.emails
    assert all(email == email.lower() and email.isascii() for email in seeded.emails)


def test_seed_demo_second_run_adds_no_rows(seeded):
    assert seeded.second.exit_code == 0, seeded.second.output
    assert "Demodata: 0 rijen toegevoegd." in seeded.second.output
    assert seeded.after_second == seeded.after_first


def test_seed_demo_prints_demo_logins_with_the_password(seeded):
    output = seeded.second.output
    assert f"Demo-logins (wachtwoord voor allemaal: {DEMO_PASSWORD}):" in output
    for email in (
        "admin@wijklab.example.org",
        "m.dijkstra@mondriaan.example.org",
        "p.devries@demussen.example.org",
        "zoe.vandenberg@student.example.org",
    ):
        assert email in output
        assert email in seeded.emails


def test_seed_demo_password_matches_the_demo_admins_hash(seeded):
    assert seeded.admin_password_works


def test_seed_demo_if_empty_adds_nothing_when_a_user_exists(app):
    factories.make_user(role="admin", email="beheer@example.org")
    before = row_counts()
    result = run(app, "seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "Er zijn al gebruikers: geen demodata geladen." in result.output
    assert row_counts() == before


def test_seed_demo_if_empty_does_not_list_logins_that_do_not_exist(app):
    factories.make_user(role="admin", email="beheer@example.org")
    result = run(app, "seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "admin@wijklab.example.org" not in result.output
    assert DEMO_PASSWORD not in result.output
    assert user_with_email("admin@wijklab.example.org") is None


@pytest.fixture
def quick_hashes(monkeypatch):
    """Seed without scrypt, for tests about which rows are made rather than about passwords."""
    monkeypatch.setattr(passwords, "hash_password", lambda password: "not-a-real-hash")


def test_seed_demo_reuses_an_organisation_whose_name_differs_in_case(app, quick_hashes):
    school = factories.make_organisation("school", name="roc mondriaan")
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert row_counts()["organisation"] == EXPECTED_ROWS["organisation"]
    mbo_schools = db.session.scalars(
        select(StudentProfile.school_id).where(StudentProfile.level == Level.MBO)
    ).all()
    assert set(mbo_schools) == {school.id}


def test_seed_demo_reuses_a_neighbourhood_whose_name_differs_in_case(app, quick_hashes):
    wijk = factories.make_neighbourhood(name="SCHILDERSWIJK", city="den haag")
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert row_counts()["neighbourhood"] == EXPECTED_ROWS["neighbourhood"]
    partner = db.session.scalar(
        select(Organisation).where(Organisation.name == "Buurtcentrum De Mussen")
    )
    assert partner.neighbourhood_id == wijk.id


def test_seed_demo_refuses_cleanly_when_a_demo_school_exists_as_a_partner(app, quick_hashes):
    factories.make_organisation("partner", name="ROC Mondriaan")
    before = row_counts()
    result = run(app, "seed-demo")
    assert_refused(result, "Kies een school, geen partnerorganisatie.")
    assert row_counts() == before


def test_seed_demo_projects_have_mixed_teams_with_a_peer_coach(seeded):
    assert seeded.projects == {
        "Samen aan tafel in de Schilderswijk": ("active", 2),
        "Buurtonderzoek rond de Haagse Markt": ("draft", 1),
        "Taalcafé Feijenoord": ("completed", 1),
    }
    for levels, coaches in seeded.team_make_up:
        assert levels == {"mbo", "hbo"} and coaches == 1
