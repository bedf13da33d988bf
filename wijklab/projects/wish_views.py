"""A student's own availability and project wishes, and the wijkdocent's overview of them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from wijklab.accounts.forms import WEEKDAY_LABELS
from wijklab.database import paginate
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import (
    NO_CHOICE,
    CheckboxListField,
    ConfirmForm,
    IdSelectField,
    choices,
    show_error,
    strip,
)
from wijklab.projects import wishes as services
from wijklab.projects.models import MOTIVATION_MAX, WISH_RANKS, Project
from wijklab.projects.permissions import open_projects_for

bp = Blueprint("wishes", __name__)

RANK_LABELS = {1: _l("Eerste keuze"), 2: _l("Tweede keuze"), 3: _l("Derde keuze")}


def _project_field(rank: int) -> IdSelectField:
    return IdSelectField(RANK_LABELS[rank], validators=[Optional()])


def _motivation_field() -> TextAreaField:
    return TextAreaField(
        _l("Waarom dit project?"),
        validators=[
            Length(
                max=MOTIVATION_MAX,
                message=_l("Schrijf je motivatie in hoogstens %(max)s tekens.", max=MOTIVATION_MAX),
            )
        ],
        filters=[strip],
        description=_l("Een paar zinnen, hoogstens 500 tekens."),
    )


class AvailabilityForm(FlaskForm):
    available_weekdays = CheckboxListField(
        _l("Dagen dat je in de wijk kunt werken"),
        choices=choices(WEEKDAY_LABELS),
        coerce=int,
        validators=[Optional()],
    )
    hours_per_week = IntegerField(
        _l("Uren per week"),
        validators=[
            InputRequired(_l("Dit veld is verplicht.")),
            NumberRange(0, services.HOURS_MAX, _l("Kies 0 tot en met 40 uur.")),
        ],
    )
    wants_peer_coach = BooleanField(
        _l("Ik wil graag peercoach zijn"),
        description=_l("Een peercoach geeft teamgenoten feedback op hun leerdoelen."),
    )
    project_1 = _project_field(1)
    motivation_1 = _motivation_field()
    project_2 = _project_field(2)
    motivation_2 = _motivation_field()
    project_3 = _project_field(3)
    motivation_3 = _motivation_field()

    def slots(self):
        """(rank, project field, motivation field) for each of the three choices."""
        return [(rank, self[f"project_{rank}"], self[f"motivation_{rank}"]) for rank in WISH_RANKS]


def _open_projects(student) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project)
            .where(open_projects_for(student))
            .options(joinedload(Project.neighbourhood), joinedload(Project.partner))
            .order_by(Project.title, Project.id)
        )
    )


def _data(form: AvailabilityForm) -> services.AvailabilityData:
    wishes = [
        services.WishChoice(rank, project.data, motivation.data or "")
        for rank, project, motivation in form.slots()
        if project.data is not None or motivation.data
    ]
    # Ranks follow the filled-in slots only when there is no gap: a gap is the service's to report.
    return services.AvailabilityData(
        weekdays=frozenset(form.available_weekdays.data or ()),
        hours_per_week=form.hours_per_week.data,
        wants_peer_coach=bool(form.wants_peer_coach.data),
        wishes=wishes,
    )


@bp.route("/me/availability", methods=["GET", "POST"])
@login_required
def availability():
    if not services.can_state_availability(current_user):
        abort(403)
    profile = current_user.student_profile
    current = services.wishes_of(current_user)
    projects = _open_projects(current_user)
    form = AvailabilityForm()
    if request.method == "GET":
        form.available_weekdays.data = sorted(profile.available_weekdays)
        form.hours_per_week.data = profile.hours_per_week
        form.wants_peer_coach.data = profile.wants_peer_coach
        for wish in current:
            form[f"project_{wish.rank}"].data = wish.project_id
            form[f"motivation_{wish.rank}"].data = wish.motivation
    open_ids = {p.id for p in projects}
    # An earlier wish for a project that has since closed stays selectable, so the student sees
    # it and the service explains why it cannot stay.
    closed = [w.project for w in current if w.project_id not in open_ids]
    options = [NO_CHOICE] + choices((p.id, p.title) for p in projects)
    options += choices((p.id, _("%(title)s (staat niet meer open)", title=p.title)) for p in closed)
    for _rank, field, _motivation in form.slots():
        field.choices = options
    eligible = services.can_be_peer_coach(profile)
    if form.validate_on_submit():
        try:
            services.save_availability(current_user, _data(form), by=current_user)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Je beschikbaarheid en wensen zijn opgeslagen."), "success")
            return redirect(url_for("wishes.availability"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "wishes/availability.html",
        form=form,
        profile=profile,
        projects=projects,
        eligible=eligible,
    ), status


def _load_project(project_id: int) -> Project:
    project = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(joinedload(Project.partner), joinedload(Project.neighbourhood))
    )
    if project is None:
        abort(404)
    if not services.can_view_wishes(current_user, project):
        abort(403)
    return project


@bp.route("/projects/<int:project_id>/wishes")
@login_required
def overview(project_id: int):
    """Who among the students the project is open to has stated their availability, and who
    wished this project, with which rank and motivation."""
    project = _load_project(project_id)
    page = paginate(services.overview_query(project), current_app.config["PER_PAGE"])
    return render_template(
        "wishes/overview.html",
        project=project,
        page=page,
        figures=services.wish_figures(project),
        wishes=services.wishes_for_page(project, page.items),
    )


@bp.route("/projects/<int:project_id>/wishes/remind", methods=["POST"])
@login_required
def remind(project_id: int):
    project = _load_project(project_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    asked, before = services.request_availability(project, by=current_user)
    db.session.commit()
    if asked:
        flash(
            ngettext(
                "%(num)s student gevraagd de beschikbaarheid in te vullen.",
                "%(num)s studenten gevraagd hun beschikbaarheid in te vullen.",
                asked,
            ),
            "success",
        )
    if before:
        flash(
            ngettext(
                "%(num)s student was vandaag al gevraagd en krijgt geen tweede bericht.",
                "%(num)s studenten waren vandaag al gevraagd en krijgen geen tweede bericht.",
                before,
            ),
            "info",
        )
    if not asked and not before:
        flash(_("Iedereen heeft de beschikbaarheid al ingevuld."), "info")
    return redirect(url_for("wishes.overview", project_id=project.id))
