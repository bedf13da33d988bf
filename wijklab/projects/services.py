"""Project rules: the partner is a partner organisation, dates in order, team rules that fit,
and the status moves draft → active → completed → archived (activation lives in teams/, where
the team composition is checked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from wijklab.errors import NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects.models import NEXT_STATUS, Project, ProjectStatus


@dataclass
class ProjectData:
    title: str
    neighbourhood: Neighbourhood
    partner: Organisation
    start_date: date
    end_date: date
    weekdays: frozenset[int]
    summary: str = ""
    aims: str = ""
    expectations: str = ""
    supervision: str = ""
    hours_per_week: int = 8
    min_mbo: int = 1
    min_hbo: int = 1
    max_size: int = 8
    peer_feedback_first: bool = False
    # The school whose students may read the brief before placement; None: every school.
    school: Organisation | None = None
    extra: dict = field(default_factory=dict)


def _check(data: ProjectData) -> None:
    if not data.title.strip():
        raise WijklabError(_l("Vul een titel in."), field="title")
    if data.neighbourhood is None:
        raise WijklabError(_l("Kies een wijk."), field="neighbourhood_id")
    if data.partner is None or data.partner.kind != OrganisationKind.PARTNER:
        raise WijklabError(_l("Kies een partnerorganisatie, geen school."), field="partner_id")
    if data.school is not None and data.school.kind != OrganisationKind.SCHOOL:
        raise WijklabError(_l("Kies een school, geen partnerorganisatie."), field="school_id")
    if data.end_date < data.start_date:
        raise WijklabError(_l("De einddatum moet op of na de startdatum liggen."), field="end_date")
    if not data.weekdays or not set(data.weekdays) <= set(range(7)):
        raise WijklabError(_l("Kies minstens één dag."), field="weekdays")
    if data.min_mbo < 0 or data.min_hbo < 0 or not 1 <= data.max_size <= 30:
        raise WijklabError(_l("De teamregels kloppen niet."), field="max_size")
    if data.min_mbo + data.min_hbo > data.max_size:
        raise WijklabError(
            _l("De minimale aantallen mbo en hbo passen niet in de maximale teamgrootte."),
            field="max_size",
        )


def _apply(project: Project, data: ProjectData) -> None:
    project.title = data.title.strip()
    project.neighbourhood = data.neighbourhood
    project.partner = data.partner
    project.start_date = data.start_date
    project.end_date = data.end_date
    project.weekdays = frozenset(data.weekdays)
    project.summary = data.summary
    project.aims = data.aims
    project.expectations = data.expectations
    project.supervision = data.supervision
    project.hours_per_week = data.hours_per_week
    project.min_mbo = data.min_mbo
    project.min_hbo = data.min_hbo
    project.max_size = data.max_size
    project.peer_feedback_first = data.peer_feedback_first
    project.school = data.school


def create_project(data: ProjectData, *, owner) -> Project:
    """A new project in draft, owned by the wijkdocent (or admin) who creates it."""
    _check(data)
    project = Project(owner=owner, status=ProjectStatus.DRAFT)
    _apply(project, data)
    db.session.add(project)
    db.session.flush()
    return project


def update_project(project: Project, data: ProjectData) -> Project:
    """Change a project's brief; its teams' periods must stay inside the new dates, and an
    archived project is no longer changed."""
    if project.status == ProjectStatus.ARCHIVED:
        raise NotAllowed(_l("Een gearchiveerd project kan niet meer worden gewijzigd."))
    _check(data)
    for team in project.teams:
        if team.start_date < data.start_date or team.end_date > data.end_date:
            raise WijklabError(
                _l(
                    "Team %(team)s loopt van %(start)s tot %(end)s: dat valt buiten de nieuwe "
                    "projectperiode.",
                    team=team.name,
                    start=team.start_date.strftime("%d-%m-%Y"),
                    end=team.end_date.strftime("%d-%m-%Y"),
                ),
                field="start_date",
            )
    _apply(project, data)
    db.session.flush()
    return project


def advance_status(project: Project, target: ProjectStatus) -> None:
    """Move to the next status only; activation goes through teams.services.activate_project."""
    if NEXT_STATUS.get(project.status) != target:
        raise WijklabError(
            _l(
                "Dit project kan niet van %(old)s naar %(new)s.",
                old=project.status.value,
                new=target.value,
            )
        )
    project.status = target
    db.session.flush()
