"""Who may read, draw, change and accept start agreements. Each predicate states its rule in
one line."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from wijklab.accounts.models import Role
from wijklab.agreements.models import Party
from wijklab.projects.models import Project
from wijklab.projects.permissions import can_manage_project
from wijklab.teams.models import Team


def parties_of(user, team: Team, student) -> set[Party]:
    """The parties ``user`` is for the agreement of ``student`` in ``team``: the student, the
    team's supervisor, the project's wijkdocent (its owner). An admin is none of them."""
    if not user.is_authenticated:
        return set()
    parties = set()
    if user.id == student.id:
        parties.add(Party.STUDENT)
    if user.role == Role.SUPERVISOR and team.supervisor_id == user.id:
        parties.add(Party.SUPERVISOR)
    if team.project.owner_id == user.id:
        parties.add(Party.WIJKDOCENT)
    return parties


def can_read_agreement(user, team: Team, student) -> bool:
    """The student, the team's supervisor, the project's wijkdocent and an admin read the start
    agreement of a student who is or was in the team."""
    if not user.is_authenticated or team.membership_of(student) is None:
        return False
    return bool(parties_of(user, team, student)) or can_manage_project(user, team.project)


def is_editable(team: Team, student) -> bool:
    """An agreement changes only while the student is in the team and the project is open."""
    membership = team.membership_of(student)
    return membership is not None and membership.is_current and team.project.is_open


def can_edit_agreement(user, team: Team, student) -> bool:
    """Those who read it draw and change it, while the student is in the team and the project
    is open; after the student left it is read-only."""
    return can_read_agreement(user, team, student) and is_editable(team, student)


def can_accept_agreement(user, team: Team, student) -> bool:
    """Each party accepts for their own part only (an admin never on someone's behalf), while
    the agreement can still change."""
    return bool(parties_of(user, team, student)) and is_editable(team, student)


def can_list_agreements(user) -> bool:
    """Wijkdocenten and admins see the open agreements of their projects, supervisors those of
    their teams."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.WIJKDOCENT, Role.SUPERVISOR)


def listed_agreements(user) -> ColumnElement[bool]:
    """The SQL form of can_list_agreements, on a query joining Team and Project: an admin every
    team, a wijkdocent their projects' teams, a supervisor their own teams."""
    if not user.is_authenticated:
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.WIJKDOCENT:
        return Project.owner_id == user.id
    if user.role == Role.SUPERVISOR:
        return Team.supervisor_id == user.id
    return false()
