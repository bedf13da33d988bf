"""Account rules: creating and editing users, passwords, activation, authentication."""

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
    password: str,
    student: StudentData | None = None,
    supervisor: SupervisorData | None = None,
    locale: str | None = None,
) -> User:
    """Create an active user; the e-mail must be free and the password must meet the policy."""
    email, name, role = _check_identity(email, name, role)
    check_password_policy(password)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=passwords.hash_password(password),
        locale=locale,
    )
    _apply_profile(user, student, supervisor)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    role: Role | str,
    student: StudentData | None = None,
    supervisor: SupervisorData | None = None,
) -> User:
    """Change a user's details and profile; the e-mail must stay unique."""
    email, name, role = _check_identity(email, name, role, user=user)
    if user.role == Role.ADMIN and role != Role.ADMIN and count_active_admins(excluding=user) == 0:
        raise NotAllowed(_l("Er moet minstens één actieve beheerder overblijven."), field="role")
    user.email = email
    user.name = name
    user.role = role
    _apply_profile(user, student, supervisor)
    db.session.flush()
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
    user.is_active = active
    if not active:
        user.end_all_sessions()
    db.session.flush()


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change one's own password: the current one must match; every other session ends."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise WijklabError(_l("Het huidige wachtwoord klopt niet."), field="current_password")
    check_password_policy(new_password)
    if passwords.verify_password(user.password_hash, new_password):
        raise WijklabError(
            _l("Het nieuwe wachtwoord moet anders zijn dan het huidige."), field="password"
        )
    user.password_hash = passwords.hash_password(new_password)
    user.end_all_sessions()
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same work for every failure)."""
    user = find_user_by_email(email or "")
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password or "")
        return None
    if not passwords.verify_password(user.password_hash, password or ""):
        return None
    if not user.is_active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
