from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wijklab.database import ListPage, paginate
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import NO_CHOICE, ConfirmForm, choices, show_error
from wijklab.inputs import parse_id, parse_page
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects import services
from wijklab.projects.forms import ProjectForm
from wijklab.projects.models import Project, ProjectStatus
from wijklab.projects.permissions import (
    can_create_project,
    can_manage_project,
    can_read_brief,
    can_view_project,
    open_projects_for,
    visible_projects,
)

bp = Blueprint("projects", __name__, url_prefix="/projects")


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name, ""))


@bp.route("/")
@login_required
def index():
    q = (request.args.get("q") or "").strip()[:100]
    neighbourhood_id = _int_arg("neighbourhood")
    partner_id = _int_arg("partner")
    status = request.args.get("status") or ""
    mine = request.args.get("mine") == "1"
    query = (
        select(Project)
        .where(visible_projects(current_user))
        .options(
            joinedload(Project.neighbourhood),
            joinedload(Project.partner),
            joinedload(Project.owner),
        )
        .order_by(Project.start_date.desc(), Project.id.desc())
    )
    if q:
        query = query.where(Project.title.icontains(q, autoescape=True))
    if neighbourhood_id:
        query = query.where(Project.neighbourhood_id == neighbourhood_id)
    if partner_id:
        query = query.where(Project.partner_id == partner_id)
    if status in {s.value for s in ProjectStatus}:
        query = query.where(Project.status == ProjectStatus(status))
    if mine:
        query = query.where(Project.owner_id == current_user.id)
    page = paginate(query, current_app.config["PER_PAGE"])
    neighbourhoods = db.session.scalars(
        select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
    ).all()
    partners = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.PARTNER)
        .order_by(Organisation.name)
    ).all()
    return render_template(
        "projects/index.html",
        page=page,
        q=q,
        neighbourhood_id=neighbourhood_id,
        partner_id=partner_id,
        status=status,
        mine=mine,
        neighbourhoods=neighbourhoods,
        partners=partners,
        statuses=ProjectStatus,
    )


@bp.route("/<int:project_id>")
@login_required
def detail(project_id: int):
    project = _load_for_page(project_id)
    if not can_view_project(current_user, project):
        abort(404)
    # The team cards come a page at a time: a project with many teams stays a short page.
    per_page = current_app.config["PER_PAGE"]
    total = len(project.teams)
    number = min(parse_page(), max(1, math.ceil(total / per_page)))
    start = (number - 1) * per_page
    teams = ListPage(project.teams[start : start + per_page], number, per_page, total)
    return render_template(
        "projects/detail.html", project=project, teams=teams, confirm=ConfirmForm()
    )


def _load_for_page(project_id: int) -> Project:
    """The project with its teams; the teams' supervisors, members and profiles come with them
    (their relationships load eagerly), so the page runs a fixed number of queries."""
    project = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(
            joinedload(Project.neighbourhood),
            joinedload(Project.partner),
            joinedload(Project.owner),
            selectinload(Project.teams),
        )
    )
    if project is None:
        abort(404)
    return project


def _fill_choices(form: ProjectForm) -> None:
    neighbourhoods = db.session.scalars(
        select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
    ).all()
    partners = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.PARTNER)
        .order_by(Organisation.name)
    ).all()
    form.neighbourhood_id.choices = [NO_CHOICE] + choices((n.id, n.label) for n in neighbourhoods)
    form.partner_id.choices = [NO_CHOICE] + choices((o.id, o.name) for o in partners)
    schools = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.SCHOOL)
        .order_by(Organisation.name)
    ).all()
    form.school_id.choices = [NO_CHOICE] + choices((o.id, o.name) for o in schools)


def _data(form: ProjectForm) -> services.ProjectData:
    return services.ProjectData(
        title=form.title.data,
        neighbourhood=db.session.get(Neighbourhood, form.neighbourhood_id.data),
        partner=db.session.get(Organisation, form.partner_id.data),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        weekdays=frozenset(form.weekdays.data or ()),
        summary=form.summary.data or "",
        aims=form.aims.data or "",
        expectations=form.expectations.data or "",
        supervision=form.supervision.data or "",
        hours_per_week=form.hours_per_week.data,
        min_mbo=form.min_mbo.data,
        min_hbo=form.min_hbo.data,
        max_size=form.max_size.data,
        peer_feedback_first=bool(form.peer_feedback_first.data),
        school=db.session.get(Organisation, form.school_id.data) if form.school_id.data else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not can_create_project(current_user):
        abort(403)
    form = ProjectForm()
    if request.method == "GET":
        form.weekdays.data = [0, 1, 2, 3, 4]
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            project = services.create_project(_data(form), owner=current_user)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Project %(title)s aangemaakt als concept.", title=project.title), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("projects/form.html", form=form, project=None), status


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    project = db.get_or_404(Project, project_id)
    if not can_manage_project(current_user, project):
        abort(403)
    form = ProjectForm(obj=project)
    if request.method == "GET":
        form.weekdays.data = sorted(project.weekdays)
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            services.update_project(project, _data(form))
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Project opgeslagen."), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("projects/form.html", form=form, project=project), status


@bp.route("/<int:project_id>/complete", methods=["POST"])
@login_required
def complete(project_id: int):
    return _advance(project_id, ProjectStatus.COMPLETED, _("Project afgerond."))


@bp.route("/<int:project_id>/archive", methods=["POST"])
@login_required
def archive(project_id: int):
    return _advance(project_id, ProjectStatus.ARCHIVED, _("Project gearchiveerd."))


def _advance(project_id: int, target: ProjectStatus, message: str):
    project = db.get_or_404(Project, project_id)
    if not can_manage_project(current_user, project):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.advance_status(project, target)
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("projects.detail", project_id=project.id)), 303
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/open")
@login_required
def open_projects():
    """The projects a student may read the brief of before placement: active, not yet ended,
    open to their school, level and study year; with their summary."""
    query = (
        select(Project)
        .where(open_projects_for(current_user))
        .options(joinedload(Project.neighbourhood), joinedload(Project.partner))
        .order_by(Project.start_date, Project.title, Project.id)
    )
    page = paginate(query, current_app.config["PER_PAGE"])
    return render_template("projects/open.html", page=page)


@bp.route("/<int:project_id>/brief")
@login_required
def brief(project_id: int):
    """The project brief only (what students do, days, hours, supervision): no teams, members or
    tasks, so a student may read it before being placed."""
    project = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(
            joinedload(Project.neighbourhood),
            joinedload(Project.partner),
            joinedload(Project.owner),
        )
    )
    if project is None or not can_read_brief(current_user, project):
        abort(404)
    return render_template("projects/brief.html", project=project)
