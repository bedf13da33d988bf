"""Factories that make valid objects with as few arguments as a test needs. Each only flushes
(the rows get their ids; nothing is expired and reloaded): the test client commits what the test
made before each request (``tests.conftest.Client``), so the request sees it, on SQLite and
PostgreSQL alike. A test that needs a commit without a request commits itself."""

from __future__ import annotations

import itertools
from functools import cache

from wijklab.accounts.models import Level, Role, StudentProfile, SupervisorProfile, User
from wijklab.accounts.passwords import hash_password
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind

PASSWORD = "een lange zin als wachtwoord"
_counter = itertools.count(1)


@cache
def password_hash() -> str:
    """One scrypt hash per test session: hashing is slow on purpose."""
    return hash_password(PASSWORD)


def make_neighbourhood(**values) -> Neighbourhood:
    n = next(_counter)
    values.setdefault("name", f"Wijk {n}")
    values.setdefault("city", "Den Haag")
    values.setdefault("description", "")
    neighbourhood = Neighbourhood(**values)
    db.session.add(neighbourhood)
    db.session.flush()
    return neighbourhood


def make_organisation(kind: str = "partner", **values) -> Organisation:
    n = next(_counter)
    values.setdefault("name", f"{'School' if kind == 'school' else 'Partner'} {n}")
    values.setdefault("city", "Den Haag")
    values.setdefault("suitable_levels", frozenset({"mbo", "hbo"}))
    values.setdefault("suitable_years", frozenset({1, 2, 3, 4}))
    organisation = Organisation(kind=OrganisationKind(kind), **values)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(role: str = "student", **values) -> User:
    n = next(_counter)
    values.setdefault("name", f"Gebruiker {n}")
    values.setdefault("email", f"user{n}@example.org")
    values.setdefault("password_hash", password_hash())
    user = User(role=Role(role), **values)
    db.session.add(user)
    db.session.flush()
    return user


def make_student(level: str = "mbo", study_year: int = 2, school=None, **values) -> User:
    profile_values = {
        key: values.pop(key)
        for key in ("available_weekdays", "hours_per_week", "agreed_bpv_hours", "crebo")
        if key in values
    }
    user = make_user(role="student", **values)
    user.student_profile = StudentProfile(
        level=Level(level),
        study_year=study_year,
        school=school or make_organisation("school"),
        programme="Sociaal werk",
        available_weekdays=profile_values.get("available_weekdays", frozenset({0, 1, 2})),
        hours_per_week=profile_values.get("hours_per_week", 16),
        agreed_bpv_hours=profile_values.get("agreed_bpv_hours", 400),
        crebo=profile_values.get("crebo"),
    )
    db.session.flush()
    return user


def make_supervisor(organisation=None, **values) -> User:
    user = make_user(role="supervisor", **values)
    user.supervisor_profile = SupervisorProfile(
        organisation=organisation or make_organisation("partner"),
        job_title="Opbouwwerker",
        supervision_hours_per_week=4,
    )
    db.session.flush()
    return user


def make_project(owner=None, partner=None, neighbourhood=None, **values):
    from datetime import date

    from wijklab.projects.models import Project, ProjectStatus

    values.setdefault("title", f"Project {next(_counter)}")
    values.setdefault("start_date", date(2026, 9, 1))
    values.setdefault("end_date", date(2027, 6, 30))
    values.setdefault("weekdays", frozenset({0, 1, 2, 3, 4}))
    values.setdefault("status", ProjectStatus.DRAFT)
    project = Project(
        owner=owner or make_user(role="wijkdocent"),
        partner=partner or make_organisation("partner"),
        neighbourhood=neighbourhood or make_neighbourhood(),
        **values,
    )
    db.session.add(project)
    db.session.flush()
    return project


def make_team(project=None, supervisor=None, members=(), coach=None, **values):
    from wijklab.teams.models import MemberRole, Team, TeamMembership

    project = project or make_project()
    supervisor = supervisor or make_supervisor(organisation=project.partner)
    values.setdefault("name", f"Team {next(_counter)}")
    values.setdefault("start_date", project.start_date)
    values.setdefault("end_date", project.end_date)
    team = Team(project=project, supervisor=supervisor, **values)
    db.session.add(team)
    for student in members:
        role = MemberRole.PEER_COACH if student is coach else MemberRole.MEMBER
        db.session.add(
            TeamMembership(team=team, student=student, role=role, joined_on=project.start_date)
        )
    db.session.flush()
    return team


def make_task(team=None, participants=(), minutes=120, status="pending", **values):
    """A task of ``team`` (a new one by default) crediting each participant with ``minutes``."""
    from datetime import date

    from wijklab.tasks.models import Category, Task, TaskParticipation, TaskStatus

    team = team or make_team(members=[make_student()])
    participants = list(participants) or [team.memberships[0].student]
    values.setdefault("title", f"Taak {next(_counter)}")
    values.setdefault("date", max(team.start_date, min(date(2026, 11, 2), team.end_date)))
    values.setdefault("category", Category.RESIDENTS_ACTIVITY)
    task = Task(team=team, author=participants[0], status=TaskStatus(status), **values)
    for student in participants:
        task.participations.append(TaskParticipation(student=student, minutes=minutes))
    db.session.add(task)
    db.session.flush()
    return task


def make_goal(team=None, student=None, status="draft", **values):
    """A learning goal of a member of ``team``."""
    from wijklab.goals.models import GoalStatus, LearningGoal

    team = team or make_team(members=[make_student()])
    student = student or team.memberships[0].student
    values.setdefault("title", f"Leerdoel {next(_counter)}")
    goal = LearningGoal(team=team, student=student, status=GoalStatus(status), **values)
    db.session.add(goal)
    db.session.flush()
    return goal


def make_framework_item(code: str, framework: str = "mbo-sociaal-werk-4", **values):
    from wijklab.goals.models import FrameworkItem, FrameworkItemKind

    values.setdefault("title", f"Item {code}")
    values.setdefault("kind", FrameworkItemKind.CORE_TASK)
    item = FrameworkItem(framework=framework, code=code, **values)
    db.session.add(item)
    db.session.flush()
    return item


def make_agreement(team, student, accepted: bool = True, bpv_hours: int = 400):
    """A start agreement of ``student`` in ``team``; accepted by all three unless told not."""
    from wijklab.agreements import services
    from wijklab.agreements.models import Party
    from wijklab.extensions import db

    data = services.AgreementData(
        weekdays=frozenset({1, 3}),
        hours_per_week=8,
        agreed_bpv_hours=bpv_hours,
        learning_focuses="Gesprekken leiden\nNetwerken in de wijk",
        supervision_form="Wekelijks gesprek op locatie",
        supervision_frequency="Elke week",
        backup_contact="Coördinator van de partner",
    )
    agreement = services.find_agreement(team, student) or services.draw_agreement(
        team, student, data, by=student
    )
    if accepted and agreement.accepted_at is None:
        owners = {
            Party.STUDENT: student,
            Party.SUPERVISOR: team.supervisor,
            Party.WIJKDOCENT: team.project.owner,
        }
        for party, user in owners.items():
            services.accept_agreement(agreement, party, by=user, version=agreement.version)
    db.session.flush()
    return agreement


def make_statement(team, student, by=None, cutoff=None, verify_url=lambda code: code):
    """An issued statement, the way the app makes one: an accepted start agreement, the
    student's request, the supervisor's confirmation, and issuing by ``by`` (the project's
    wijkdocent by default)."""
    from wijklab.clock import today
    from wijklab.extensions import db
    from wijklab.statements import services

    make_agreement(team, student)
    cutoff = cutoff or max(min(today(), team.end_date), team.start_date)
    request = services.request_statement(team, student, cutoff=cutoff)
    services.confirm_request(request, by=team.supervisor)
    statement = services.issue_statement(
        request, by=by or team.project.owner, verify_url=verify_url
    )
    db.session.flush()
    return statement
