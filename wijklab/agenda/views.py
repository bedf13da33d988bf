"""Personal, secret iCalendar feeds: lab days, supervision sessions, school visits and goal
target dates in the calendar people already use.

The settings page makes, replaces and revokes a user's link; the new link is shown once, on
the page that answers the POST (never in a flash message or a redirect URL). The feed itself
(``agenda.feed.calendar``) is a nested blueprint with its own hooks and error handlers: the link
is the credential, so it runs without login, session or cookie, and its answers are plain text,
never a page that needs a session, and never a log line with the path (which holds the token).
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from wijklab.activity.services import public_url
from wijklab.agenda import services
from wijklab.agenda.events import build_calendar
from wijklab.agenda.permissions import can_have_feed
from wijklab.availability import is_connection_error
from wijklab.extensions import db, limiter
from wijklab.forms import ConfirmForm

bp = Blueprint("agenda", __name__)
feed_bp = Blueprint("feed", __name__)
log = logging.getLogger("wijklab.agenda")

# Calendar apps fetch every 15 minutes to a few hours; Google's and Microsoft's fetchers share
# addresses between many users, so the limit per address is generous.
FEED_RATE_LIMIT = "120 per minute"


@bp.route("/settings/agenda")
@login_required
def settings():
    if not can_have_feed(current_user):
        abort(403)
    return render_template("agenda/settings.html", feed=services.live_feed(current_user))


@bp.route("/settings/agenda/new", methods=["POST"])
@login_required
def create():
    """Make a link (replacing the old one) and show it once, on this POST's own answer."""
    if not can_have_feed(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    feed, raw = services.issue_feed(current_user)
    db.session.commit()
    url = public_url(url_for("agenda.feed.calendar", token=raw))
    return render_template(
        "agenda/settings.html",
        feed=feed,
        new_url=url,
        webcal_url="webcal://" + url.split("://", 1)[1],
    )


@bp.route("/settings/agenda/revoke", methods=["POST"])
@login_required
def revoke():
    if not can_have_feed(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if services.revoke_feed(current_user):
        db.session.commit()
        flash(
            _(
                "Je agenda-link is ingetrokken. Agenda's die hem gebruikten, krijgen geen nieuwe "
                "afspraken uit Wijklab meer."
            ),
            "success",
        )
    else:
        flash(_("Je had geen agenda-link om in te trekken."), "info")
    return redirect(url_for("agenda.settings"))


@bp.after_app_request
def _no_referrer_for_secrets(response):
    """The new link's page and the feed hold the secret: never sent on as a referrer, never
    cached. Registered with the blueprint, before the app's own security headers, so it runs
    after them and wins."""
    if request.endpoint in ("agenda.create", "agenda.feed.calendar"):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "private, no-store, max-age=0"
        response.headers["Pragma"] = "no-cache"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the feed -----------------------------------------------------------------------------------


@feed_bp.url_value_preprocessor
def _without_login_or_session(endpoint, values) -> None:
    """Before every other hook of the request (the idle-timeout check, the user loader): the
    feed belongs to nobody's session, so it neither reads nor sets a cookie, even when a browser
    that is logged in to Wijklab opens it."""
    # Flask opens the session when the request starts and offers no setter (as in review/).
    request_ctx._session = current_app.session_interface.make_null_session(current_app)
    g._login_user = current_app.login_manager.anonymous_user()


def _plain(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def _too_many(_limit) -> Response:
    response = _plain(429, "Too many requests for this calendar; try again in a minute.")
    response.headers["Retry-After"] = "60"
    return response


@feed_bp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    return error.response if error.response is not None else _too_many(None)


@feed_bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = error.code or 500
    return _plain(code, f"{code} {error.name}")


@feed_bp.errorhandler(Exception)
def _unexpected_error(error: Exception):
    # The app's own handlers log the path, and the path holds the token.
    try:
        db.session.rollback()
    except DBAPIError:  # the rollback needs the connection that just failed
        db.session.close()
    if isinstance(error, DBAPIError) and is_connection_error(error):
        log.warning("Database unreachable for a calendar feed")
        response = _plain(503, "503 Service Unavailable")
        response.headers["Retry-After"] = "300"
        return response
    log.error("Unhandled error on a calendar feed", exc_info=error)
    return _plain(500, "500 Internal Server Error")


@feed_bp.route("/agenda/<token>.ics")
@limiter.limit(
    lambda: current_app.config.get("AGENDA_FEED_RATE_LIMIT", FEED_RATE_LIMIT), on_breach=_too_many
)
def calendar(token: str):
    feed = services.find_feed(token)
    if feed is None:
        # Unknown, revoked and a deactivated user's link: the same answer.
        return _plain(404, "404 Not Found")
    body = build_calendar(feed.user)
    if services.note_use(feed):
        db.session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="wijklab.ics"'
    return response


bp.register_blueprint(feed_bp)
