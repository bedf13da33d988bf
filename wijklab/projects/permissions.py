"""Who may see and change projects. Each predicate states its rule in one line."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, false, or_, select, true, type_coerce

from wijklab.clock import today
from wijklab.database import to_mask
from wijklab.extensions import db
from wijklab.organisations.models import LEVELS, STUDY_YEARS, Organisation
from wijklab.projects.models import Project, ProjectStatus

# Roles are compared by value: accounts sits to the right of this package in the import order.
ADMIN, WIJKDOCENT, STUDENT, SUPERVISOR = "admin", "wijkdocent", "student", "supervisor"


def can_create_project(user) -> bool:
    """Wijkdocenten and admins start projects."""
    return user.is_authenticated and user.role in (ADMIN, WIJKDOCENT)


def can_manage_project(user, project: Project) -> bool:
    """Only the owning wijkdocent, or an admin, changes a project, its teams and members."""
    if not user.is_authenticated:
        return False
    return user.role == ADMIN or (user.role == WIJKDOCENT and project.owner_id == user.id)


def can_view_project(user, project: Project) -> bool:
    """Admins and wijkdocenten see every project; students the projects of their teams;
    supervisors the projects where they supervise a team."""
    if not user.is_authenticated:
        return False
    if user.role in (ADMIN, WIJKDOCENT):
        return True
    if user.role == SUPERVISOR:
        return any(team.supervisor_id == user.id for team in project.teams)
    if user.role == STUDENT:
        return any(m.student_id == user.id for team in project.teams for m in team.memberships)
    return False


def visible_projects(user) -> ColumnElement[bool]:
    """The SQL form of can_view_project, for list queries."""
    if user.role in (ADMIN, WIJKDOCENT):
        return true()
    # Teams are named by table, not imported: teams sits to the right of projects.
    team = db.metadata.tables["team"]
    if user.role == SUPERVISOR:
        return Project.id.in_(select(team.c.project_id).where(team.c.supervisor_id == user.id))
    if user.role == STUDENT:
        membership = db.metadata.tables["team_membership"]
        return Project.id.in_(
            select(team.c.project_id)
            .join(membership, membership.c.team_id == team.c.id)
            .where(membership.c.student_id == user.id)
        )
    return Project.id.is_(None)


def _is_open_to(profile, project: Project) -> bool:
    partner = project.partner
    level = getattr(profile.level, "value", profile.level)
    return (
        project.status == ProjectStatus.ACTIVE
        and project.end_date >= today()
        and (not partner.suitable_levels or level in partner.suitable_levels)
        and (not partner.suitable_years or profile.study_year in partner.suitable_years)
        and (project.school_id is None or project.school_id == profile.school_id)
    )


def can_read_brief(user, project: Project) -> bool:
    """Whoever sees the project reads its brief; a student also reads the brief of an active,
    not yet ended project open to their school, level and study year (the partner's suitable
    levels and years; an empty set means all), before they are placed in it."""
    if can_view_project(user, project):
        return True
    if not user.is_authenticated or user.role != STUDENT:
        return False
    profile = user.student_profile
    return profile is not None and _is_open_to(profile, project)


def _accepts(column, value, choices: tuple) -> ColumnElement[bool]:
    """SQL: a ChoiceSet column is empty (all) or holds ``value``."""
    mask = type_coerce(column, Integer)
    return or_(mask == 0, mask.op("&")(to_mask([value], choices)) != 0)


def open_projects_for(user) -> ColumnElement[bool]:
    """The SQL form of the "open to this student" part of can_read_brief, for the list of open
    projects; other roles get the active, not yet ended projects they may see."""
    running = (Project.status == ProjectStatus.ACTIVE) & (Project.end_date >= today())
    if not user.is_authenticated:
        return false()
    if user.role != STUDENT:
        return running & visible_projects(user)
    profile = user.student_profile
    level = getattr(profile.level, "value", profile.level) if profile is not None else None
    if profile is None or level not in LEVELS or profile.study_year not in STUDY_YEARS:
        return false()
    suitable_partner = select(Organisation.id).where(
        _accepts(Organisation.suitable_levels, level, LEVELS),
        _accepts(Organisation.suitable_years, profile.study_year, STUDY_YEARS),
    )
    school = Project.school_id.is_(None)
    if profile.school_id is not None:
        school = or_(school, Project.school_id == profile.school_id)
    return running & Project.partner_id.in_(suitable_partner) & school
