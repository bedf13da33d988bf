"""One-click review: the supervisor decides on a task or a goal from a link in an e-mail,
without logging in. Above goals in the import order (it acts through tasks' and goals' own
services, under the same rules as in the app).

The link is the credential: no login, no session, no CSRF token (there is no session to tie one
to), no cookie. GET only shows (mail scanners follow links); a POST uses the link up in the same
transaction as the decision. The raw token never goes into a log line."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_babel import get_locale as babel_locale
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from wijklab.accounts.tokens import use_token
from wijklab.activity.services import locale_of
from wijklab.errors import ERROR_TEXTS, ERROR_TITLES, WijklabError
from wijklab.extensions import csrf, db, limiter
from wijklab.goals import services as goal_services
from wijklab.goals.forms import CONCERN_LABELS, RATING_LABELS
from wijklab.goals.models import LearningGoal
from wijklab.review import services
from wijklab.review.forms import ReviewForm
from wijklab.review.services import LinkState, Review
from wijklab.tasks import services as task_services
from wijklab.tasks.forms import CATEGORY_LABELS, ROLE_LABELS
from wijklab.tasks.models import Task, TaskStatus
from wijklab.templating import hours, local_date, local_datetime, number

bp = Blueprint("review", __name__)
log = logging.getLogger("wijklab.review")

TASK_ACTIONS = {"approve", "return"}
GOAL_ACTIONS = {"sign_off", "return", "feedback"}


@bp.url_value_preprocessor
def _without_login_or_session(endpoint, values) -> None:
    """Before every other hook of the request (the idle-timeout check, the user loader): this
    page belongs to nobody's session. A null session cannot be written or sent as a cookie, and
    the user is anonymous, even in a browser that is logged in to Wijklab."""
    # Flask opens the session when the request starts and offers no setter: replace it here,
    # before anything reads it. Flask never saves (nor sends) a null session.
    request_ctx._session = current_app.session_interface.make_null_session(current_app)
    g._login_user = current_app.login_manager.anonymous_user()  # Flask-Login's slot for it


@bp.after_app_request
def _private_headers(response):
    """Registered with the blueprint, this runs after the app's own security headers."""
    if request.blueprint == bp.name:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    # The app's error page extends base.html, whose language switch needs a session.
    code = error.code or 500
    return _message(
        code, ERROR_TITLES.get(code, ERROR_TITLES[500]), ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    )


@bp.errorhandler(Exception)
def _unexpected_error(error: Exception):
    # The app's own handler logs the path, and the path holds the token.
    log.error("Unhandled error on a review link", exc_info=error)
    db.session.rollback()
    return _message(500, ERROR_TITLES[500], ERROR_TEXTS[500])


@bp.route("/r/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(lambda: current_app.config["REVIEW_LINK_RATE_LIMIT"])
def link(token: str):
    review = services.look_up(token)
    with force_locale(locale_of(review.supervisor)):
        if request.method == "GET":
            return _show(review)
        return _act(review)


def _show(review: Review, *, form: ReviewForm | None = None, errors=(), status: int = 200):
    """The page for the link's state; only an open or changed link shows the object."""
    if review.state not in (LinkState.OPEN, LinkState.CHANGED):
        return _refused(review)
    item = _task_item(review.obj) if review.is_task else _goal_item(review.obj)
    changed = review.state == LinkState.CHANGED
    form = form or ReviewForm()
    page = render_template(
        "review/page.html",
        lang=_lang(),
        item=item,
        form=form,
        form_errors=list(errors),
        has_field_errors=any(field.errors for field in form),
        changed=changed,
        sent_feedback=request.args.get("sent") == "feedback" and not changed,
        changed_title=(
            _("Deze taak is gewijzigd; hier is de nieuwe versie.")
            if review.is_task
            else _("Dit leerdoel is gewijzigd; hier is de nieuwe versie.")
        ),
    )
    return page, (409 if changed else status)


def _act(review: Review):
    action = request.form.get("action", "")
    if action == "refresh":
        return _refresh(review)
    if action == "not_me":
        return _not_me(review)
    if review.state != LinkState.OPEN:
        return _show(review)
    if action not in (TASK_ACTIONS if review.is_task else GOAL_ACTIONS):
        return _message(400, ERROR_TITLES[400], ERROR_TEXTS[400])
    form = ReviewForm(request.form)
    # One transaction: the link is used up only if the decision stands, and of simultaneous
    # posts exactly one gets past this conditional UPDATE.
    if not use_token(review.token):
        db.session.rollback()
        return _handled()
    try:
        done = _decide(review, action, form)
        # Feedback decides nothing yet: go on with a fresh link to sign off or return.
        successor = services.continue_link(review) if action == "feedback" else None
        db.session.commit()
    except WijklabError as error:
        db.session.rollback()
        log.info("review link %s: %s refused by a rule", review.token.id, action)
        errors = [] if form.add_error(error.field, error.message) else [error.message]
        return _show(review, form=form, errors=errors, status=422)
    except StaleDataError:
        # Someone changed the task or goal in the app in the same moment.
        db.session.rollback()
        return _handled()
    log.info("review link %s: %s", review.token.id, action)
    if successor is not None:
        return redirect(url_for("review.link", token=successor, sent="feedback"), 303)
    return _message(200, *done, app_link=_app_link(review))


def _decide(review: Review, action: str, form: ReviewForm) -> tuple[str, list[str]]:
    """Call the service for ``action``; returns the confirmation's title and text."""
    supervisor, obj = review.supervisor, review.obj
    if review.is_task:
        if action == "approve":
            task_services.verify_task(
                obj, by=supervisor, on_behalf=False, version=review.token.version
            )
            return _("Taak goedgekeurd"), [
                _("Dank je wel. De uren tellen nu mee voor de studenten.")
            ]
        task_services.return_task(
            obj, by=supervisor, reason=form.reason.data or "", version=review.token.version
        )
        return _("Taak teruggegeven aan het team"), [
            _("Het team ziet je reden en kan de taak aanpassen. Daarna krijg je hem opnieuw.")
        ]
    if action == "sign_off":
        goal_services.transition(
            obj,
            "sign_off",
            by=supervisor,
            version=review.token.version,
            statement=form.statement.data or "",
            confirmed=bool(form.confirm.data),
            confirm_reason=form.confirm_reason.data or "",
        )
        return _("Leerdoel afgetekend"), [_("Dank je wel. De student ziet je verklaring.")]
    if action == "return":
        goal_services.transition(
            obj,
            "return",
            by=supervisor,
            version=review.token.version,
            reason=form.reason.data or "",
        )
        return _("Leerdoel teruggegeven aan de student"), [
            _("Het leerdoel staat weer op actief; de student ziet je reden.")
        ]
    goal_services.add_feedback(
        obj,
        by=supervisor,
        comment=form.comment.data or "",
        rating=form.rating_value(),
        may_rate=True,
        author_role="supervisor",
    )
    return _("Feedback verstuurd"), [_("De student ziet je feedback.")]


def _refresh(review: Review):
    """Retire a link whose object changed and go on with a fresh one (POST only: a GET never
    writes)."""
    if review.state != LinkState.CHANGED:
        return _show(review)
    raw = services.refresh(review)
    if raw is None:
        db.session.rollback()
        return _handled()
    db.session.commit()
    log.info("review link %s: refreshed", review.token.id)
    return redirect(url_for("review.link", token=raw), 303)


def _not_me(review: Review):
    """Pass the review on to the project's wijkdocent; the link is used up."""
    if review.state not in (LinkState.OPEN, LinkState.CHANGED):
        return _show(review)
    wijkdocent = review.obj.team.project.owner
    if not services.redirect_to_wijkdocent(review, link=_app_path(review.obj)):
        db.session.rollback()
        return _handled()
    db.session.commit()
    log.info("review link %s: passed on to the wijkdocent", review.token.id)
    return _message(
        200,
        _("Doorgestuurd naar de wijkdocent"),
        [
            _(
                "Dank je wel. We hebben %(name)s gevraagd dit op te pakken. Deze link werkt "
                "nu niet meer.",
                name=wijkdocent.name,
            )
        ],
    )


# --- pages for a link that does not (or no longer) work ----------------------------------------


def _refused(review: Review):
    log.info(
        "review link %s refused: %s",
        review.token.id if review.token is not None else "-",
        review.state.value,
    )
    if review.state == LinkState.UNKNOWN:
        return _message(
            404,
            _("Deze link kennen we niet"),
            [
                _(
                    "Misschien is de link in de e-mail afgebroken of niet helemaal gekopieerd. "
                    "Er is niets veranderd."
                ),
                _("Log in bij Wijklab om te zien wat op je wacht."),
            ],
            app_link=url_for("tasks.waiting"),
        )
    if review.state == LinkState.EXPIRED:
        return _message(
            410,
            _("Deze link is verlopen"),
            [
                _("Een link in een e-mail werkt 14 dagen. Er is niets veranderd."),
                _("Open Wijklab en log in: daar kun je het nog steeds beoordelen."),
            ],
            app_link=_app_link(review),
        )
    if review.state == LinkState.FORBIDDEN:
        return _message(
            403,
            _("Deze link is niet (meer) voor jou"),
            [
                _(
                    "Je bent niet meer de werkbegeleider van dit team, of je account is niet "
                    "actief. Er is niets veranderd."
                ),
                _("Denk je dat dit niet klopt? Neem contact op met de wijkdocent."),
            ],
        )
    return _handled(review)


def _handled(review: Review | None = None):
    return _message(
        409,
        _("Dit is al afgehandeld"),
        [
            _(
                "Deze link is al gebruikt, of er is al over beslist. Er is niets veranderd. "
                "In Wijklab zie je hoe het nu staat."
            )
        ],
        app_link=_app_link(review) if review is not None else url_for("tasks.waiting"),
    )


def _message(code: int, title, texts, *, app_link: str | None = None):
    if isinstance(texts, str):
        texts = [texts]
    return (
        render_template(
            "review/message.html", lang=_lang(), title=title, texts=texts, app_link=app_link
        ),
        code,
    )


def _lang() -> str:
    locale = babel_locale()
    return locale.language if locale is not None else "nl"


def _app_path(obj) -> str:
    if isinstance(obj, Task):
        return url_for("tasks.detail", task_id=obj.id)
    return url_for("goals.detail", goal_id=obj.id)


def _app_link(review: Review | None) -> str:
    if review is None or review.obj is None:
        return url_for("tasks.waiting")
    return _app_path(review.obj)


# --- what the page shows -----------------------------------------------------------------------


def _paragraphs(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split("\n") if part.strip()]


def _task_item(task: Task) -> dict:
    team = task.team
    return {
        "kind": "task",
        "kicker": _("Taak van %(team)s, wacht op jouw controle", team=team.label),
        "title": task.title,
        "facts": [
            (_("Datum"), local_date(task.date)),
            (_("Project"), team.project.title),
            (_("Team"), team.name),
            (_("Soort werk"), CATEGORY_LABELS.get(task.category, task.category)),
            (_("Bewoners bereikt"), number(task.residents_reached)),
            (_("Totaal"), _("%(hours)s uur", hours=hours(task.total_minutes))),
        ],
        "participants": [
            {
                "name": p.student.name,
                "minutes": p.minutes,
                "hours": hours(p.minutes),
                "role": ROLE_LABELS.get(p.role, p.role),
            }
            for p in task.participations
        ],
        "description": _paragraphs(task.description),
        "wijkdocent": team.project.owner.name,
        "app_link": url_for("tasks.detail", task_id=task.id),
    }


RATINGS = dict(RATING_LABELS)


def _goal_item(goal: LearningGoal) -> dict:
    team = goal.team
    latest = goal.feedback[-1] if goal.feedback else None
    evidence = []
    for entry in goal.evidence:
        task = entry.participation.task
        verified = task.status == TaskStatus.VERIFIED
        evidence.append(
            {
                "title": task.title,
                "date": local_date(task.date),
                "verified": verified,
                "status": _("goedgekeurd")
                if verified
                else (
                    _("teruggegeven")
                    if task.status == TaskStatus.RETURNED
                    else _("wacht op controle")
                ),
                "note": entry.note,
            }
        )
    return {
        "kind": "goal",
        "kicker": _(
            "Leerdoel van %(student)s, wacht op jouw beoordeling", student=goal.student.name
        ),
        "title": goal.title,
        "facts": [
            (_("Student"), goal.student.name),
            (_("Team"), team.name),
            (_("Project"), team.project.title),
            *(((_("Streefdatum"), local_date(goal.target_date)),) if goal.target_date else ()),
        ],
        "success_criteria": _paragraphs(goal.success_criteria),
        "evidence": evidence,
        "feedback": (
            {
                "author": latest.author.name if latest.author else _("onbekend"),
                "date": local_datetime(latest.created_at, "d MMM yyyy"),
                "rating": RATINGS.get(latest.rating) if latest.rating else None,
                "comment": _paragraphs(latest.comment),
            }
            if latest is not None
            else None
        ),
        "wijkdocent": team.project.owner.name,
        "app_link": url_for("goals.detail", goal_id=goal.id),
        # The same rule as in the app: pending evidence or a low rating needs a confirmation.
        "concerns": [CONCERN_LABELS[c] for c in goal_services.review_summary(goal).concerns],
    }
