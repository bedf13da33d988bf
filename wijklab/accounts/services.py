"""Account rules: creating and editing users, passwords, activation, authentication, password
reset and invitation links. What happens is announced with ``wijklab.accounts.signals``."""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wijklab.accounts import passwords
from wijklab.accounts.models import (
    EMAIL_MAX,
    NAME_MAX,
    Level,
    Role,
    StudentProfile,
    SupervisorProfile,
    User,
)
from wijklab.accounts.signals import (
    announce,
    invitation_issued,
    login_link_requested,
    password_reset_requested,
)
from wijklab.accounts.tokens import (
    LIFETIMES,
    OneTimeToken,
    Purpose,
    find_token,
    issue_token,
    retire_tokens,
    use_token,
)
from wijklab.clock import utcnow
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.organisations.models import Organisation, OrganisationKind


@dataclass
class StudentData:
    level: Level
    study_year: int
    school: Organisation | None = None
    programme: str = ""
    crebo: str | None = None
    available_weekdays: frozenset[int] = field(default_factory=frozenset)
    hours_per_week: int = 0
    agreed_bpv_hours: int = 0


@dataclass
class SupervisorData:
    organisation: Organisation
    job_title: str = ""
    supervision_hours_per_week: int = 0


def normalise_email(email: str) -> str:
    """Validate the address's form (no DNS) and return it lower-cased."""
    email = (email or "").strip()
    if not email:
        raise WijklabError(_l("Vul een e-mailadres in."), field="email")
    if len(email) > EMAIL_MAX:
        raise WijklabError(_l("Een e-mailadres mag hoogstens 254 tekens hebben."), field="email")
    try:
        validated = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise WijklabError(_l("Dit is geen geldig e-mailadres."), field="email") from exc
    return validated.normalized.lower()


def check_password_policy(password: str) -> None:
    """A password has 12 to 128 characters and is not a common password."""
    if len(password) < passwords.MIN_LENGTH:
        raise WijklabError(
            _l("Een wachtwoord heeft minstens %(n)s tekens.", n=passwords.MIN_LENGTH),
            field="password",
        )
    if len(password) > passwords.MAX_LENGTH:
        raise WijklabError(
            _l("Een wachtwoord heeft hoogstens %(n)s tekens.", n=passwords.MAX_LENGTH),
            field="password",
        )
    if passwords.is_common(password):
        raise WijklabError(
            _l("Dit wachtwoord is te bekend en makkelijk te raden. Kies een ander."),
            field="password",
        )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise WijklabError(_l("Vul een naam in."), field="name")
    if len(name) > NAME_MAX:
        raise WijklabError(_l("Een naam mag hoogstens 120 tekens hebben."), field="name")
    return name


def _check_identity(
    email: str, name: str, role: Role | str, user: User | None = None
) -> tuple[str, str, Role]:
    """A known role, a valid name and an e-mail address no other user has, normalised."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise WijklabError(_l("Onbekende rol."), field="role") from exc
    email = normalise_email(email)
    name = _check_name(name)
    taken = find_user_by_email(email)
    if taken is not None and taken is not user:
        raise Conflict(_l("Er is al een account met dit e-mailadres."), field="email")
    return email, name, role


def _apply_profile(
    user: User, student: StudentData | None, supervisor: SupervisorData | None
) -> None:
    if user.role == Role.STUDENT:
        if student is None:
            raise WijklabError(_l("Een student heeft een niveau en een studiejaar."), field="level")
        if student.study_year not in (1, 2, 3, 4):
            raise WijklabError(_l("Het studiejaar is 1, 2, 3 of 4."), field="study_year")
        if student.school is not None and student.school.kind != OrganisationKind.SCHOOL:
            raise WijklabError(_l("Kies een school, geen partnerorganisatie."), field="school_id")
        crebo = (student.crebo or "").strip() or None
        if student.level == Level.HBO:
            crebo = None
        elif crebo is not None and not (crebo.isdigit() and len(crebo) == 5):
            raise WijklabError(_l("Een crebonummer bestaat uit vijf cijfers."), field="crebo")
        profile = user.student_profile or StudentProfile()
        profile.level = student.level
        profile.study_year = student.study_year
        profile.school = student.school
        profile.programme = student.programme.strip()
        profile.crebo = crebo
        profile.available_weekdays = frozenset(student.available_weekdays)
        profile.hours_per_week = student.hours_per_week
        profile.agreed_bpv_hours = student.agreed_bpv_hours
        user.student_profile = profile
    else:
        user.student_profile = None
    if user.role == Role.SUPERVISOR:
        if supervisor is None or supervisor.organisation is None:
            raise WijklabError(
                _l("Een werkbegeleider hoort bij een partnerorganisatie."), field="organisation_id"
            )
        if supervisor.organisation.kind != OrganisationKind.PARTNER:
            raise WijklabError(
                _l("Kies een partnerorganisatie, geen school."), field="organisation_id"
            )
        profile = user.supervisor_profile or SupervisorProfile()
        profile.organisation = supervisor.organisation
        profile.job_title = supervisor.job_title.strip()
        profile.supervision_hours_per_week = supervisor.supervision_hours_per_week
        user.supervisor_profile = profile
    else:
        user.supervisor_profile = None


def create_user(
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str | None = None,
    student: StudentData | None = None,
    supervisor: SupervisorData | None = None,
    locale: str | None = None,
    by: User | None = None,
) -> User:
    """Create an active user; the e-mail must be free and a given password must meet the policy.

    Without a password the account cannot log in until its owner chooses one through an
    invitation (``invite_user``): nobody types another person's password."""
    email, name, role = _check_identity(email, name, role)
    if password is not None:
        check_password_policy(password)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=passwords.hash_password(password)
        if password is not None
        else passwords.unusable_hash(),
        locale=locale,
    )
    _apply_profile(user, student, supervisor)
    db.session.add(user)
    db.session.flush()
    announce("user.created", actor=by, user=user, role=role.value)
    return user


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    role: Role | str,
    student: StudentData | None = None,
    supervisor: SupervisorData | None = None,
    by: User | None = None,
) -> User:
    """Change a user's details and profile; the e-mail must stay unique."""
    email, name, role = _check_identity(email, name, role, user=user)
    if user.role == Role.ADMIN and role != Role.ADMIN and count_active_admins(excluding=user) == 0:
        raise NotAllowed(_l("Er moet minstens één actieve beheerder overblijven."), field="role")
    old_role = user.role
    user.email = email
    user.name = name
    user.role = role
    _apply_profile(user, student, supervisor)
    db.session.flush()
    if role != old_role:
        announce("user.role_changed", actor=by, user=user, old=old_role.value, new=role.value)
    return user


def count_active_admins(excluding: User | None = None) -> int:
    query = select(func.count(User.id)).where(User.role == Role.ADMIN, User.is_active.is_(True))
    if excluding is not None:
        query = query.where(User.id != excluding.id)
    return db.session.scalar(query) or 0


def set_active(user: User, active: bool, *, by: User) -> None:
    """Deactivate or reactivate a user; deactivation ends all their sessions at once."""
    if user.id == by.id:
        raise NotAllowed(_l("Je kunt je eigen account niet (de)activeren."))
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        user.end_all_sessions()
    db.session.flush()
    announce("user.reactivated" if active else "user.deactivated", actor=by, user=user)


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change one's own password: the current one must match; every other session ends."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise WijklabError(_l("Het huidige wachtwoord klopt niet."), field="current_password")
    check_password_policy(new_password)
    if passwords.verify_password(user.password_hash, new_password):
        raise WijklabError(
            _l("Het nieuwe wachtwoord moet anders zijn dan het huidige."), field="password"
        )
    _set_password(user, new_password, via="self", actor=user)


def _set_password(user: User, new_password: str, *, via: str, actor: User | None) -> None:
    """Store a new password, end every session and every open reset or invitation link."""
    user.password_hash = passwords.hash_password(new_password)
    user.end_all_sessions()
    retire_tokens(user.id, Purpose.PASSWORD_RESET)
    retire_tokens(user.id, Purpose.INVITATION)
    retire_tokens(user.id, Purpose.LOGIN_LINK)
    db.session.flush()
    announce("password.changed", actor=actor, user=user, via=via)


# Why a login was refused, as recorded in the audit trail (never what was typed).
WRONG_PASSWORD = "wrong_password"  # noqa: S105  (a reason code, not a password)
DEACTIVATED = "deactivated"
UNKNOWN_ACCOUNT = "unknown_account"
RATE_LIMITED = "rate_limited"


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same work for every failure).

    A refusal is announced with its reason, and with the account when the e-mail is known."""
    user = find_user_by_email(email or "")
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password or "")
        refuse_login(None, UNKNOWN_ACCOUNT)
        return None
    if not passwords.verify_password(user.password_hash, password or ""):
        refuse_login(user, WRONG_PASSWORD)
        return None
    if not user.is_active:
        refuse_login(user, DEACTIVATED)
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def refuse_login(user: User | None, reason: str) -> None:
    """Announce a refused login: the account if the e-mail is known, and why."""
    announce("login.refused", actor=None, user=user, reason=reason)


def request_login_link(email: str, password: str) -> User | None:
    """After too many login attempts on one account: its owner, who types the right password, gets
    a one-time login link by e-mail (older ones stop working); anyone else gets nothing.

    The caller answers the same either way, so the answer tells nobody whether the password was
    right: a stranger can keep the limit busy, but cannot keep the owner out."""
    user = find_user_by_email(email or "")
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password or "")
        refuse_login(None, RATE_LIMITED)
        return None
    refuse_login(user, RATE_LIMITED)  # the password alone does not sign in, even when right
    if not passwords.verify_password(user.password_hash, password or "") or not user.is_active:
        return None
    retire_tokens(user.id, Purpose.LOGIN_LINK)
    raw = issue_token(user, Purpose.LOGIN_LINK)
    db.session.flush()
    login_link_requested.send(None, user=user, token=raw)
    return user


def login_with_link(token: OneTimeToken) -> User:
    """Sign in with a login link: once, while it is fresh, for an active account."""
    user = token.user
    if not user.is_active or not use_token(token):
        raise Conflict(_l("Deze link is al gebruikt of verlopen. Log opnieuw in."))
    user.last_login_at = utcnow()
    db.session.flush()
    announce("login.via_link", actor=user, user=user)
    return user


def lifetime_minutes(purpose: Purpose) -> int:
    return int(LIFETIMES[purpose].total_seconds() // 60)


# --- password reset and invitation links -----------------------------------------------------


def request_password_reset(email: str) -> User | None:
    """For an active account with this e-mail: end older reset links and send a new one.

    Returns the user, or None when there is no such active account; the caller answers the
    same either way, so the page does not tell who has an account."""
    user = find_user_by_email(email or "")
    if user is None or not user.is_active:
        return None
    retire_tokens(user.id, Purpose.PASSWORD_RESET)
    raw = issue_token(user, Purpose.PASSWORD_RESET)
    db.session.flush()
    password_reset_requested.send(None, user=user, token=raw)
    return user


def invite_user(user: User, *, by: User | None) -> None:
    """Send (or send again) the link where the user chooses their first password; an older
    link stops working. Only for an active account that has no password yet."""
    if not user.is_active:
        raise NotAllowed(_l("Dit account is gedeactiveerd; heractiveer het eerst."))
    if passwords.has_usable_password(user.password_hash):
        raise Conflict(_l("%(name)s heeft al een eigen wachtwoord gekozen.", name=user.name))
    retire_tokens(user.id, Purpose.INVITATION)
    raw = issue_token(user, Purpose.INVITATION)
    db.session.flush()
    invitation_issued.send(None, user=user, inviter=by, token=raw)


def usable_token(raw: str | None, purpose: Purpose) -> OneTimeToken | None:
    """The token behind a reset, invitation or login link while it still works, else None."""
    token = find_token(raw, purpose)
    if token is None or token.used_at is not None or token.is_expired:
        return None
    if not token.user.is_active:
        return None
    if purpose == Purpose.INVITATION and passwords.has_usable_password(token.user.password_hash):
        return None
    return token


def set_password_with_token(token: OneTimeToken, new_password: str) -> User:
    """Set the password of the token's user and use the token up (of two simultaneous uses,
    exactly one wins); every session of that user ends."""
    check_password_policy(new_password)
    user = token.user
    if not user.is_active or not use_token(token):
        raise Conflict(_l("Deze link is al gebruikt of verlopen. Vraag een nieuwe aan."))
    via = "invitation" if token.purpose == Purpose.INVITATION else "reset_link"
    _set_password(user, new_password, via=via, actor=user)
    return user


@dataclass
class InvitationState:
    """Whether a user without a password has a working invitation link, and until when."""

    open: bool
    expires_at: object | None = None


def invitation_state(user: User) -> InvitationState | None:
    """None once the user has their own password; else the state of their invitation."""
    if passwords.has_usable_password(user.password_hash):
        return None
    expires_at = db.session.scalar(
        select(func.max(OneTimeToken.expires_at)).where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == Purpose.INVITATION,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > utcnow(),
        )
    )
    return InvitationState(open=expires_at is not None, expires_at=expires_at)


def lifetime_hours(purpose: Purpose) -> int:
    return int(LIFETIMES[purpose].total_seconds() // 3600)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
