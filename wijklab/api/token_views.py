"""The settings page for personal access tokens: list, make (shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wijklab.api import services
from wijklab.api.forms import LIFETIME_LABELS, SCOPE_LABELS, TokenForm
from wijklab.api.models import PersonalAccessToken, TokenScope
from wijklab.api.permissions import can_manage_token
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import ConfirmForm, show_error
from wijklab.inputs import id_or_404

bp = Blueprint("api_tokens", __name__)


def _page(form: TokenForm, new_token: str | None = None, created=None, status: int = 200):
    return (
        render_template(
            "api/tokens.html",
            form=form,
            tokens=services.user_tokens(current_user),
            new_token=new_token,
            created=created,
            scope_labels=SCOPE_LABELS,
            lifetime_labels=LIFETIME_LABELS,
        ),
        status,
    )


@bp.route("/settings/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Every role may make tokens for itself: a token does what its user may do, no more."""
    form = TokenForm()
    if request.method == "GET":
        return _page(form)
    if form.validate_on_submit():
        try:
            token, raw = services.create_token(
                current_user,
                name=form.name.data,
                scope=TokenScope(form.scope.data),
                days=int(form.lifetime.data),
            )
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            # Shown on this page only, never in a flash or a redirect: it is not kept anywhere.
            return _page(TokenForm(formdata=None), new_token=raw, created=token)
    return _page(form, status=422)


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = db.session.get(PersonalAccessToken, id_or_404(token_id))
    if token is None or not can_manage_token(current_user, token):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.revoke_token(token, by=current_user)
    db.session.commit()
    flash(
        _("Token ‘%(name)s’ ingetrokken: het werkt niet meer.", name=token.name),
        "success",
    )
    return redirect(url_for("api_tokens.tokens"))
