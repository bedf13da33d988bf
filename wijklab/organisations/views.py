from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wijklab.accounts.permissions import requires
from wijklab.database import paginate
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import NO_CHOICE, choices, show_error
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.forms import KIND_LABELS, OrganisationForm
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.organisations.permissions import can_manage_organisations
from wijklab.organisations.services import save_organisation

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("/")
@requires(can_manage_organisations)
def index():
    q = (request.args.get("q") or "").strip()[:100]
    kind = request.args.get("kind") or ""
    query = (
        select(Organisation)
        .options(joinedload(Organisation.neighbourhood))
        .order_by(Organisation.name)
    )
    if q:
        # autoescape: a % or _ in the search is a character, not a wildcard.
        query = query.where(Organisation.name.icontains(q, autoescape=True))
    if kind in {k.value for k in OrganisationKind}:
        query = query.where(Organisation.kind == OrganisationKind(kind))
    page = paginate(query, current_app.config["PER_PAGE"])
    return render_template(
        "organisations/index.html", page=page, q=q, kind=kind, kind_labels=KIND_LABELS
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(can_manage_organisations)
def create():
    return _edit(None)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires(can_manage_organisations)
def edit(organisation_id: int):
    return _edit(db.get_or_404(Organisation, organisation_id))


def _edit(organisation: Organisation | None):
    form = OrganisationForm(obj=organisation)
    if request.method == "GET" and organisation is not None:
        form.kind.data = organisation.kind.value
        form.suitable_levels.data = sorted(organisation.suitable_levels)
        form.suitable_years.data = sorted(organisation.suitable_years)
    neighbourhoods = db.session.scalars(
        select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
    ).all()
    form.neighbourhood_id.choices = [NO_CHOICE] + choices((n.id, n.label) for n in neighbourhoods)
    if form.validate_on_submit():
        try:
            saved = save_organisation(
                organisation,
                name=form.name.data,
                kind=form.kind.data,
                city=form.city.data or "",
                neighbourhood=db.session.get(Neighbourhood, form.neighbourhood_id.data)
                if form.neighbourhood_id.data
                else None,
                is_recognised_training_company=form.is_recognised_training_company.data,
                suitable_levels=form.suitable_levels.data or [],
                suitable_years=form.suitable_years.data or [],
                retention_years=form.retention_years.data,
                schac_home=form.schac_home.data,
            )
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Organisatie %(name)s opgeslagen.", name=saved.name), "success")
            return redirect(url_for("organisations.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("organisations/form.html", form=form, organisation=organisation), status
