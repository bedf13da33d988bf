from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from wijklab.accounts.permissions import requires
from wijklab.database import paginate
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import show_error
from wijklab.neighbourhoods.forms import NeighbourhoodForm
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.neighbourhoods.permissions import can_manage_neighbourhoods
from wijklab.neighbourhoods.services import save_neighbourhood

bp = Blueprint("neighbourhoods", __name__, url_prefix="/neighbourhoods")


@bp.route("/")
@requires(can_manage_neighbourhoods)
def index():
    q = (request.args.get("q") or "").strip()[:100]
    query = select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
    if q:
        # autoescape: a % or _ in the search is a character, not a wildcard.
        query = query.where(
            or_(
                Neighbourhood.name.icontains(q, autoescape=True),
                Neighbourhood.city.icontains(q, autoescape=True),
            )
        )
    page = paginate(query, current_app.config["PER_PAGE"])
    return render_template("neighbourhoods/index.html", page=page, q=q)


@bp.route("/new", methods=["GET", "POST"])
@requires(can_manage_neighbourhoods)
def create():
    return _edit(None)


@bp.route("/<int:neighbourhood_id>/edit", methods=["GET", "POST"])
@requires(can_manage_neighbourhoods)
def edit(neighbourhood_id: int):
    return _edit(db.get_or_404(Neighbourhood, neighbourhood_id))


def _edit(neighbourhood: Neighbourhood | None):
    form = NeighbourhoodForm(obj=neighbourhood)
    if form.validate_on_submit():
        try:
            saved = save_neighbourhood(
                neighbourhood,
                name=form.name.data,
                city=form.city.data,
                description=form.description.data or "",
            )
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Wijk %(name)s opgeslagen.", name=saved.name), "success")
            return redirect(url_for("neighbourhoods.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "neighbourhoods/form.html", form=form, neighbourhood=neighbourhood
    ), status
