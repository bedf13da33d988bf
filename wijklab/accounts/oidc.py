"""Institution login with OpenID Connect (SURFconext and others).

The authorization-code flow with PKCE (S256) through Authlib's Flask client: Authlib checks the
state, the nonce, the PKCE verifier and the ID token (signature, issuer, audience, expiry);
this module turns every failure into a clear refusal and links provider accounts to users.

- A provider's account is known by its ``sub`` (``UserIdentity``), never by its e-mail address:
  an unknown ``sub`` whose verified e-mail matches an active user is linked only after that user
  confirms with their password (``/auth/oidc/link``); anyone else is refused (no self-registration).
- The ``schac_home_organization`` claim must name the user's own institution: a student's school,
  a supervisor's partner organisation, or, for admins and wijkdocenten (who belong to no
  organisation), one of the schools. The role always comes from the user, never from the claims.
- Providers come from ``OIDC_PROVIDERS`` (a mapping of name to ``discovery_url``, ``client_id``,
  ``client_secret`` and ``label``), by default read from ``WIJKLAB_OIDC_PROVIDERS=surf_test,other``
  and ``WIJKLAB_OIDC_<NAME>_DISCOVERY_URL``, ``_CLIENT_ID``, ``_CLIENT_SECRET``, ``_LABEL``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from joserfc.errors import JoseError
from sqlalchemy import select
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from wijklab import clock
from wijklab.accounts import passwords
from wijklab.accounts.forms import REQUIRED
from wijklab.accounts.models import Role, User
from wijklab.accounts.oidc_models import PROVIDER_MAX, UserIdentity
from wijklab.accounts.services import find_user_by_email, refuse_login
from wijklab.accounts.sessions import start_session
from wijklab.accounts.signals import announce
from wijklab.config import ConfigError
from wijklab.errors import WijklabError
from wijklab.extensions import db, limiter
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.security import log_security_event

bp = Blueprint("oidc", __name__)

EXTENSION = "wijklab.oidc"
SCOPE = "openid email profile"
SCHAC_CLAIM = "schac_home_organization"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
RESERVED_NAMES = frozenset({"link"})  # /auth/oidc/link is the confirmation page
HTTP_TIMEOUT_SECONDS = 10

# Session keys: where to go after login, the link waiting for a password (never a token), and
# which provider started this session (with its ID token, for the provider's logout).
SESSION_NEXT = "oidc_next"
SESSION_PENDING = "oidc_pending_link"
SESSION_LOGIN = "oidc_login"

# Reason codes in the audit trail and the security log.
UNKNOWN_ACCOUNT = "oidc_unknown_account"
DEACTIVATED = "oidc_deactivated"
WRONG_INSTITUTION = "oidc_wrong_institution"
WRONG_PASSWORD = "oidc_link_wrong_password"  # noqa: S105  (a reason code, not a password)


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    """One configured OpenID Connect provider."""

    name: str
    label: str
    discovery_url: str
    client_id: str
    client_secret: str | None = None


def providers_from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, dict]:
    """``WIJKLAB_OIDC_PROVIDERS=surf_test,other`` and ``WIJKLAB_OIDC_<NAME>_...`` per provider."""
    names = [n.strip().lower() for n in environ.get("WIJKLAB_OIDC_PROVIDERS", "").split(",")]
    providers: dict[str, dict] = {}
    for name in filter(None, names):
        prefix = f"WIJKLAB_OIDC_{name.upper().replace('-', '_')}_"
        providers[name] = {
            "discovery_url": environ.get(prefix + "DISCOVERY_URL", "").strip(),
            "client_id": environ.get(prefix + "CLIENT_ID", "").strip(),
            "client_secret": environ.get(prefix + "CLIENT_SECRET") or None,
            "label": environ.get(prefix + "LABEL", "").strip() or name,
        }
    return providers


def parse_providers(config: Mapping, *, production: bool = False) -> dict[str, Provider]:
    """The providers of ``OIDC_PROVIDERS``, checked; raises ConfigError on an unusable one."""
    providers: dict[str, Provider] = {}
    for name, values in (config or {}).items():
        if not NAME_PATTERN.match(name) or len(name) > PROVIDER_MAX or name in RESERVED_NAMES:
            raise ConfigError(
                f"OpenID Connect provider name {name!r}: use lower-case letters, digits, - and _ "
                f"(at most {PROVIDER_MAX}), not 'link'."
            )
        discovery_url = (values.get("discovery_url") or "").strip()
        client_id = (values.get("client_id") or "").strip()
        if not discovery_url or not client_id:
            raise ConfigError(
                f"OpenID Connect provider {name!r} needs a discovery URL and a client id "
                f"(WIJKLAB_OIDC_{name.upper()}_DISCOVERY_URL, _CLIENT_ID)."
            )
        scheme = discovery_url.partition("://")[0].lower()
        if scheme not in ("http", "https") or (production and scheme != "https"):
            raise ConfigError(
                f"OpenID Connect provider {name!r}: the discovery URL must be https"
                f"{'' if production else ' (or http in development)'}, not {discovery_url!r}."
            )
        providers[name] = Provider(
            name=name,
            label=(values.get("label") or "").strip() or name,
            discovery_url=discovery_url,
            client_id=client_id,
            client_secret=values.get("client_secret") or None,
        )
    return providers


def configured_providers() -> dict[str, Provider]:
    return parse_providers(current_app.config.get("OIDC_PROVIDERS") or {})


def get_client(name: str):
    """The Authlib client of provider ``name`` (None if unknown), from the app's OAuth registry.

    The registry is rebuilt when OIDC_PROVIDERS changes (the tests configure a provider on the
    running app); otherwise each client keeps the provider's metadata and keys it fetched."""
    providers = configured_providers()
    if name not in providers:
        return None
    state = current_app.extensions[EXTENSION]
    signature = tuple(
        sorted(
            (p.name, p.discovery_url, p.client_id, p.client_secret or "")
            for p in providers.values()
        )
    )
    if state.get("signature") != signature:
        oauth = OAuth(current_app._get_current_object())
        for provider in providers.values():
            client_kwargs = {
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "default_timeout": HTTP_TIMEOUT_SECONDS,
            }
            if provider.client_secret is None:
                client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105
            oauth.register(
                provider.name,
                server_metadata_url=provider.discovery_url,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                client_kwargs=client_kwargs,
            )
        state.update(oauth=oauth, signature=signature)
    return state["oauth"].create_client(name)


def register_oidc(app: Flask) -> None:
    """Set up the configured OpenID Connect providers and their routes."""
    if not app.config.get("TESTING"):
        app.config.setdefault("OIDC_PROVIDERS", providers_from_environment())
    app.config.setdefault("OIDC_PROVIDERS", {})
    app.config.setdefault("OIDC_LINK_MINUTES", 10)  # how long a pending link waits for a password
    app.config.setdefault("OIDC_LINK_ATTEMPTS", 5)  # wrong passwords before a pending link ends
    app.config.setdefault("OIDC_LEEWAY_SECONDS", 60)  # clock skew allowed on the ID token
    parse_providers(app.config["OIDC_PROVIDERS"], production=app.config["ENV_NAME"] == "production")
    app.extensions[EXTENSION] = {}
    app.register_blueprint(bp)
    app.context_processor(_login_providers)


def _login_providers() -> dict:
    try:
        providers = configured_providers()
    except ConfigError:
        providers = {}
    return {"oidc_providers": list(providers.values())}


# --- rules (they flush, never commit) ----------------------------------------------------------


class LoginRefused(WijklabError):
    """An institution login that may not go on; ``reason`` is the code for the audit trail."""

    status_code = 403

    def __init__(self, message, reason: str, user: User | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.user = user


def schac_home_of(claims: Mapping) -> str | None:
    """The ``schac_home_organization`` claim, lower-case; None if missing or not one string."""
    value = claims.get(SCHAC_CLAIM)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def institution_matches(user: User, schac_home: str | None) -> bool:
    """A student's school or a supervisor's partner organisation carries this schac_home;
    admins and wijkdocenten, who have no organisation profile, need one of the schools to."""
    if not schac_home:
        return False
    if user.role == Role.STUDENT:
        profile = user.student_profile
        organisation = profile.school if profile is not None else None
    elif user.role == Role.SUPERVISOR:
        profile = user.supervisor_profile
        organisation = profile.organisation if profile is not None else None
    else:
        school = db.session.scalar(
            select(Organisation.id).where(
                Organisation.kind == OrganisationKind.SCHOOL, Organisation.schac_home == schac_home
            )
        )
        return school is not None
    return (
        organisation is not None
        and organisation.schac_home is not None
        and organisation.schac_home.strip().lower() == schac_home
    )


def find_identity(provider: str, subject: str) -> UserIdentity | None:
    return db.session.scalar(
        select(UserIdentity).where(
            UserIdentity.provider == provider, UserIdentity.subject == subject
        )
    )


def _check_user(user: User | None, schac_home: str | None) -> User:
    if user is None:
        raise LoginRefused(
            _l(
                "Er is geen Wijklab-account dat bij dit instellingsaccount hoort. Log in met je "
                "e-mailadres en wachtwoord, of vraag de beheerder om je account te koppelen."
            ),
            UNKNOWN_ACCOUNT,
        )
    if not user.is_active:
        raise LoginRefused(
            _l("Je Wijklab-account is niet actief. Neem contact op met de beheerder."),
            DEACTIVATED,
            user,
        )
    if not institution_matches(user, schac_home):
        raise LoginRefused(
            _l(
                "Je instellingsaccount hoort niet bij de school of organisatie van je "
                "Wijklab-account. Log in met je e-mailadres en wachtwoord, of neem contact op "
                "met de beheerder."
            ),
            WRONG_INSTITUTION,
            user,
        )
    return user


def login_with_identity(identity: UserIdentity, schac_home: str | None) -> User:
    """Log in through a linked provider account: the user must be active and the institution
    their own; the login is recorded as the password login's is."""
    user = _check_user(identity.user, schac_home)
    now = clock.utcnow()
    identity.last_login_at = now
    user.last_login_at = now
    db.session.flush()
    announce("login.via_oidc", actor=user, user=user, provider=identity.provider)
    return user


def link_candidate(claims: Mapping, schac_home: str | None) -> User:
    """The active user whose address the provider vouches for (``email_verified``), from the
    right institution: they may link the provider account after confirming their password."""
    email = claims.get("email")
    verified = claims.get("email_verified") in (True, "true")
    user = find_user_by_email(email) if isinstance(email, str) and email and verified else None
    return _check_user(user, schac_home)


def link_identity(user: User, provider: str, subject: str) -> UserIdentity:
    """Link a provider account to ``user``, who has just confirmed with their password."""
    if find_identity(provider, subject) is not None:
        raise LoginRefused(
            _l("Dit instellingsaccount is al aan een Wijklab-account gekoppeld."),
            "oidc_already_linked",
            user,
        )
    identity = UserIdentity(user=user, provider=provider, subject=subject)
    db.session.add(identity)
    db.session.flush()
    announce("oidc.linked", actor=user, user=user, provider=provider)
    return identity


# --- views -------------------------------------------------------------------------------------


class LinkForm(FlaskForm):
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(REQUIRED), Length(max=passwords.MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


def _refusal(message, status: int, provider: Provider | None = None):
    """The refusal page; whatever the flow kept in the session is dropped, nobody is signed in."""
    _forget_flow()
    page = render_template("oidc/refused.html", message=message, provider=provider)
    return page, status


def _forget_flow() -> None:
    for key in list(session.keys()):
        if key.startswith("_state_") or key in (SESSION_NEXT, SESSION_PENDING):
            session.pop(key, None)


def _unknown_provider():
    return _refusal(
        _("Deze instelling is niet bekend bij Wijklab. Kies een instelling op de inlogpagina."),
        404,
    )


def _unreachable(provider: Provider, error: Exception):
    current_app.logger.warning("OpenID Connect provider %s unreachable: %s", provider.name, error)
    log_security_event("oidc_provider_unreachable", provider=provider.name)
    return _refusal(
        _(
            "%(label)s is nu niet bereikbaar. Probeer het later opnieuw of log in met je "
            "e-mailadres en wachtwoord.",
            label=provider.label,
        ),
        503,
        provider,
    )


def _refuse(provider: Provider, reason: str, message, status: int, user: User | None = None):
    """A refused login, kept in the audit trail (with the account, if known) and security log."""
    db.session.rollback()
    refuse_login(user, reason)
    db.session.commit()
    log_security_event("oidc_login_refused", provider=provider.name, reason=reason)
    return _refusal(message, status, provider)


def _callback_url(name: str) -> str:
    """The redirect URI on our public address (never on the request's Host header)."""
    path = url_for("oidc.callback", name=name)
    public = current_app.config.get("PUBLIC_URL")
    return public + path if public else url_for("oidc.callback", name=name, _external=True)


def _safe_next(target: str | None) -> str | None:
    from wijklab.accounts.views import safe_next

    return safe_next(target)


def _sign_in(user: User, provider: str, id_token: str | None):
    """The password login's steps: a fresh session, Flask-Login, the idle timer."""
    target = _safe_next(session.get(SESSION_NEXT))
    session.clear()  # nothing from before the login carries over
    login_user(user, remember=False)
    start_session(False)
    session[SESSION_LOGIN] = {"provider": provider, "id_token": id_token}
    flash(_("Je bent ingelogd."), "success")
    return redirect(target or url_for("reports.dashboard"))


@bp.route("/auth/oidc/<name>")
def start(name: str):
    """Send the browser to the provider, with state, nonce and a PKCE challenge."""
    provider = configured_providers().get(name)
    if provider is None:
        return _unknown_provider()
    if current_user.is_authenticated:
        return redirect(url_for("reports.dashboard"))
    client = get_client(name)
    target = _safe_next(request.args.get("next"))
    _forget_flow()
    try:
        response = client.authorize_redirect(_callback_url(name))
    except (AuthlibBaseError, OSError, ValueError, RuntimeError) as error:
        return _unreachable(provider, error)
    if target:
        session[SESSION_NEXT] = target
    return response


def _claims_options(client) -> dict:
    """What the ID token must say: our provider as issuer and our client as audience."""
    metadata = client.load_server_metadata()
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [client.client_id]},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    """Claims the ID token left out, from the userinfo endpoint (for the same ``sub`` only)."""
    needed = ("email", "email_verified", SCHAC_CLAIM)
    if all(key in claims for key in needed):
        return claims
    if not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    extra = client.userinfo(token=token)
    if extra.get("sub") != claims["sub"]:
        return claims
    return {**extra, **claims}


@bp.route("/auth/oidc/<name>/callback")
def callback(name: str):
    """Finish the flow: Authlib checks state, code (with the PKCE verifier) and ID token."""
    provider = configured_providers().get(name)
    if provider is None:
        return _unknown_provider()
    if current_user.is_authenticated:
        _forget_flow()
        return redirect(url_for("reports.dashboard"))
    client = get_client(name)
    if request.args.get("error"):
        log_security_event(
            "oidc_login_refused",
            provider=name,
            reason="provider_error",
            error=request.args.get("error", "")[:64],
        )
        return _refusal(
            _(
                "Inloggen bij %(label)s is afgebroken of geweigerd. Je bent niet ingelogd.",
                label=provider.label,
            ),
            403,
            provider,
        )
    try:
        token = client.authorize_access_token(
            claims_options=_claims_options(client),
            leeway=current_app.config["OIDC_LEEWAY_SECONDS"],
        )
        claims = token.get("userinfo")
        if claims is None or not isinstance(claims.get("sub"), str):
            raise JoseError("no ID token")
        claims = _with_userinfo(client, token, dict(claims))
    except MismatchingStateError:
        log_security_event("oidc_login_refused", provider=name, reason="state")
        return _refusal(
            _(
                "Deze inlogpoging is verlopen of niet in deze browser begonnen. Je bent niet "
                "ingelogd. Probeer het opnieuw."
            ),
            400,
            provider,
        )
    except AuthlibBaseError as error:
        # The token endpoint refused the code: used before, expired, or a wrong PKCE verifier.
        log_security_event(
            "oidc_login_refused", provider=name, reason="token", error=str(error.error)[:64]
        )
        return _refusal(
            _(
                "%(label)s heeft de inlogpoging niet bevestigd (de code is al gebruikt, verlopen "
                "of ongeldig). Je bent niet ingelogd. Probeer het opnieuw.",
                label=provider.label,
            ),
            400,
            provider,
        )
    except JoseError as error:
        # The ID token: a bad signature, another issuer or audience, expired, a wrong nonce.
        log_security_event(
            "oidc_login_refused", provider=name, reason="id_token", error=type(error).__name__
        )
        return _refusal(
            _(
                "Het bewijs van %(label)s klopt niet (verkeerde afzender of bestemming, of "
                "verlopen). Je bent niet ingelogd. Probeer het opnieuw.",
                label=provider.label,
            ),
            403,
            provider,
        )
    except (OSError, ValueError, RuntimeError) as error:
        return _unreachable(provider, error)

    subject = claims["sub"]
    schac_home = schac_home_of(claims)
    identity = find_identity(name, subject)
    try:
        if identity is not None:
            user = login_with_identity(identity, schac_home)
            db.session.commit()
            return _sign_in(user, name, token.get("id_token"))
        user = link_candidate(claims, schac_home)
    except LoginRefused as refusal:
        return _refuse(provider, refusal.reason, refusal.message, refusal.status_code, refusal.user)
    # Known address, unknown provider account: the owner confirms with their password first.
    # The session keeps only what the link needs, for a few minutes; never the tokens.
    target = session.get(SESSION_NEXT)
    _forget_flow()
    if target:
        session[SESSION_NEXT] = target
    expires = clock.utcnow().timestamp() + 60 * current_app.config["OIDC_LINK_MINUTES"]
    session[SESSION_PENDING] = {
        "provider": name,
        "subject": subject,
        "user_id": user.id,
        "schac_home": schac_home,
        "expires": expires,
        "attempts": 0,
    }
    return redirect(url_for("oidc.link"))


def _pending_link() -> dict | None:
    pending = session.get(SESSION_PENDING)
    if not isinstance(pending, dict) or pending.get("expires", 0) < clock.utcnow().timestamp():
        session.pop(SESSION_PENDING, None)
        return None
    return pending


def _link_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/auth/oidc/link", methods=["GET", "POST"])
@limiter.limit(_link_limit, methods=["POST"])
def link():
    """Link a provider account to the Wijklab account with the same address, after its owner
    typed their password; then log in."""
    if current_user.is_authenticated:
        return redirect(url_for("reports.dashboard"))
    pending = _pending_link()
    provider = configured_providers().get(pending["provider"]) if pending else None
    user = db.session.get(User, pending["user_id"]) if pending else None
    if pending is None or provider is None or user is None or not user.is_active:
        return _refusal(
            _(
                "Er wacht geen koppeling (meer) op bevestiging: een koppeling moet binnen "
                "%(n)s minuten worden bevestigd. Log opnieuw in via je instelling.",
                n=current_app.config["OIDC_LINK_MINUTES"],
            ),
            400,
        )
    form = LinkForm()
    if form.validate_on_submit():
        if not passwords.verify_password(user.password_hash, form.password.data):
            pending["attempts"] = pending.get("attempts", 0) + 1
            session[SESSION_PENDING] = pending
            refuse_login(user, WRONG_PASSWORD)
            db.session.commit()
            log_security_event("oidc_login_refused", provider=provider.name, reason=WRONG_PASSWORD)
            if pending["attempts"] >= current_app.config["OIDC_LINK_ATTEMPTS"]:
                return _refusal(
                    _("Te vaak een verkeerd wachtwoord: er is niets gekoppeld. Log opnieuw in."),
                    403,
                    provider,
                )
            form.form_errors.append(_("Het wachtwoord klopt niet. Er is niets gekoppeld."))
        else:
            try:
                identity = link_identity(user, provider.name, pending["subject"])
                user = login_with_identity(identity, pending.get("schac_home"))
            except LoginRefused as refusal:
                return _refuse(
                    provider, refusal.reason, refusal.message, refusal.status_code, refusal.user
                )
            db.session.commit()
            return _sign_in(user, provider.name, None)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("oidc/link.html", form=form, user=user, provider=provider), status


# --- logout ------------------------------------------------------------------------------------


def logout_redirect_url() -> str | None:
    """Where to send the browser after our logout: the provider's end-session endpoint (with
    the ID token as hint and our login page to return to) when an institution login started
    this session and the provider offers RP-initiated logout; else None.

    Call it before the session is cleared."""
    started = session.get(SESSION_LOGIN)
    if not isinstance(started, dict):
        return None
    name = started.get("provider")
    client = get_client(name) if isinstance(name, str) else None
    if client is None:
        return None
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        login_page = url_for("accounts.login")
        public = current_app.config.get("PUBLIC_URL")
        result = client.create_logout_url(
            post_logout_redirect_uri=public + login_page
            if public
            else url_for("accounts.login", _external=True),
            id_token_hint=started.get("id_token"),
            client_id=client.client_id,
        )
    except (AuthlibBaseError, OSError, ValueError, RuntimeError):
        return None
    return result["url"]
