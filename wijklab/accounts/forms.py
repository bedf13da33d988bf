from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from wijklab.accounts.models import (
    CREBO_MAX,
    EMAIL_MAX,
    JOB_TITLE_MAX,
    NAME_MAX,
    PROGRAMME_MAX,
    Level,
    Role,
)
from wijklab.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from wijklab.forms import CheckboxListField, IdSelectField, choices, strip

ROLE_LABELS = {
    Role.ADMIN: _l("Beheerder"),
    Role.WIJKDOCENT: _l("Wijkdocent"),
    Role.STUDENT: _l("Student"),
    Role.SUPERVISOR: _l("Werkbegeleider"),
}
LEVEL_LABELS = {Level.MBO: _l("mbo"), Level.HBO: _l("hbo")}
WEEKDAY_LABELS = [
    (0, _l("maandag")),
    (1, _l("dinsdag")),
    (2, _l("woensdag")),
    (3, _l("donderdag")),
    (4, _l("vrijdag")),
    (5, _l("zaterdag")),
    (6, _l("zondag")),
]
REQUIRED = _l("Dit veld is verplicht.")
# The first option of the role list: nothing chosen yet (never the most powerful role).
CHOOSE_ROLE = SelectChoice("", _l("— Kies een rol —"))


def _check_policy(field) -> None:
    from wijklab.accounts.services import check_password_policy
    from wijklab.errors import WijklabError

    try:
        check_password_policy(field.data or "")
    except WijklabError as error:
        raise ValidationError(error.message) from error


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[DataRequired(REQUIRED), Length(max=EMAIL_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ingelogd blijven op dit apparaat (30 dagen)"))


class LoginLinkForm(FlaskForm):
    """Sign in with the one-time link mailed after too many login attempts."""

    remember = BooleanField(_l("Ingelogd blijven op dit apparaat (30 dagen)"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[DataRequired(REQUIRED), Length(max=EMAIL_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )


class NewPasswordForm(FlaskForm):
    """Choose a password through a reset or invitation link (no current password to type)."""

    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[DataRequired(REQUIRED)],
        description=_l(
            "Minstens %(n)s tekens; een zin van een paar woorden werkt goed.", n=MIN_LENGTH
        ),
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    confirm = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field):
        _check_policy(field)

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("De twee wachtwoorden zijn niet gelijk."))


class ChangePasswordForm(NewPasswordForm):
    """Change one's own password: the current one first (shown first, see password.html)."""

    current_password = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Taal"), choices=choices([("nl", "Nederlands"), ("en", "English")]), validate_choice=True
    )


class UserForm(FlaskForm):
    """Create or edit a user; the student and supervisor fields apply to those roles only."""

    name = StringField(
        _l("Naam"), validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)], filters=[strip]
    )
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=EMAIL_MAX),
            Email(_l("Dit is geen geldig e-mailadres."), check_deliverability=False),
        ],
    )
    role = SelectField(
        _l("Rol"),
        choices=[CHOOSE_ROLE, *choices((r.value, label) for r, label in ROLE_LABELS.items())],
        validators=[InputRequired(_l("Kies een rol."))],
    )
    level = SelectField(
        _l("Niveau"),
        choices=choices([("", "—"), *((lv.value, label) for lv, label in LEVEL_LABELS.items())]),
        validators=[Optional()],
    )
    school_id = IdSelectField(_l("School"), validators=[Optional()])
    programme = StringField(
        _l("Opleiding"), validators=[Optional(), Length(max=PROGRAMME_MAX)], filters=[strip]
    )
    study_year = IntegerField(
        _l("Studiejaar"),
        validators=[Optional(), NumberRange(1, 4, _l("Het studiejaar is 1, 2, 3 of 4."))],
    )
    crebo = StringField(
        _l("Crebonummer (mbo)"),
        validators=[Optional(), Length(max=CREBO_MAX)],
        render_kw={"inputmode": "numeric"},
    )
    available_weekdays = CheckboxListField(
        _l("Beschikbare dagen"),
        choices=choices(WEEKDAY_LABELS),
        coerce=int,
        validators=[Optional()],
    )
    hours_per_week = IntegerField(
        _l("Uren per week"),
        default=0,
        validators=[Optional(), NumberRange(0, 40, _l("Kies 0 tot en met 40 uur."))],
    )
    agreed_bpv_hours = IntegerField(
        _l("Afgesproken BPV-uren"),
        default=0,
        validators=[Optional(), NumberRange(0, 2000, _l("Kies 0 tot en met 2000 uur."))],
    )

    organisation_id = IdSelectField(_l("Partnerorganisatie"), validators=[Optional()])
    job_title = StringField(
        _l("Functie"), validators=[Optional(), Length(max=JOB_TITLE_MAX)], filters=[strip]
    )
    supervision_hours_per_week = IntegerField(
        _l("Begeleidingsuren per week"),
        default=0,
        validators=[Optional(), NumberRange(0, 40, _l("Kies 0 tot en met 40 uur."))],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        role = self.role.data
        if role == Role.STUDENT:
            if not self.level.data:
                self.level.errors.append(_l("Kies het niveau van de student."))
                ok = False
            if self.study_year.data is None and not self.study_year.errors:
                self.study_year.errors.append(_l("Vul het studiejaar in (1 tot en met 4)."))
                ok = False
        if role == Role.SUPERVISOR and self.organisation_id.data is None:
            if not self.organisation_id.errors:
                self.organisation_id.errors.append(_l("Kies de partnerorganisatie."))
            ok = False
        return ok
