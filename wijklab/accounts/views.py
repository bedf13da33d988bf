from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import or_, select
from werkzeug.exceptions import HTTPException

from wijklab.accounts import services
from wijklab.accounts.forms import (
    CHOOSE_ROLE,
    ROLE_LABELS,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    LoginLinkForm,
    NewPasswordForm,
    UserForm,
)
from wijklab.accounts.models import Level, Role, User
from wijklab.accounts.oidc import logout_redirect_url
from wijklab.accounts.permissions import (
    can_change_active_state,
    can_invite_users,
    can_manage_users,
    can_resend_invitation,
    invitable_roles,
    requires,
)
from wijklab.accounts.sessions import SECRET_LINK_ENDPOINTS, start_session
from wijklab.accounts.tokens import Purpose
from wijklab.database import paginate
from wijklab.errors import WijklabError, render_error
from wijklab.extensions import db, limiter
from wijklab.forms import NO_CHOICE, ConfirmForm, choices, show_error
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.security import account_key, log_security_event

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """A local path to go to after login, or None: no scheme, no host, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _login_account_key() -> str:
    try:
        email = request.form.get("email") or ""
    except HTTPException:  # an oversized body: the view answers 413 itself
        email = ""
    return "login-account:" + email.strip().lower()[:254]


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _on_login_limit(limit) -> None:
    log_security_event("login_rate_limited", limit=str(limit.limit))
    try:
        email = request.form.get("email") or ""
    except HTTPException:
        email = ""
    services.refuse_login(services.find_user_by_email(email), services.RATE_LIMITED)
    db.session.commit()


def _on_account_limit(limit):
    """Too many attempts on one account (perhaps by a stranger who knows the address): refuse,
    but mail its owner, who typed the right password, a one-time login link. Everyone gets the
    same page, so it does not tell whether the password was right."""
    log_security_event("login_rate_limited", limit=str(limit.limit), scope="account")
    form = LoginForm()
    try:
        if not form.validate_on_submit():
            _on_login_limit(limit)
            return None
        services.request_login_link(form.email.data, form.password.data)
        db.session.commit()
    except Exception:  # noqa: BLE001  (an error here must not pass for a dead limiter store)
        db.session.rollback()
        current_app.logger.exception("Could not handle the per-account login limit")
        return None
    page = render_template(
        "accounts/login_limited.html", minutes=services.lifetime_minutes(Purpose.LOGIN_LINK)
    )
    return make_response(page, 429)


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    # A limit whose breach callback made its own page (the login link page) answers with it.
    if error.response is not None:
        return error.response
    return render_error(429)


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], on_breach=_on_login_limit)
@limiter.limit(
    _login_limit, key_func=_login_account_key, methods=["POST"], on_breach=_on_account_limit
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("reports.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()  # the audit trail keeps the refusal
            log_security_event("login_failed", account=account_key(form.email.data or ""))
            form.form_errors.append(_("Onbekend e-mailadres of verkeerd wachtwoord."))
        else:
            db.session.commit()
            session.clear()  # a fresh session: nothing from before the login carries over
            login_user(user, remember=form.remember.data)
            start_session(form.remember.data)
            flash(_("Je bent ingelogd."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("reports.dashboard"))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


# --- forgotten password and invitation links --------------------------------------------------


def _forgot_account_key() -> str:
    try:
        email = request.form.get("email") or ""
    except HTTPException:
        email = ""
    return "forgot-account:" + email.strip().lower()[:254]


def _forgot_limit() -> str:
    return current_app.config["FORGOT_PASSWORD_RATE_LIMIT"]


def _on_forgot_limit(limit) -> None:
    log_security_event("forgot_password_rate_limited", limit=str(limit.limit))


@bp.route("/auth/forgot", methods=["GET", "POST"])
@limiter.limit(
    _forgot_limit, key_func=_forgot_account_key, methods=["POST"], on_breach=_on_forgot_limit
)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer whether or not the address has an account: nobody learns who has one.
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template(
            "accounts/forgot_sent.html", hours=services.lifetime_hours(Purpose.PASSWORD_RESET)
        )
    return render_template("accounts/forgot.html", form=form), 200 if not form.errors else 422


@bp.after_app_request
def _secret_link_headers(response):
    """Pages whose URL holds a secret: never sent on as a referrer, never cached."""
    # Registered with the blueprint, before the app's own security headers, so it runs after
    # them and its Referrer-Policy wins.
    if request.endpoint in SECRET_LINK_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _choose_password(token, Purpose.PASSWORD_RESET)


@bp.route("/auth/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    return _choose_password(token, Purpose.INVITATION)


def _choose_password(raw: str, purpose: Purpose):
    invitation = purpose == Purpose.INVITATION
    token = services.usable_token(raw, purpose)
    if token is None:
        return render_template("accounts/link_invalid.html", invitation=invitation), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password_with_token(token, form.password.data)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            # Whoever was signed in at this browser is signed out: the link's owner comes next.
            # Clear first: logout_user() leaves the flag that deletes the remember-me cookie.
            session.clear()
            logout_user()
            if invitation:
                flash(_("Je wachtwoord is ingesteld. Log nu in met je e-mailadres."), "success")
            else:
                flash(
                    _(
                        "Je nieuwe wachtwoord is ingesteld en je bent overal uitgelogd. "
                        "Log opnieuw in."
                    ),
                    "success",
                )
            return redirect(url_for("accounts.login"))
    status = 422 if form.errors or form.form_errors else 200
    return (
        render_template(
            "accounts/choose_password.html", form=form, invitation=invitation, user=token.user
        ),
        status,
    )


@bp.route("/auth/login/link/<token>", methods=["GET", "POST"])
def login_link(token: str):
    """The one-time link mailed after too many login attempts: GET shows a button (mail scanners
    that open links sign nobody in), POST signs the owner in."""
    link = services.usable_token(token, Purpose.LOGIN_LINK)
    if link is None:
        return render_template(
            "accounts/link_invalid.html",
            login_link=True,
            minutes=services.lifetime_minutes(Purpose.LOGIN_LINK),
        ), 404
    form = LoginLinkForm()
    if form.validate_on_submit():
        try:
            user = services.login_with_link(link)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            session.clear()
            login_user(user, remember=form.remember.data)
            start_session(form.remember.data)
            flash(_("Je bent ingelogd."), "success")
            return redirect(url_for("reports.dashboard"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/login_link.html", form=form, user=link.user), status


@bp.route("/auth/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    # The institution's own logout, when the session began there (read before clearing it).
    end_session = logout_redirect_url()
    current_user.end_all_sessions()
    db.session.commit()
    # Clear first: logout_user() leaves the flag that makes Flask-Login delete the remember-me
    # cookie, which session.clear() afterwards would wipe.
    session.clear()
    logout_user()
    flash(_("Je bent uitgelogd."), "info")
    return redirect(end_session or url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                current_password=form.current_password.data,
                new_password=form.password.data,
            )
        except WijklabError as error:
            show_error(form, error)
        else:
            db.session.commit()
            # Every older session is gone; keep this one by signing in again with the new token.
            user = current_user._get_current_object()
            remember = bool(session.get("remember"))
            session.clear()
            login_user(user, remember=remember)
            start_session(remember)
            flash(_("Je wachtwoord is gewijzigd. Andere sessies zijn uitgelogd."), "success")
            return redirect(url_for("reports.dashboard"))
    return render_template("accounts/password.html", form=form), 200 if not form.errors else 422


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        services.set_locale(current_user, form.locale.data)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("reports.dashboard"))


# --- user management (admins) ---------------------------------------------------------------


def _fill_choices(form: UserForm) -> None:
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.school_id.choices = [NO_CHOICE] + choices(
        (o.id, o.name) for o in organisations if o.kind == OrganisationKind.SCHOOL
    )
    form.organisation_id.choices = [NO_CHOICE] + choices(
        (o.id, o.name) for o in organisations if o.kind == OrganisationKind.PARTNER
    )


def _profile_data(form: UserForm):
    role = form.role.data
    student = supervisor = None
    if role == Role.STUDENT:
        student = services.StudentData(
            level=Level(form.level.data),
            study_year=form.study_year.data,
            school=db.session.get(Organisation, form.school_id.data)
            if form.school_id.data
            else None,
            programme=form.programme.data or "",
            crebo=form.crebo.data,
            available_weekdays=frozenset(form.available_weekdays.data or []),
            hours_per_week=form.hours_per_week.data or 0,
            agreed_bpv_hours=form.agreed_bpv_hours.data or 0,
        )
    if role == Role.SUPERVISOR:
        supervisor = services.SupervisorData(
            organisation=db.session.get(Organisation, form.organisation_id.data),
            job_title=form.job_title.data or "",
            supervision_hours_per_week=form.supervision_hours_per_week.data or 0,
        )
    return student, supervisor


@bp.route("/users")
@requires(can_manage_users)
def users():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    query = select(User).order_by(User.name, User.id)
    if q:
        query = query.where(
            or_(User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True))
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    page = paginate(query, current_app.config["PER_PAGE"])
    return render_template(
        "accounts/users.html", page=page, q=q, role=role, roles=Role, confirm=ConfirmForm()
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(can_invite_users)
def create_user():
    form = UserForm()
    _fill_choices(form)
    allowed = invitable_roles(current_user)
    # No role is chosen until someone chooses one: a form saved without a second look must not
    # make an admin.
    form.role.choices = [CHOOSE_ROLE] + choices((r.value, ROLE_LABELS[r]) for r in allowed)
    if form.validate_on_submit():
        student, supervisor = _profile_data(form)
        try:
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                student=student,
                supervisor=supervisor,
                by=current_user,
            )
            services.invite_user(user, by=current_user)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Account voor %(name)s aangemaakt. Er is een uitnodiging gestuurd naar "
                    "%(email)s om zelf een wachtwoord te kiezen.",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            if can_manage_users(current_user):
                return redirect(url_for("accounts.users"))
            return redirect(url_for("accounts.create_user"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@requires(can_invite_users)
def resend_invitation(user_id: int):
    user = db.get_or_404(User, user_id)
    if not can_resend_invitation(current_user, user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.invite_user(user, by=current_user)
    except WijklabError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "Nieuwe uitnodiging gestuurd naar %(email)s; de vorige link werkt niet meer.",
                email=user.email,
            ),
            "success",
        )
    if can_manage_users(current_user):
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return redirect(url_for("accounts.create_user"))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires(can_manage_users)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=_form_source(user))
    _fill_choices(form)
    if form.validate_on_submit():
        student, supervisor = _profile_data(form)
        try:
            services.update_user(
                user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                student=student,
                supervisor=supervisor,
                by=current_user,
            )
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Gegevens van %(name)s opgeslagen.", name=user.name), "success")
            return redirect(url_for("accounts.users"))
    status = 422 if form.errors or form.form_errors else 200
    return (
        render_template(
            "accounts/user_form.html",
            form=form,
            user=user,
            confirm=ConfirmForm(),
            invitation=services.invitation_state(user),
            may_resend=can_resend_invitation(current_user, user) and user.is_active,
        ),
        status,
    )


def _form_source(user: User):
    """A flat object for UserForm(obj=...): the user's fields and those of their profile."""
    data = {"name": user.name, "email": user.email, "role": user.role.value}
    if user.student_profile:
        p = user.student_profile
        data |= {
            "level": p.level.value,
            "school_id": p.school_id,
            "programme": p.programme,
            "study_year": p.study_year,
            "crebo": p.crebo,
            "available_weekdays": sorted(p.available_weekdays),
            "hours_per_week": p.hours_per_week,
            "agreed_bpv_hours": p.agreed_bpv_hours,
        }
    if user.supervisor_profile:
        p = user.supervisor_profile
        data |= {
            "organisation_id": p.organisation_id,
            "job_title": p.job_title,
            "supervision_hours_per_week": p.supervision_hours_per_week,
        }
    return type("UserFormData", (), data)()


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires(can_manage_users)
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires(can_manage_users)
def reactivate_user(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    if not can_change_active_state(current_user, user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_active(user, active, by=current_user)
    db.session.commit()
    if active:
        flash(_("%(name)s kan weer inloggen.", name=user.name), "success")
    else:
        flash(_("%(name)s is gedeactiveerd en overal uitgelogd.", name=user.name), "success")
    return redirect(url_for("accounts.users"))
